import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { parseXml, type XmlElement } from '../../src/ts/xml/index.js';

interface Recipe {
  prefix: string;
  repeat: string;
  count: number;
  suffix: string;
}
interface ErrorCase {
  doc?: string;
  gen?: Recipe;
  /** libvirt's message, null when libxml2 accepted the document, or a digest for generated documents. */
  expect: string | null | { firstLine: string; sha256: string };
  /** Set where tsvirt knowingly differs from libvirt: it must still answer with a result or a VirError. */
  difference?: string;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/conf/xml-errors.json', import.meta.url), 'utf8')) as {
  cases: ErrorCase[];
};

const opts = { docName: 'domain_definition', errorDomain: ErrorDomain.VIR_FROM_DOMAIN };

/** The message parseXml gives for a document, or null when it parses. */
function messageOf(doc: string): string | null {
  try {
    parseXml(doc, opts);
    return null;
  } catch (err) {
    if (!(err instanceof VirError)) throw err;
    return err.message;
  }
}

function build(c: ErrorCase): string {
  return c.doc ?? c.gen!.prefix + c.gen!.repeat.repeat(c.gen!.count) + c.gen!.suffix;
}

function parse(doc: string): XmlElement {
  return parseXml(doc, opts);
}

describe('libxml2 error compatibility (fixture from real libvirt)', () => {
  const written = fixture.cases.filter((c) => c.doc !== undefined);
  it.each(written.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    if (c.difference === undefined) expect(messageOf(c.doc!)).toBe(c.expect);
    else expect(() => messageOf(c.doc!)).not.toThrow();
  });

  const generated = fixture.cases.filter((c) => c.gen !== undefined);
  it.each(generated.map((c) => [c.gen!.prefix + c.gen!.repeat + ` x${c.gen!.count}`, c] as const))('generated %s', (_name, c) => {
    const message = messageOf(build(c));
    if (c.expect === null || typeof c.expect === 'string') expect(message).toBe(c.expect);
    else {
      expect(message?.split('\n')[0]).toBe(c.expect.firstLine);
      expect(createHash('sha256').update(message!).digest('hex')).toBe(c.expect.sha256);
    }
  });
});

describe('errors', () => {
  it('are VIR_ERR_XML_DETAIL in the caller error domain', () => {
    const err = (() => {
      try {
        parseXml('<network><name>x</network>', { docName: 'network_definition', errorDomain: ErrorDomain.VIR_FROM_NETWORK });
      } catch (e) {
        return e as VirError;
      }
    })();
    expect(err).toBeInstanceOf(VirError);
    expect(err!.code).toBe(ErrorNumber.VIR_ERR_XML_DETAIL);
    expect(err!.domain).toBe(ErrorDomain.VIR_FROM_NETWORK);
    expect(err!.message).toBe(
      '(network_definition):1: Opening and ending tag mismatch: name line 1 and network\n<network><name>x</network>\n--------------------------^',
    );
  });

  it('name a file by its path, without parentheses', () => {
    expect(() => parseXml('<node>\n<cpu>\n</node>', { docName: '/etc/x/node.xml', errorDomain: ErrorDomain.VIR_FROM_TEST })).toThrow(
      '/etc/x/node.xml:3: Opening and ending tag mismatch: cpu line 2 and node\n</node>\n-------^',
    );
  });

  it('reproduce transcript 21 (malformed.xml)', () => {
    const doc = "<domain type='test'>\n  <name>broken</name>\n  <memory>1024\n</domain>\n";
    expect(messageOf(doc)).toBe(
      '(domain_definition):4: Opening and ending tag mismatch: memory line 3 and domain\n</domain>\n---------^',
    );
  });

  it('count caret columns in UTF-8 bytes and keep tabs', () => {
    expect(messageOf('<domain>\n\t<name>é</nme>\n</domain>')).toBe(
      '(domain_definition):2: Opening and ending tag mismatch: name line 2 and nme\n\t<name>é</nme>\n\t--------------^',
    );
  });

  it('print an empty source line as (null), as libvirt does', () => {
    expect(messageOf('')).toBe('(domain_definition):1: Document is empty\n(null)\n^');
    expect(messageOf('<domain>\n')).toBe('(domain_definition):2: Premature end of data in tag domain line 1\n(null)\n^');
  });

  it('report errors inside an entity at its own lines', () => {
    expect(messageOf('<!DOCTYPE d [<!ENTITY e "a<b">]><domain>&e;</domain>')).toBe(
      "at line 1: Couldn't find end of Start Tag b line 1\na<b\n---^",
    );
  });
});

