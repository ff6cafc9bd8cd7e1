import { describe, expect, it } from 'vitest';
import { formatBitmap, parseBitmap } from '../../src/ts/conf/bitmap.js';
import { isMulticastMac, parseMac } from '../../src/ts/conf/mac.js';
import { parseULongLong, parseVirshSize, scaleInteger, ULLONG_MAX } from '../../src/ts/conf/units.js';
import { generateUUID, parseUUID } from '../../src/ts/conf/uuid.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';

function errorOf(fn: () => unknown): VirError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VirError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('scaled integers', () => {
  it('scale by binary and decimal units, in any case', () => {
    expect(scaleInteger(1n, 'G', 1n, ULLONG_MAX)).toBe(1073741824n);
    expect(scaleInteger(1n, 'GiB', 1n, ULLONG_MAX)).toBe(1073741824n);
    expect(scaleInteger(1n, 'GB', 1n, ULLONG_MAX)).toBe(1000000000n);
    expect(scaleInteger(1n, 'kib', 1n, ULLONG_MAX)).toBe(1024n);
    expect(scaleInteger(7n, 'bytes', 1024n, ULLONG_MAX)).toBe(7n);
    expect(scaleInteger(7n, 'B', 1024n, ULLONG_MAX)).toBe(7n);
    expect(scaleInteger(7n, '', 1024n, ULLONG_MAX)).toBe(7168n);
    expect(scaleInteger(1n, 'E', 1n, ULLONG_MAX)).toBe(2n ** 60n);
    expect(scaleInteger(0n, 'E', 1n, 1n)).toBe(0n);
  });

  it('refuse unknown units and overflows with libvirt errors', () => {
    for (const suffix of ['Q', 'KX', 'KiBB', 'iB']) {
      const err = errorOf(() => scaleInteger(1n, suffix, 1n, ULLONG_MAX));
      expect([err.code, err.domain, err.message]).toEqual([ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `invalid argument: unknown suffix '${suffix}'`]);
    }
    const err = errorOf(() => scaleInteger(16n, 'E', 1n, ULLONG_MAX));
    expect([err.code, err.message]).toEqual([ErrorNumber.VIR_ERR_OVERFLOW, 'numerical overflow: value too large: 16E']);
  });

  it('read numbers as strtoull does', () => {
    expect(parseULongLong(' +10')).toBe(10n);
    expect(parseULongLong('010')).toBe(10n);
    expect(parseULongLong('-1')).toBeNull();
    expect(parseULongLong('1 ')).toBeNull();
    expect(parseULongLong('0x10')).toBeNull();
    expect(parseULongLong('18446744073709551615')).toBe(ULLONG_MAX);
    expect(parseULongLong('18446744073709551616')).toBeNull();
  });

  it('parse virsh sizes as transcript 27 shows', () => {
    expect(parseVirshSize('1G')).toBe(1073741824n);
    expect(parseVirshSize('200G')).toBe(214748364800n);
    expect(parseVirshSize('512')).toBe(512n);
    expect(parseVirshSize('-5')).toBeNull();
    expect(parseVirshSize('G')).toBeNull();
    expect(errorOf(() => parseVirshSize('1Q')).message).toBe("invalid argument: unknown suffix 'Q'");
  });
});

describe('UUIDs', () => {
  it('accept libvirt forms and print the canonical one', () => {
    const canonical = '4dea22b3-1d52-d8f3-2516-782e98ab3fa0';
    for (const text of ['4dea22b31d52d8f32516782e98ab3fa0', '4DEA22B3-1D52-D8F3-2516-782E98AB3FA0', ' 4d-ea22b31d52d8f3251678-2e98ab3fa0 ', '4dea22b3 1d52d8f32516782e98ab3fa0']) {
      expect(parseUUID(text)).toBe(canonical);
    }
  });

  it('refuse anything else', () => {
    for (const text of ['', 'zz', '4dea22b31d52d8f32516782e98ab3fa', '4dea22b31d52d8f32516782e98ab3fa00', '4-dea22b31d52d8f32516782e98ab3fa0', '{4dea22b3-1d52-d8f3-2516-782e98ab3fa0}']) {
      expect(parseUUID(text)).toBeNull();
    }
  });

  it('generate random version 4 UUIDs that parse back to themselves', () => {
    const a = generateUUID();
    expect(parseUUID(a)).toBe(a);
    expect(a).not.toBe(generateUUID());
  });
});

describe('MAC addresses and CPU sets', () => {
  it('parse MACs as libvirt does', () => {
    expect(parseMac('AA:BB:CC:DD:EE:FF')).toBe('aa:bb:cc:dd:ee:ff');
    expect(parseMac('a:b:c:d:e:f')).toBe('0a:0b:0c:0d:0e:0f');
    expect(parseMac('aa:bb:cc:dd:ee:ff\n')).toBe('aa:bb:cc:dd:ee:ff');
    expect(parseMac('aa:bb:cc:dd:ee')).toBeNull();
    expect(parseMac('aa:bb:cc:dd:ee:ff:00')).toBeNull();
    expect(parseMac('aaa:bb:cc:dd:ee:ff')).toBeNull();
    expect(isMulticastMac('01:00:00:00:00:00')).toBe(true);
    expect(isMulticastMac('52:54:00:00:00:00')).toBe(false);
  });

  it('parse and print CPU sets', () => {
    expect(formatBitmap(parseBitmap('0-1,^1,3'))).toBe('0,3');
    expect(formatBitmap(parseBitmap(' 4-6, 0 ,2'))).toBe('0,2,4-6');
    expect(parseBitmap('16383')).toEqual([16383]);
    for (const bad of ['x', '3-1', '^1-2', '', '1,,2', '16384', '0-3,^0-1']) {
      expect(errorOf(() => parseBitmap(bad)).message).toBe(`invalid argument: Failed to parse bitmap '${bad}'`);
    }
  });
});
