import { describe, expect, it } from 'vitest';
import { copyDomainDef, formatDomainXML, parseDomainXML } from '../../src/ts/conf/domain.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { expected, label, loadCases, outcome } from './fixtures.js';

const cases = loadCases('domains.json');
const define = (xml: string) => formatDomainXML(parseDomainXML(xml), { inactive: true });

describe('domains as libvirt 9.0 defines them (fixture from the real test driver)', () => {
  const exact = cases.filter((c) => c.difference === undefined);
  it.each(exact.map((c) => [label(c.xml), c] as const))('%s', (_name, c) => {
    expect(outcome(c.xml, define)).toEqual(expected(c));
  });

  // Elements tsvirt does not model are dropped; the rest of the definition must still be accepted or refused
  // as libvirt does.
  const partial = cases.filter((c) => c.difference !== undefined);
  it.each(partial.map((c) => [label(c.xml), c] as const))('%s (not modelled)', (_name, c) => {
    expect('xml' in outcome(c.xml, define)).toBe('xml' in c.expect);
  });
});

describe('transcripts', () => {
  it('03-dumpxml: the built-in test domain prints back unchanged, live id included', () => {
    const xml = `<domain type='test' id='1'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='i686'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default'/>
      <target dev='testnet0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
    </interface>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </memballoon>
  </devices>
</domain>
`;
    expect(formatDomainXML(parseDomainXML(xml), { id: 1 })).toBe(xml);
  });

  it('14-define-start: vm1.xml as dumpxml shows it', () => {
    const def = parseDomainXML(
      "<domain type='test'>\n  <name>vm1</name>\n  <memory unit='MiB'>512</memory>\n  <vcpu>1</vcpu>\n  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n</domain>\n",
    );
    def.uuid = '6833f62b-36d4-455c-b143-b16340f936b1';
    expect(formatDomainXML(def)).toBe(`<domain type='test'>
  <name>vm1</name>
  <uuid>6833f62b-36d4-455c-b143-b16340f936b1</uuid>
  <memory unit='KiB'>524288</memory>
  <currentMemory unit='KiB'>524288</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
  </devices>
</domain>
`);
  });
});

describe('formatDomainXML', () => {
  const vm1 = "<domain type='test'><name>vm1</name><memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";

  it('prints the live id unless the inactive configuration is asked for', () => {
    const def = parseDomainXML(vm1);
    expect(formatDomainXML(def, { id: 2 }).split('\n')[0]).toBe("<domain type='test' id='2'>");
    expect(formatDomainXML(def, { id: 2, inactive: true }).split('\n')[0]).toBe("<domain type='test'>");
    expect(formatDomainXML(def).split('\n')[0]).toBe("<domain type='test'>");
  });

  it('prints what the driver changed', () => {
    const def = parseDomainXML(vm1);
    def.currentMemory = 1024;
    def.vcpus = 4;
    const xml = formatDomainXML(def);
    expect(xml).toContain("<currentMemory unit='KiB'>1024</currentMemory>");
    expect(xml).toContain("<vcpu placement='static'>4</vcpu>");
  });

  it('gives each new domain its own UUID and each new interface its own MAC', () => {
    const xml = "<domain type='test'><name>a</name><memory>1</memory><os><type>hvm</type></os><devices><interface type='user'/></devices></domain>";
    const [a, b] = [parseDomainXML(xml), parseDomainXML(xml)];
    expect(a.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.uuid).not.toBe(b.uuid);
    expect(a.devices.interfaces[0]!.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(a.devices.interfaces[0]!.mac).not.toBe(b.devices.interfaces[0]!.mac);
  });
});

describe('copyDomainDef', () => {
  it('reorders disks as libvirt does when it copies a definition', () => {
    // testdomfv0.xml: the floppy moves behind the CD-ROM once the buses are written out.
    const xml = `<domain type='test'><name>fv0</name><memory>524288</memory><os><type>hvm</type></os><devices>
      <disk type='file'><source file='/root/fv0'/><target dev='hda'/></disk>
      <disk type='file' device='cdrom'><source file='/root/fc5-x86_64-boot.iso'/><target dev='hdc'/><readonly/></disk>
      <disk type='file' device='floppy'><source file='/root/fd.img'/><target dev='fda'/></disk></devices></domain>`;
    const def = parseDomainXML(xml);
    expect(def.devices.disks.map((d) => d.target.dev)).toEqual(['hda', 'fda', 'hdc']);
    const copy = copyDomainDef(def);
    expect(copy.devices.disks.map((d) => d.target.dev)).toEqual(['hda', 'hdc', 'fda']);
    expect(copy.uuid).toBe(def.uuid);
    expect(copy).not.toBe(def);
  });
});

describe('errors', () => {
  function errorOf(xml: string): VirError {
    try {
      parseDomainXML(xml);
    } catch (err) {
      if (err instanceof VirError) return err;
      throw err;
    }
    throw new Error('no error');
  }

  it('reproduce transcript 25', () => {
    const cases: [string, ErrorNumber, ErrorDomain, string][] = [
      ["<domain type='test'>\n  <memory>1024</memory>\n</domain>\n", ErrorNumber.VIR_ERR_NO_NAME, ErrorDomain.VIR_FROM_DOMAIN, 'missing name information'],
      ['<domain>\n  <name>x</name>\n</domain>\n', ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_DOMAIN, 'internal error: missing domain type attribute'],
      ["<domain type='test'><name>y</name><memory>abc</memory></domain>\n", ErrorNumber.VIR_ERR_XML_ERROR, ErrorDomain.VIR_FROM_DOMAIN, 'XML error: an os <type> must be specified'],
      ['<network><name>n</name></network>\n', ErrorNumber.VIR_ERR_XML_ERROR, ErrorDomain.VIR_FROM_XML, "XML error: expecting root element of 'domain', not 'network'"],
    ];
    for (const [xml, code, domain, message] of cases) {
      const err = errorOf(xml);
      expect([err.code, err.domain, err.message]).toEqual([code, domain, message]);
    }
  });

  it('report malformed XML with libxml2 wording', () => {
    const err = errorOf("<domain type='test'><name>b</name><memory>1024</domain>");
    expect(err.code).toBe(ErrorNumber.VIR_ERR_XML_DETAIL);
    expect(err.domain).toBe(ErrorDomain.VIR_FROM_DOMAIN);
    expect(err.message).toBe(
      "(domain_definition):1: Opening and ending tag mismatch: memory line 1 and domain\n<domain type='test'><name>b</name><memory>1024</domain>\n-------------------------------------------------------^",
    );
  });
});