describe('document model', () => {
  const doc = parse(
    "<?xml version='1.0'?>\n<!-- c -->\n<domain type='test' id=\"3\">\n  <name>a&amp;b</name>\n  <devices>\n" +
      "    <disk type='file'/>\n    <disk type='block'><source dev='/dev/sda'/></disk>\n  </devices>\n" +
      '  <description>x<![CDATA[<y>]]>&#65;&#x42;<?pi ignored?><!-- gone -->z</description>\n</domain>\n',
  );

  it('gives names, attributes and lines', () => {
    expect(doc.name).toBe('domain');
    expect(doc.line).toBe(3);
    expect(doc.attr('type')).toBe('test');
    expect(doc.attr('id')).toBe('3');
    expect(doc.attr('missing')).toBeUndefined();
    expect([...doc.attrs.keys()]).toEqual(['type', 'id']);
    expect(doc.children.map((c) => c.name)).toEqual(['name', 'devices', 'description']);
    expect(doc.child('devices')!.line).toBe(5);
  });

  it('finds children by name', () => {
    const devices = doc.child('devices')!;
    expect(devices.childrenNamed('disk').map((d) => d.attr('type'))).toEqual(['file', 'block']);
    expect(devices.child('disk')!.attr('type')).toBe('file');
    expect(devices.child('nothing')).toBeUndefined();
    expect(devices.childrenNamed('nothing')).toEqual([]);
  });

  it('gives text with references, CDATA and descendants, without comments or PIs', () => {
    expect(doc.childText('name')).toBe('a&b');
    expect(doc.childText('description')).toBe('x<y>ABz');
    expect(doc.child('devices')!.text()).toBe('\n    \n    \n  ');
    expect(doc.childText('nothing')).toBeUndefined();
  });

  it('normalises attribute white space and line ends', () => {
    const el = parse('<a x="1\t2\n3" y="4&#10;5">l1\r\nl2\rl3</a>');
    expect(el.attr('x')).toBe('1 2 3');
    expect(el.attr('y')).toBe('4\n5');
    expect(el.text()).toBe('l1\nl2\nl3');
  });

  it('keeps prefixed names whole', () => {
    const el = parse("<domain xmlns:test='urn:t'><test:runstate>5</test:runstate></domain>");
    expect(el.children[0]!.name).toBe('test:runstate');
    expect(el.attr('xmlns:test')).toBe('urn:t');
  });

  it('skips a byte order mark and stops at a NUL, as libvirt passes C strings', () => {
    expect(parse('\ufeff<a/>').name).toBe('a');
    expect(parse('<a/>\0<<garbage').name).toBe('a');
  });

  it('expands internal entities, in content and attributes', () => {
    const el = parse('<!DOCTYPE a [<!ENTITY e "v&amp;w"><!ENTITY f "&e;!">]><a x="&f;">&f;</a>');
    expect(el.text()).toBe('v&w!');
    expect(el.attr('x')).toBe('v&w!');
  });

  it('lets undeclared entities pass when an external subset may declare them', () => {
    expect(parse('<!DOCTYPE a SYSTEM "a.dtd"><a>x&undeclared;y</a>').text()).toBe('xy');
    expect(messageOf('<a>x&undeclared;y</a>')).toBe("(domain_definition):1: Entity 'undeclared' not defined\n<a>x&undeclared;y</a>\n----------------^");
  });

  it('never reads external entities', () => {
    expect(parse('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>').text()).toBe('');
  });
});

// What the parser answers; how fast it answers is bench/xml-hostile.mjs's figure (a hang still fails here).
describe('hostile input', () => {
  it('refuses deep nesting without exhausting the stack', () => {
    const doc = '<a>'.repeat(1_000_000);
    const message = messageOf(doc)!;
    expect(message.split('\n')[0]).toBe('(domain_definition):1: Excessive depth in document: 256 use XML_PARSE_HUGE option');
  });

  it('stops billion laughs', () => {
    const ents =
      '<!ENTITY lol0 "lol">' + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const doc = `<!DOCTYPE d [${ents}]><d a="x">&lol9;</d>`;
    const message = messageOf(doc)!;
    expect(message.split('\n')[0]).toBe('at line 1: Detected an entity reference loop');
    expect(messageOf(`<!DOCTYPE d [${ents}]><d a="&lol9;"/>`)!.split('\n')[0]).toBe(
      '(domain_definition):1: Detected an entity reference loop',
    );
  });

  it('stops quadratic-blowup documents (one big entity used many times)', () => {
    const doc = `<!DOCTYPE d [<!ENTITY big "${'x'.repeat(100_000)}">]><d>${'&big;'.repeat(200)}</d>`;
    const message = messageOf(doc)!;
    expect(message.split('\n')[0]).toBe('(domain_definition):1: Detected an entity reference loop');
  });

  it('detects recursive entities, also through parameter entities', () => {
    expect(messageOf('<!DOCTYPE d [<!ENTITY a "&b;"><!ENTITY b "&a;">]><d>&a;</d>')).toBe(
      'at line 1: Detected an entity reference loop\n&a;\n---^',
    );
    expect(messageOf('<!DOCTYPE d [<!ENTITY % p "&#37;q;"><!ENTITY % q "&#37;p;"> %p;]><d/>')).toBe(
      'at line 1: Detected an entity reference loop\n%p;\n---^',
    );
  });

  it('handles a huge attribute and many attributes', () => {
    const attrs = Array.from({ length: 50_000 }, (_, i) => `a${i}="${i}"`).join(' ');
    expect(parse(`<d ${attrs}/>`).attrs.size).toBe(50_000);
    expect(parse(`<d a="${'y'.repeat(9_000_000)}"/>`).attr('a')!.length).toBe(9_000_000);
  });
});
