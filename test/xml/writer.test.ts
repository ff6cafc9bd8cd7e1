import { describe, expect, it } from 'vitest';
import { escapeXml, XmlWriter } from '../../src/ts/xml/index.js';

describe('XmlWriter', () => {
  it('writes libvirt-style XML: two-space indent, single quotes, skipped undefined attributes', () => {
    const w = new XmlWriter();
    w.open('domain', [['type', 'test'], ['id', undefined]]);
    w.text('name', 'a<b', [['unit', 'x']]).text('title', undefined).empty('boot', [['dev', 'hd']]);
    w.block('graphics', [['type', 'vnc']], (inner) => inner.empty('listen', [['type', 'address']]));
    w.block('address', [['type', 'pci']], () => {});
    w.open('devices').close('devices');
    w.close('domain');
    expect(w.toString()).toBe(
      "<domain type='test'>\n  <name unit='x'>a&lt;b</name>\n  <boot dev='hd'/>\n  <graphics type='vnc'>\n    <listen type='address'/>\n" +
        "  </graphics>\n  <address type='pci'/>\n  <devices>\n  </devices>\n</domain>\n",
    );
  });

  it('escapes the five characters libvirt escapes, and only those', () => {
    expect(escapeXml(`<>&'"\t\n\r é`)).toBe('&lt;&gt;&amp;&apos;&quot;\t\n\r é');
  });
});
