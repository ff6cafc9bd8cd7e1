import type { ErrorDomain } from '../errors/index.js';
import { codePointAt, isBlank, isXmlChar, unitLength, utf8Prefix } from './chars.js';
import { firstEscapedByte } from './bytes.js';
import { Dtd, parseDoctype, PREDEFINED, type Entity } from './dtd.js';
import { XmlElement } from './element.js';
import { readCharRef, Scanner } from './scanner.js';

export interface ParseXmlOptions {
  /**
   * What the document is called in error messages. A name such as `domain_definition` is shown in
   * parentheses, `(domain_definition)`, as libvirt shows documents parsed from a string; a file path (starting
   * with `/`) is shown as it is.
   */
  docName: string;
  /** The libvirt error domain of the caller, given to the VIR_ERR_XML_DETAIL errors. */
  errorDomain: ErrorDomain;
}

/** libxml2's limit on open elements, unless told to parse huge documents (libvirt does not). */
const MAX_DEPTH = 256;
/** How many entity texts libxml2 lets expand inside one another before calling it a loop. */
const MAX_ENTITY_DEPTH = 20;
/** libxml2's limit on one attribute value, same condition. */
const MAX_ATTRIBUTE_LENGTH = 10_000_000;

/**
 * Parses a whole document and returns its root element. Well-formedness errors are thrown as
 * VirError(VIR_ERR_XML_DETAIL) with the text libvirt shows for libxml2's first error.
 */
export function parseXml(text: string, opts: ParseXmlOptions): XmlElement {
  // libvirt hands libxml2 a C string: nothing after a NUL exists.
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  // XML end-of-line handling: CR LF and a bare CR both become LF. libxml2 counts lines on the line feeds
  // of the input only, so the breaks that were a bare CR are remembered as not starting a line.
  const bareCr = new Set<number>();
  let removed = 0;
  text = text.replace(/\r\n?/g, (match: string, offset: number) => {
    if (match === '\r') bareCr.add(offset - removed);
    else removed++;
    return '\n';
  });
  const source = opts.docName.startsWith('/') ? opts.docName : `(${opts.docName})`;
  const parser = new XmlParser(text, source, opts.errorDomain, new Dtd());
  parser.uncountedBreaks = bareCr;
  const root = parser.document();
  // libxml2 decodes every character of a document it accepts, so a byte that is not UTF-8 cannot remain.
  const bad = firstEscapedByte(text);
  if (bad >= 0) {
    parser.decode(bad);
    parser.failEncoding(bad);
  }
  return root;
}

class XmlParser extends Scanner {
  constructor(
    text: string,
    source: string | null,
    errorDomain: ErrorDomain,
    private readonly dtd: Dtd,
    /** Parsing an entity's replacement text: libxml2 does that in a context of its own, without the DTD's leniency. */
    private readonly inEntity = false,
  ) {
    super(text, source, errorDomain);
  }

  /** Whether a reference to an undeclared entity is an error here (see Dtd.complete). */
  private get undeclaredIsFatal(): boolean {
    return this.inEntity || this.dtd.complete;
  }

  document(): XmlElement {
    if (this.text.length === 0) this.fail('Document is empty');
    if (this.at() === 0xfeff) this.pos = 1;
    if (this.startsWith('<?xml') && isBlank(this.at(this.pos + 5))) this.xmlDeclaration();
    this.misc();
    if (this.startsWith('<!DOCTYPE')) {
      parseDoctype(this, this.dtd);
      this.misc();
    }
    if (this.at() !== 0x3c) this.fail("Start tag expected, '<' not found");
    const root = this.startTag(undefined);
    if (!root.empty) this.content([root.element], root.element);
    this.misc();
    if (!this.atEnd) this.fail('Extra content at the end of the document');
    return root.element;
  }

  /** `<?xml version=... encoding=... standalone=...?>`, cursor on `<?xml`. */
  private xmlDeclaration(): void {
    this.pos += 5;
    this.skipBlanks();
    if (!this.startsWith('version')) this.fail('Malformed declaration expecting version');
    this.pos += 7;
    const version = this.declarationValue(() => this.versionNumber());
    if (version === null) this.fail('Malformed declaration expecting version');
    if (version !== '1.0' && !version.startsWith('1.')) this.fail(`Unsupported version '${version}'`);
    if (this.endOfDeclaration()) return;

    this.skipBlanks();
    if (this.startsWith('encoding')) {
      this.pos += 8;
      const encoding = this.declarationValue(() => this.encodingName());
      if (!isKnownEncoding(encoding!)) this.fail(`Unsupported encoding ${encoding}`);
      // No blank is demanded here: libxml2 checks only after switching to another encoding than UTF-8.
      if (this.startsWith('?>')) {
        this.pos += 2;
        return;
      }
    }

    this.skipBlanks();
    if (this.startsWith('standalone')) {
      this.pos += 10;
      const standalone = this.declarationValue(() => {
        for (const word of ['yes', 'no']) {
          if (this.startsWith(word)) {
            this.pos += word.length;
            return word;
          }
        }
        this.fail("standalone accepts only 'yes' or 'no'");
      });
      this.dtd.standalone = standalone === 'yes';
    }
    this.skipBlanks();
    if (!this.startsWith('?>')) this.fail("parsing XML declaration: '?>' expected");
    this.pos += 2;
  }

