import { describe, expect, it } from 'vitest';
import {
  formatPoolXML,
  formatVolumeXML,
  parsePoolXML,
  parseVolumeXML,
  placeVolumeInPool,
  sanitizePath,
  type PoolDef,
} from '../../src/ts/conf/storage.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { expected, label, loadCases, outcome } from './fixtures.js';

/** What the test driver does to a pool on define: its fixed size. */
function definePool(xml: string): string {
  const def = parsePoolXML(xml);
  Object.assign(def, { capacity: 107374182400, allocation: 0, available: 107374182400 });
  return formatPoolXML(def);
}

/** What the test driver does to a new volume in default-pool: the path and key it gives it. */
function createVolume(xml: string): string {
  const vol = parseVolumeXML(xml);
  placeVolumeInPool(vol, { target: { path: '/default-pool' } } as PoolDef);
  return formatVolumeXML(vol);
}

for (const [file, run] of [['pools.json', definePool], ['volumes.json', createVolume]] as const) {
  describe(`${file} (fixture from the real test driver)`, () => {
    const cases = loadCases(file);
    const exact = cases.filter((c) => c.difference === undefined);
    it.each(exact.map((c) => [label(c.xml), c] as const))('%s', (_name, c) => {
      expect(outcome(c.xml, run)).toEqual(expected(c));
    });
    const partial = cases.filter((c) => c.difference !== undefined);
    it.each(partial.map((c) => [label(c.xml), c] as const))('%s (not modelled)', (_name, c) => {
      expect('xml' in outcome(c.xml, run)).toBe('xml' in c.expect);
    });
  });
}

describe('storage definitions', () => {
  it('reproduce transcript 08 (pool-dumpxml default-pool)', () => {
    const xml =
      "<pool type='dir'>\n  <name>default-pool</name>\n  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n" +
      "  <capacity unit='bytes'>107374182400</capacity>\n  <allocation unit='bytes'>0</allocation>\n" +
      "  <available unit='bytes'>107374182400</available>\n  <source>\n  </source>\n  <target>\n    <path>/default-pool</path>\n" +
      '  </target>\n</pool>\n';
    expect(formatPoolXML(parsePoolXML(xml))).toBe(xml);
  });

  it('reproduce transcript 16 (vol-create-as default-pool v1 1G)', () => {
    const vol = parseVolumeXML("<volume><name>v1</name><capacity unit='bytes'>1073741824</capacity></volume>");
    placeVolumeInPool(vol, parsePoolXML("<pool type='dir'><name>p</name><target><path>/default-pool</path></target></pool>"));
    expect(formatVolumeXML(vol)).toBe(
      "<volume type='file'>\n  <name>v1</name>\n  <key>/default-pool/v1</key>\n  <capacity unit='bytes'>1073741824</capacity>\n" +
        "  <allocation unit='bytes'>1073741824</allocation>\n  <target>\n    <path>/default-pool/v1</path>\n" +
        "    <format type='raw'/>\n  </target>\n</volume>\n",
    );
  });

  it('sanitise paths as libvirt does', () => {
    expect(sanitizePath('/a//b/')).toBe('/a/b');
    expect(sanitizePath('//a///b')).toBe('//a/b');
    expect(sanitizePath('///a')).toBe('/a');
    expect(sanitizePath('/')).toBe('/');
  });

  it('fail with libvirt errors in the storage domain', () => {
    try {
      parseVolumeXML('<volume><name>v</name></volume>');
      expect.unreachable();
    } catch (err) {
      const e = err as VirError;
      expect([e.code, e.domain, e.message]).toEqual([
        ErrorNumber.VIR_ERR_XML_ERROR,
        ErrorDomain.VIR_FROM_STORAGE,
        'XML error: missing capacity element',
      ]);
    }
    expect(() => parsePoolXML("<pool type='dir'><name>p</name></pool")).toThrow(/^\(storage_pool_definition\):1: /);
    expect(() => parseVolumeXML('<volume>')).toThrow(/^\(storage_volume_definition\):1: Premature end of data/);
  });
});
