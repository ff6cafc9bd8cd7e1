import { describe, expect, it } from 'vitest';
import { formatCapacity, formatTable, infoLine, padEnd, prettyCapacity, toFixed } from '../../src/ts/cli/format.js';
import { formatDuration, runningPercent } from '../../src/ts/cli/progress.js';
import { parseVirshSize as parseScaledSize } from '../../src/ts/conf/units.js';

describe('printf-style formatting', () => {
  it('rounds %.Nf like glibc: exact binary value, ties to even', () => {
    expect(toFixed(1.125, 2)).toBe('1.12');
    expect(toFixed(1.375, 2)).toBe('1.38');
    expect(toFixed(0.5, 0)).toBe('0');
    expect(toFixed(1.5, 0)).toBe('2');
    expect(toFixed(2.675, 2)).toBe('2.67'); // 2.675 is just below in binary
    expect(toFixed(100, 2)).toBe('100.00');
    expect(toFixed(0, 3)).toBe('0.000');
    expect(toFixed(1795642548.34, 1)).toBe('1795642548.3');
    expect(toFixed(-0.25, 1)).toBe('-0.2');
    expect(toFixed(1e-7, 3)).toBe('0.000');
  });

  it('pads %-Ns by bytes, as C does', () => {
    expect(padEnd('Id:', 15)).toBe('Id:            ');
    expect(padEnd('é', 4)).toBe('é  ');
    expect(padEnd('toolongvalue', 5)).toBe('toolongvalue');
    expect(infoLine('Security DOI:', '')).toBe('Security DOI:   \n');
  });
});

describe('sizes', () => {
  it('picks the largest binary unit below the value (vshPrettyCapacity)', () => {
    expect(prettyCapacity(0)).toEqual({ value: 0, unit: 'B' });
    expect(prettyCapacity(1023)).toEqual({ value: 1023, unit: 'B' });
    expect(prettyCapacity(1024)).toEqual({ value: 1, unit: 'KiB' });
    expect(prettyCapacity(107374182400)).toEqual({ value: 100, unit: 'GiB' });
    expect(prettyCapacity(2n ** 62n)).toEqual({ value: 4, unit: 'EiB' });
    expect(formatCapacity(0)).toBe('0.00 B');
    expect(formatCapacity(1073741824)).toBe('1.00 GiB');
    expect(formatCapacity(1536 * 1024 * 1024, 3)).toBe('1.500 GiB');
  });

  it('parses scaled integers like virsh (virshVolSize)', () => {
    expect(parseScaledSize('1G')).toBe(1073741824n);
    expect(parseScaledSize('1GiB')).toBe(1073741824n);
    expect(parseScaledSize('1gb')).toBe(1000000000n);
    expect(parseScaledSize('1KB')).toBe(1000n);
    expect(parseScaledSize('1b')).toBe(1n);
    // libvirt's virScaleInteger also knows the words (virsh 9.0 creates a 1-byte volume for `1bytes`).
    expect(parseScaledSize('1bytes')).toBe(1n);
    expect(parseScaledSize('2byte')).toBe(2n);
    expect(parseScaledSize('1e')).toBe(1152921504606846976n);
    expect(parseScaledSize(' +5')).toBe(5n);
    expect(parseScaledSize('18446744073709551615')).toBe(18446744073709551615n);
  });

  it('refuses what is not a number, silently, and bad units or overflow with libvirt errors', () => {
    expect(parseScaledSize('-5')).toBeNull();
    expect(parseScaledSize(' -5')).toBeNull();
    expect(parseScaledSize('')).toBeNull();
    expect(parseScaledSize('G')).toBeNull();
    expect(parseScaledSize('18446744073709551616')).toBeNull();
    expect(() => parseScaledSize('1Q')).toThrow("invalid argument: unknown suffix 'Q'");
    expect(() => parseScaledSize('1.5G')).toThrow("invalid argument: unknown suffix '.5G'");
    expect(() => parseScaledSize('0x10')).toThrow("invalid argument: unknown suffix 'x10'");
    expect(() => parseScaledSize('1Gx')).toThrow("invalid argument: unknown suffix 'Gx'");
    expect(() => parseScaledSize('20E')).toThrow('numerical overflow: value too large: 20E');
  });
});

describe('tables (vshTable)', () => {
  it('lays out the header, a rule of dashes and the rows', () => {
    expect(formatTable(['Id', 'Name', 'State'], [['1', 'test', 'running']])).toBe(
      ' Id   Name   State\n----------------------\n 1    test   running\n',
    );
  });

  it('sizes columns from the header when there are no rows', () => {
    expect(formatTable(['Name', 'Path'], [])).toBe(' Name   Path\n--------------\n');
  });

  it('drops header and rule in quiet mode and sizes columns from the rows alone', () => {
    expect(formatTable(['Id', 'Name', 'State'], [['1', 'test', 'running']], false)).toBe(' 1   test   running\n');
  });

  it('counts wide characters as two columns', () => {
    expect(formatTable(['Name', 'X'], [['日本', 'y']])).toBe(' Name   X\n-----------\n 日本   y\n');
  });
});

describe('progress figures', () => {
  it('follows virsh (100 minus the share remaining, truncated) but never reaches 100 while running', () => {
    expect(runningPercent(0, 100)).toBe(0);
    expect(runningPercent(45, 100)).toBe(45);
    expect(runningPercent(999, 1000)).toBe(99);
    expect(runningPercent(100, 100)).toBe(99);
    expect(runningPercent(1, 3)).toBe(33);
  });

  it('writes durations as m:ss or h:mm:ss, rounded up', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(1)).toBe('0:01');
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(3_600_000 + 5_000)).toBe('1:00:05');
  });
});