  /** `= "value"` of a pseudo-attribute in the XML declaration, the value read by `read`. */
  private declarationValue(read: () => string | null): string | null {
    this.skipBlanks();
    if (this.at() !== 0x3d) this.fail("expected '='");
    this.pos++;
    this.skipBlanks();
    const quote = this.at();
    if (quote !== 0x22 && quote !== 0x27) this.fail('String not started expecting \' or "');
    this.pos++;
    const value = read();
    if (this.at() !== quote) this.fail('String not closed expecting " or \'');
    this.pos++;
    return value;
  }

  /** After a pseudo-attribute: a blank must follow, or the declaration ends there. Says whether it ended. */
  private endOfDeclaration(): boolean {
    if (isBlank(this.at())) return false;
    if (!this.startsWith('?>')) this.fail('Blank needed here');
    this.pos += 2;
    return true;
  }

  /** `digit '.' digit*`; null (having read what matched) when it does not match, as libxml2 does. */
  private versionNumber(): string | null {
    const start = this.pos;
    if (!isDigit(this.at())) return null;
    this.pos++;
    if (this.at() !== 0x2e) return null;
    this.pos++;
    while (isDigit(this.at())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private encodingName(): string {
    const start = this.pos;
    if (!isAsciiLetter(this.at())) this.fail('Invalid XML encoding name');
    this.pos++;
    for (let c = this.at(); isAsciiLetter(c) || isDigit(c) || c === 0x2e || c === 0x5f || c === 0x2d; c = this.at()) {
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  /** A start tag, cursor on `<`. */
  private startTag(parent: XmlElement | undefined): { element: XmlElement; empty: boolean } {
    const line = this.lineAt(this.pos);
    this.pos++;
    const name = this.name('NCName');
    if (name === null) this.fail('StartTag: invalid element name');
    const element = new XmlElement(name, line);
    this.skipBlanks();
    for (;;) {
      const c = this.at();
      if (c === 0x3e || (c === 0x2f && this.at(this.pos + 1) === 0x3e) || !isByteChar(c)) break;
      const attr = this.name('NCName');
      if (attr === null) this.fail('error parsing attribute name');
      this.skipBlanks();
      if (this.at() !== 0x3d) this.fail(`Specification mandates value for attribute ${attr}`);
      this.pos++;
      this.skipBlanks();
      const value = this.attributeValue();
      if (element.attrs.has(attr)) this.fail(`Attribute ${attr} redefined`);
      element.attrs.set(attr, value);
      const d = this.at();
      if (d === 0x3e || (d === 0x2f && this.at(this.pos + 1) === 0x3e)) break;
      if (this.skipBlanks() === 0) this.fail('attributes construct error');
    }
    element.declareNamespaces(parent);
    if (this.startsWith('/>')) {
      this.pos += 2;
      return { element, empty: true };
    }
    if (this.at() !== 0x3e) this.fail(`Couldn't find end of Start Tag ${localName(name)} line ${line}`);
    this.pos++;
    return { element, empty: false };
  }

  /** A quoted attribute value, references replaced and white space normalised to spaces. */
  private attributeValue(): string {
    const quote = this.at();
    if (quote !== 0x22 && quote !== 0x27) this.fail('AttValue: " or \' expected');
    const quotePos = this.pos;
    this.pos++;
    let value = '';
    let run = this.pos;
    for (;;) {
      if (this.atEnd) this.fail("AttValue: ' expected");
      const c = this.decode(this.pos);
      if (c === quote) break;
      if (c === 0x3c) this.fail("Unescaped '<' not allowed in attributes values");
      if (c === 0x26) {
        value += this.text.slice(run, this.pos) + this.attributeReference();
        run = this.pos;
      } else if (c === 0x09 || c === 0x0a || c === 0x0d) {
        value += this.text.slice(run, this.pos) + ' ';
        run = ++this.pos;
      } else {
        if (!isXmlChar(c)) this.fail('invalid character in attribute value');
        this.pos += unitLength(c);
      }
    }
    value += this.text.slice(run, this.pos);
    if (value.length > MAX_ATTRIBUTE_LENGTH) this.fail('AttValue length too long', quotePos);
    this.pos++;
    return value;
  }

  private attributeReference(): string {
    if (this.at(this.pos + 1) === 0x23) return this.charRef();
    const name = this.entityReferenceName();
    return PREDEFINED.get(name) ?? this.attributeEntityText(name, this.dtd.general.get(name));
  }

  /**
   * An entity's replacement text inside an attribute value, expanded recursively; libxml2 reports problems
   * at the outermost reference, which is where the cursor stays.
   */
  private attributeEntityText(name: string, entity: Entity | undefined): string {
    if (entity === undefined) {
      if (this.undeclaredIsFatal) this.fail(`Entity '${name}' not defined`);
      return '';
    }
    if (entity.value === null) this.fail(`Attribute references external entity '${name}'`);
    if (entity.value.includes('<')) this.fail(`'<' in entity '${name}' is not allowed in attributes values`);
    if (this.dtd.expanding.has(name) || this.dtd.expanding.size >= MAX_ENTITY_DEPTH) this.fail('Detected an entity reference loop');
    this.dtd.expanding.add(name);
    const text = entity.value;
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c !== '&') {
        out += c === '\t' || c === '\n' || c === '\r' ? ' ' : c;
        continue;
      }
      if (text[i + 1] === '#') {
        const ref = readCharRef(text, i, 'xmlParseStringCharRef');
        if (ref.error !== undefined) this.fail(ref.error);
        out += String.fromCodePoint(ref.value);
        i = ref.end - 1;
        continue;
      }
      const inner = new Scanner(text, null, this.errorDomain);
      inner.pos = i + 1;
      const innerName = inner.name();
      if (innerName === null || inner.at() !== 0x3b) this.fail("EntityRef: expecting ';'");
      out += PREDEFINED.get(innerName) ?? this.attributeEntityText(innerName, this.dtd.general.get(innerName));
      i = inner.pos;
    }
    this.dtd.expanding.delete(name);
    this.dtd.charge(out.length, this);
    return out;
  }

  /**
   * Element content until `open` closes: the whole document's content below the root, or an entity's
   * replacement text, where `open` starts empty and text goes to `holder`.
   */
  private content(open: XmlElement[], holder: XmlElement): void {
    const fragment = open.length === 0;
    for (;;) {
      const top = open[open.length - 1] ?? holder;
      if (this.atEnd) {
        if (open.length === 0) return;
        this.fail(`Premature end of data in tag ${localName(top.name)} line ${top.line}`);
      }
      const c = this.at();
      if (c === 0x3c) {
        const next = this.at(this.pos + 1);
        if (next === 0x2f) {
          if (open.length === 0) this.fail('chunk is not well balanced');
          this.endTag(top);
          open.pop();
          if (open.length === 0 && !fragment) return;
        } else if (next === 0x3f) this.pi();
        else if (this.startsWith('<![CDATA[')) top.appendText(this.cdata());
        else if (this.startsWith('<!--')) this.comment();
        else {
          if (open.length > MAX_DEPTH) this.fail(`Excessive depth in document: ${MAX_DEPTH} use XML_PARSE_HUGE option`);
          const child = this.startTag(top);
          top.appendChild(child.element);
          if (!child.empty) open.push(child.element);
        }
      } else if (c === 0x26) top.appendText(this.reference());
      else top.appendText(this.charData());
    }
  }

  /** An end tag for `open`, cursor on `</`. */
  private endTag(open: XmlElement): void {
    this.pos += 2;
    const name = this.name();
    this.skipBlanks();
    if (this.at() !== 0x3e) this.fail("expected '>'");
    this.pos++;
    if (name !== open.name) {
      // Messages name elements by local name; an end tag only loses its prefix when the start tag had one.
      const local = localName(open.name);
      const shown = name === null ? 'unparsable' : local === open.name ? name : localName(name);
      this.fail(`Opening and ending tag mismatch: ${local} line ${open.line} and ${shown}`);
    }
  }

  /**
   * A run of character data. libxml2 scans ASCII text with a fast loop that only moves its cursor when the
   * run ends, so an error found in it points at the start of the run (while the line number is the current
   * one); text with other characters is scanned one character at a time, and errors point at the character.
   */
  private charData(): string {
    const start = this.pos;
    let careful = false;
    for (;;) {
      const c = this.at();
      if (this.atEnd || c === 0x3c || c === 0x26) break;
      if (c === 0x5d && this.at(this.pos + 1) === 0x5d && this.at(this.pos + 2) === 0x3e) {
        this.fail("Sequence ']]>' not allowed in content", careful ? this.pos : start, this.lineAt(this.pos));
      }
      if (!careful && (c >= 0x80 || (c < 0x20 && c !== 0x09 && c !== 0x0a))) careful = true;
      if (careful) {
        const cp = this.decode(this.pos);
        // A broken sequence in the last bytes reads as the end, where libxml2's content loop gives up.
        if (cp === 0 && !this.atEnd && this.at() !== 0) this.fail('internal error: detected an error in element content\n');
        if (!isXmlChar(cp)) this.fail(`PCDATA invalid Char value ${cp}`);
        this.pos += unitLength(cp);
      } else this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  /** `<![CDATA[...]]>`, cursor on `<![CDATA[`; returns the text. */
  private cdata(): string {
    this.pos += 9;
    const start = this.pos;
    // libxml2 keeps the two characters before the current one aside until it knows they are not `]]`.
    const held: number[] = [];
    for (let i = 0; i < 2; i++) {
      const c = this.decode(this.pos);
      if (this.atEnd || !isXmlChar(c)) this.fail('Unregistered error message');
      held.push(this.pos);
      this.pos += unitLength(c);
    }
    for (;;) {
      const c = this.decode(this.pos);
      if (this.atEnd || !isXmlChar(c)) {
        this.fail(`CData section not finished\n${utf8Prefix(this.text.slice(start, held[0]), 50)}`);
      }
      if (c === 0x3e && this.at(held[0]) === 0x5d && this.at(held[1]) === 0x5d) {
        const text = this.text.slice(start, held[0]);
        this.pos++;
        return text;
      }
      held[0] = held[1]!;
      held[1] = this.pos;
      this.pos += unitLength(c);
    }
  }

  /** `&...;` in content. */
  private reference(): string {
    if (this.at(this.pos + 1) === 0x23) return this.charRef();
    const name = this.entityReferenceName();
    const predefined = PREDEFINED.get(name);
    if (predefined !== undefined) return predefined;
    const entity = this.dtd.general.get(name);
    if (entity === undefined) {
      if (this.undeclaredIsFatal) this.fail(`Entity '${name}' not defined`);
      return '';
    }
    // An external entity is never loaded (libvirt does not ask libxml2 to): it stands for nothing.
    if (entity.value === null) return '';
    const text = this.entityText(name, entity.value);
    this.dtd.charge(text.length, this);
    return text;
  }

  private entityReferenceName(): string {
    this.pos++;
    const name = this.name();
    if (name === null) this.fail('xmlParseEntityRef: no name');
    if (this.at() !== 0x3b) this.fail("EntityRef: expecting ';'");
    this.pos++;
    return name;
  }

  /**
   * The text an internal entity stands for in content. Its replacement text is parsed as content on its own
   * (errors then say "at line N" of that text); elements in it add their text but, as for libvirt's XPath
   * queries, are not children of the element that references the entity.
   */
  private entityText(name: string, value: string): string {
    const known = this.dtd.expandedText.get(name);
    if (known !== undefined) return known;
    if (this.dtd.expanding.has(name) || this.dtd.expanding.size >= MAX_ENTITY_DEPTH) this.fail('Detected an entity reference loop');
    this.dtd.expanding.add(name);
    const holder = new XmlElement(name, 1);
    new XmlParser(value, null, this.errorDomain, this.dtd, true).content([], holder);
    this.dtd.expanding.delete(name);
    const text = holder.text();
    this.dtd.expandedText.set(name, text);
    return text;
  }
}

/**
 * The part of `prefix:local` libxml2 calls the element's name in its messages. Names such as `:a` or `a:`
 * have no usable prefix and stay whole.
 */
function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon <= 0 || colon === qname.length - 1 ? qname : qname.slice(colon + 1);
}

/** Characters libxml2 lets continue a start tag; anything else ends the attribute loop. */
function isByteChar(c: number): boolean {
  return c >= 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * Encodings libxml2 (through iconv) accepts in the declaration. The text is already decoded by the time it
 * reaches tsvirt, so this only decides whether the declaration is refused, as libxml2 refuses unknown names.
 * Like iconv, it ignores case and punctuation in names ("utf-8", "UTF8", "U-TF-8").
 */
const KNOWN_ENCODING = new RegExp(
  '^(?:UTF(?:8|16(?:LE|BE)?|32(?:LE|BE)?)|UCS(?:2|4)|ISO10646UCS[24]|(?:US)?ASCII|ISO8859(?:[1-9]|1[0-6])|ISOLATIN[1-9]' +
    '|LATIN[1-9]|L[1-9]|(?:WINDOWS|CP)125[0-8]|CP(?:437|850|852|866|932|936|949|950)|KOI8[RU]|EUC(?:JP|KR|CN|TW)' +
    '|SHIFTJIS|SJIS|ISO2022(?:JP|KR|CN)|GB2312|GBK|GB18030|BIG5)$',
);

function isKnownEncoding(name: string): boolean {
  return KNOWN_ENCODING.test(name.toUpperCase().replace(/[^A-Z0-9]/g, ''));
}
