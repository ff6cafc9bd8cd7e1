import { describe, expect, it } from 'vitest';
import { formatDomainXML, parseDomainXML } from '../../src/ts/conf/domain.js';
import { MAX_IMPLICIT_CONTROLLERS, MAX_IOTHREADS } from '../../src/ts/conf/domain-defaults.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';

/**
 * Counts in a definition that size a loop or an allocation. The wording where libvirt 9.0 has one was measured
 * with python3-libvirt on the test driver; where libvirt itself crashes or never finishes, tsvirt refuses.
 * Tests with many devices fail by running into their (generous) time limit when a step is quadratic.
 */
const HEAD = "<domain type='test'><name>x1</name><memory>1024</memory><os><type>hvm</type></os>";
const define = (body: string) => formatDomainXML(parseDomainXML(`${HEAD}${body}</domain>`), { inactive: true });
const HANG_BUDGET_MS = 60_000;

function refusal(body: string): { code: number; domain: number; message: string } {
  try {
    define(body);
  } catch (err) {
    if (!(err instanceof VirError)) throw err;
    return { code: err.code, domain: err.domain, message: err.message };
  }
  throw new Error('accepted');
}

describe('iothreads', () => {
  it('the largest count fails as in libvirt, where the id map size wraps', () => {
    expect(refusal('<iothreads>4294967295</iothreads>')).toEqual({
      code: ErrorNumber.VIR_ERR_INTERNAL_ERROR,
      domain: ErrorDomain.VIR_FROM_DOMAIN,
      message: 'internal error: failed to populate iothreadids',
    });
  });

  it('a count libvirt crashes on is refused at once', () => {
    expect(refusal('<iothreads>4294967294</iothreads>')).toEqual({
      code: ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
      domain: ErrorDomain.VIR_FROM_DOMAIN,
      message: `unsupported configuration: iothreads count 4294967294 exceeds the limit of ${MAX_IOTHREADS}`,
    });
  });

  it('the limit itself is accepted, with ids filled around the explicit ones', () => {
    const xml = define(`<iothreads>${MAX_IOTHREADS}</iothreads><iothreadids><iothread id='3'/></iothreadids>`);
    expect(xml).toContain(`<iothreads>${MAX_IOTHREADS}</iothreads>`);
    const ids = [...xml.matchAll(/<iothread id='(\d+)'\/>/g)].map((m) => Number(m[1]));
    expect(ids.length).toBe(MAX_IOTHREADS);
    expect(new Set(ids).size).toBe(MAX_IOTHREADS);
    expect(ids[0]).toBe(3);
  });

  it('many explicit ids are checked for duplicates in linear time', () => {
    const n = 15000;
    const ids = Array.from({ length: n }, (_, i) => `<iothread id='${i + 1}'/>`).join('');
    expect(define(`<iothreadids>${ids}</iothreadids>`)).toContain(`<iothreads>${n}</iothreads>`);
    expect(refusal(`<iothreadids>${ids}<iothread id='${n}'/></iothreadids>`).message).toBe(
      `XML error: duplicate iothread id '${n}' found`,
    );
  }, HANG_BUDGET_MS);
});

describe('controllers implied by drive addresses', () => {
  const scsiDisk = (address: string, dev = 'sda') =>
    `<devices><disk type='file' device='disk'><source file='/x'/><target dev='${dev}' bus='scsi'/>${address}</disk></devices>`;

  it('an address past an int adds no controllers, as in libvirt (which keeps the index in an int)', () => {
    const xml = define(scsiDisk("<address type='drive' controller='4294967295' bus='0' target='0' unit='0'/>"));
    expect(xml.includes("<controller type='scsi'")).toBe(false);
  });

  it('an address needing more controllers than the limit is refused (libvirt takes 14 s for 100000)', () => {
    expect(refusal(scsiDisk("<address type='drive' controller='100000' bus='0' target='0' unit='0'/>"))).toEqual({
      code: ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
      domain: ErrorDomain.VIR_FROM_DOMAIN,
      message: `unsupported configuration: drive address needs scsi controller 100000, more than the limit of ${MAX_IMPLICIT_CONTROLLERS} controllers`,
    });
  });

  it('a disk name whose index implies too many controllers is refused (libvirt never finishes)', () => {
    expect(refusal(scsiDisk('', 'sdzzzzz')).code).toBe(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED);
  });

  it('a disk name past an int has no index at all', () => {
    const dev = `sd${'z'.repeat(40)}`;
    expect(refusal(scsiDisk('', dev)).message).toBe(`XML error: Unknown disk name '${dev}' and no address specified`);
  });

  it('controllers up to the limit are all added', () => {
    const last = MAX_IMPLICIT_CONTROLLERS - 1;
    const xml = define(scsiDisk(`<address type='drive' controller='${last}' bus='0' target='0' unit='0'/>`));
    expect(xml.match(/<controller type='scsi'/g)?.length).toBe(MAX_IMPLICIT_CONTROLLERS);
  }, HANG_BUDGET_MS);
});

describe('many devices are numbered and ordered in linear time', () => {
  const n = 20000;

  const scsiIndices = (xml: string) => [...xml.matchAll(/<controller type='scsi' index='(\d+)'/g)].map((m) => Number(m[1]));

  it('controllers without an index follow the last of their type and take the lowest free index', () => {
    // libvirt 9.0 prints 1, 0, 2 for this (a controller without an index is placed before it gets one).
    const unnumbered = "<controller type='scsi'/>";
    expect(scsiIndices(define(`<devices><controller type='scsi' index='1'/>${unnumbered}${unnumbered}</devices>`))).toEqual([1, 0, 2]);
    // ... and a numbered one before the first of its type with a higher number (libvirt 9.0: 1, 2, 3, 0).
    const mixed = `<controller type='scsi' index='3'/>${unnumbered}<controller type='scsi' index='2'/><controller type='scsi' index='1'/>`;
    expect(scsiIndices(define(`<devices>${mixed}</devices>`))).toEqual([1, 2, 3, 0]);
  });

  it('thousands of controllers without an index are placed and numbered', () => {
    const xml = define(`<devices><controller type='scsi' index='1'/>${"<controller type='scsi'/>".repeat(n)}</devices>`);
    expect(scsiIndices(xml)).toEqual([1, 0, ...Array.from({ length: n - 1 }, (_, i) => i + 2)]);
  }, HANG_BUDGET_MS);

  it('interfaces get testnet names not taken by another', () => {
    const named = "<interface type='network'><source network='default'/><target dev='testnet1'/></interface>";
    const unnamed = "<interface type='network'><source network='default'/></interface>";
    const xml = define(`<devices>${unnamed}${named}${unnamed.repeat(n)}</devices>`);
    const names = [...xml.matchAll(/<target dev='testnet(\d+)'\/>/g)].map((m) => Number(m[1]));
    expect(names.slice(0, 3)).toEqual([0, 1, 2]);
    expect(new Set(names).size).toBe(n + 2);
  }, HANG_BUDGET_MS);

  it('serial ports beyond what fits in one call of Math.max are numbered', () => {
    const count = 200_000;
    const xml = define(`<devices>${"<serial type='pty'/>".repeat(count)}</devices>`);
    expect(xml.includes(`<target port='${count - 1}'/>`)).toBe(true);
  }, HANG_BUDGET_MS);
});
