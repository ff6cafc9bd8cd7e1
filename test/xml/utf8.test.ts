import { describe, expect, it } from 'vitest';
import { parseDomainXML } from '../../src/ts/conf/domain.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { decodeBytes, encodeBytes } from '../../src/ts/xml/bytes.js';

/**
 * Documents that are not UTF-8, as bytes, with what libvirt 9.0 (libxml2 2.9.14) said for each: measured with
 * `virsh -c test:///default define FILE`. The message holds the offending bytes unchanged, so it is compared
 * as bytes.
 */
const CASES: [string, string][] = [
  // a byte that starts no UTF-8 sequence, in text, an attribute, a comment, a name, CDATA, a PI
  ["<domain type='test'>\n  <name>vm\xff</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    '(domain_definition):2: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x3C 0x2F 0x6E\n  <name>vm\xff</name><memory>1024</memory><os><type>hvm</type></os></domain>\n----------^'],
  ["<domain type='test' a='\xe9t\xe9'>\n <name>vm</name></domain>",
    "(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xE9 0x74 0xE9 0x27\n<domain type='test' a='\xe9t\xe9'>\n-----------------------^"],
  ["<domain type='test'><!-- \xff --></domain>",
    "(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x20 0x2D 0x2D\n<domain type='test'><!-- \xff --></domain>\n-------------------------^"],
  ['<\xffdomain/>', '(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x64 0x6F 0x6D\n<\xffdomain/>\n-^'],
  ["<domain type='test'><n a\xffb='1'>x</n></domain>",
    "(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x62 0x3D 0x27\n<domain type='test'><n a\xffb='1'>x</n></domain>\n------------------------^"],
  ["<domain type='test'><![CDATA[ab\xffcd]]></domain>",
    "(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x63 0x64 0x5D\n<domain type='test'><![CDATA[ab\xffcd]]></domain>\n-------------------------------^"],
  ["<domain type='test'><?pi ab\xffcd?></domain>",
    "(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x63 0x64 0x3F\n<domain type='test'><?pi ab\xffcd?></domain>\n---------------------------^"],
  // a declared encoding changes nothing: libvirt reads every document as UTF-8
  ["<?xml version='1.0' encoding='latin1'?><domain type='test'>\n<name>vm\xe9</name><memory>1024</memory><os><type>hvm</type></os></domain>",
    '(domain_definition):2: Input is not proper UTF-8, indicate encoding !\nBytes: 0xE9 0x3C 0x2F 0x6E\n<name>vm\xe9</name><memory>1024</memory><os><type>hvm</type></os></domain>\n--------^'],
  // overlong and too long sequences
  ['<a>\xc0\xaf</a>', '(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xC0 0xAF 0x3C 0x2F\n<a>\xc0\xaf</a>\n---^'],
  ['<a>\xf8\x80\x80\x80</a>', '(domain_definition):1: Input is not proper UTF-8, indicate encoding !\nBytes: 0xF8 0x80 0x80 0x80\n<a>\xf8\x80\x80\x80</a>\n---^'],
  // well-formed sequences for what is no XML character
  ["<domain type='test'>\n<name>\xed\xa0\x80</name></domain>", '(domain_definition):2: Char 0xD800 out of allowed range\n<name>\xed\xa0\x80</name></domain>\n------^'],
  ["<domain type='test'>\n<name>ab\xf4\x90\x80\x80</name></domain>", '(domain_definition):2: Char 0x110000 out of allowed range\n<name>ab\xf4\x90\x80\x80</name></domain>\n--------^'],
  ["<domain type='test'>\n<name>ab\xef\xbf\xbe</name></domain>", '(domain_definition):2: Char 0xFFFE out of allowed range\n<name>ab\xef\xbf\xbe</name></domain>\n--------^'],
  ["<domain type='test'><n\xef\xbf\xbe>x</n></domain>", "(domain_definition):1: Char 0xFFFE out of allowed range\n<domain type='test'><n\xef\xbf\xbe>x</n></domain>\n----------------------^"],
  // where libxml2 looks at a byte without decoding it, its own error comes first
  ["<domain type='test'><n a='1'\xffb='1'>x</n></domain>", "(domain_definition):1: attributes construct error\n<domain type='test'><n a='1'\xffb='1'>x</n></domain>\n----------------------------^"],
  ['<a>x</a>\xff', '(domain_definition):1: Extra content at the end of the document\n<a>x</a>\xff\n--------^'],
  // within the last four bytes a broken sequence reads as the end of the input
  ['<a>\xc3', '(domain_definition):1: internal error: detected an error in element content\n\n<a>\xc3\n---^'],
  ["<a b='1' \xff/>", "(domain_definition):1: error parsing attribute name\n<a b='1' \xff/>\n---------^"],
];

/** A test string written with \xNN escapes for bytes, as bytes. */
const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('documents that are not UTF-8 are refused with libxml2 2.9.14 error', () => {
  it.each(CASES.map(([doc, message], i) => [i, doc, message] as const))('case %i', (_i, doc, message) => {
    let error: unknown;
    try {
      parseDomainXML(decodeBytes(bytes(doc)));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VirError);
    const e = error as VirError;
    expect([e.code, e.domain]).toEqual([ErrorNumber.VIR_ERR_XML_DETAIL, ErrorDomain.VIR_FROM_DOMAIN]);
    expect(encodeBytes(e.message).toString('latin1')).toBe(message);
  });

  it('a lone surrogate in a JS string is refused like the bytes that would encode it', () => {
    expect(() => parseDomainXML("<domain type='test'><name>a\ud800</name></domain>")).toThrow(/Char 0xD800 out of allowed range/);
  });
});

describe('bytes kept in strings', () => {
  it('round-trips any bytes, and different bytes never decode alike', () => {
    const seen = new Map<string, string>();
    for (let seed = 1; seed < 3000; seed++) {
      const input = Buffer.from(Array.from({ length: seed % 9 }, (_, i) => (seed * 131 + i * 977) & 0xff));
      const text = decodeBytes(input);
      expect(encodeBytes(text).equals(input)).toBe(true);
      const other = seen.get(text);
      if (other !== undefined) expect(other).toBe(input.toString('hex'));
      seen.set(text, input.toString('hex'));
    }
  });

  it('decodes valid UTF-8 as usual', () => {
    expect(decodeBytes(Buffer.from('café ☃ 😀'))).toBe('café ☃ 😀');
    expect(decodeBytes(bytes('caf\xe9'))).toBe('caf\udce9');
    expect(decodeBytes(bytes('\xed\xa0\x80'))).toBe('\udced\udca0\udc80');
  });
});
