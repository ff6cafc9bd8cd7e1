import { codePointAt, isNameChar, isXmlChar, unitLength } from './chars.js';
import { readCharRef, Scanner } from './scanner.js';

/** A declared entity: its replacement text, or null for an external one (never loaded, as in libvirt). */
export interface Entity {
  readonly value: string | null;
}

/**
 * Total characters entity references may produce in one document. Internal entities are expanded like
 * libxml2 does for libvirt, so "billion laughs" documents must hit a ceiling instead of eating the process.
 */
const EXPANSION_LIMIT = 1_000_000;

/** What the document type declaration declared, and the bookkeeping of expanding it, shared by nested parsers. */
export class Dtd {
  readonly general = new Map<string, Entity>();
  readonly parameter = new Map<string, Entity>();
  /** Replacement texts already worked out, by entity name. */
  readonly expandedText = new Map<string, string>();
  /** Entities being expanded right now: meeting one again is a loop. */
  readonly expanding = new Set<string>();
  externalSubset = false;
  peReferenced = false;
  standalone = false;
  private produced = 0;

  /**
   * Whether every entity is known to be declared here. When an external subset or a parameter entity might
   * have declared more, libxml2 lets an undeclared reference pass (it expands to nothing).
   */
  get complete(): boolean {
    return this.standalone || (!this.externalSubset && !this.peReferenced);
  }

  /** Counts characters produced by entity expansion; `sc` reports the error when the ceiling is passed. */
  charge(chars: number, sc: Scanner): void {
    this.produced += chars;
    if (this.produced > EXPANSION_LIMIT) sc.fail('Detected an entity reference loop');
  }
}

/** `<!DOCTYPE name ExternalID? [internal subset]? >`, cursor on `<!DOCTYPE`. */
export function parseDoctype(sc: Scanner, dtd: Dtd): void {
  sc.pos += 9;
  sc.skipBlanks();
  if (sc.name() === null) sc.fail('xmlParseDocTypeDecl : no DOCTYPE name !');
  sc.skipBlanks();
  if (externalId(sc)) dtd.externalSubset = true;
  sc.skipBlanks();
  if (sc.at() !== 0x5b) {
    if (sc.at() !== 0x3e) sc.fail('DOCTYPE improperly terminated');
    sc.pos++;
  }
  // libxml2 looks for the internal subset after the declaration too: `<!DOCTYPE d>[...]>` is read as one.
  if (sc.at() === 0x5b) {
    sc.pos++;
    subset(sc, dtd, false);
    sc.pos++;
    sc.skipBlanks();
    if (sc.at() !== 0x3e) sc.fail('DOCTYPE improperly terminated');
    sc.pos++;
  }
}

/** Markup declarations up to the closing `]` (or to the end of a parameter entity's text when `nested`). */
function subset(sc: Scanner, dtd: Dtd, nested: boolean): void {
  for (;;) {
    if (nested ? sc.atEnd : sc.at() === 0x5d) return;
    const start = sc.pos;
    sc.skipBlanks();
    markupDecl(sc, dtd);
    peReference(sc, dtd);
    if (sc.pos === start) {
      sc.fail('internal error: xmlParseInternalSubset: error detected in Markup declaration\n');
    }
  }
}

function markupDecl(sc: Scanner, dtd: Dtd): void {
  if (sc.startsWith('<!ENTITY')) entityDecl(sc, dtd);
  else if (sc.startsWith('<!ELEMENT')) elementDecl(sc);
  else if (sc.startsWith('<!ATTLIST')) attlistDecl(sc);
  else if (sc.startsWith('<!NOTATION')) skipDecl(sc);
  else if (sc.startsWith('<!--')) sc.comment();
  else if (sc.startsWith('<?')) sc.pi();
}

function entityDecl(sc: Scanner, dtd: Dtd): void {
  sc.pos += 8;
  if (sc.skipBlanks() === 0) sc.fail("Space required after '<!ENTITY'");
  let parameter = false;
  if (sc.at() === 0x25) {
    sc.pos++;
    // (libxml2's message really doubles the percent sign.)
    if (sc.skipBlanks() === 0) sc.fail("Space required after '%%'");
    parameter = true;
  }
  const name = sc.name();
  if (name === null) sc.fail('xmlParseEntityDecl: no name');
  if (sc.skipBlanks() === 0) sc.fail('Space required after the entity name');

  let entity: Entity;
  const q = sc.at();
  if (q === 0x22 || q === 0x27) entity = { value: entityValue(sc) };
  else if (externalId(sc)) {
    entity = { value: null };
    if (!parameter) notationData(sc);
  } else sc.fail('Entity value required');

  sc.skipBlanks();
  if (sc.at() !== 0x3e) sc.fail(`xmlParseEntityDecl: entity ${name} not terminated`);
  sc.pos++;
  // The first declaration is binding; the predefined five cannot be changed.
  const table = parameter ? dtd.parameter : dtd.general;
  if (!table.has(name) && (parameter || !PREDEFINED.has(name))) table.set(name, entity);
}

/** The optional `NDATA name` of an unparsed entity. */
function notationData(sc: Scanner): void {
  if (sc.at() !== 0x3e && sc.skipBlanks() === 0) sc.fail("Space required before 'NDATA'");
  if (!sc.startsWith('NDATA')) return;
  sc.pos += 5;
  if (sc.skipBlanks() === 0) sc.fail("Space required after 'NDATA'");
  if (sc.name() === null) sc.fail('Name expected');
}

/**
 * A quoted entity value. Character references are replaced now; references to other entities stay as they
 * are, to be expanded where the entity is used. Errors point just past the closing quote, as in libxml2,
 * which checks the value only once it has read all of it.
 */
function entityValue(sc: Scanner): string {
  const quote = sc.at();
  sc.pos++;
  const start = sc.pos;
  for (;;) {
    if (sc.atEnd) break;
    const c = sc.decode();
    if (c === quote || !isXmlChar(c)) break;
    sc.pos += unitLength(c);
  }
  if (sc.at() !== quote) sc.fail('EntityValue: " or \' expected');
  const raw = sc.text.slice(start, sc.pos);
  sc.pos++;

  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '%' && !(c === '&' && raw[i + 1] !== '#')) continue;
    const ref = new Scanner(raw, null, sc.errorDomain);
    ref.pos = i + 1;
    if (ref.name() === null || ref.at() !== 0x3b) sc.fail(`EntityValue: '${c}' forbidden except for entities references`);
    if (c === '%') sc.fail('PEReferences forbidden in internal subset');
    i = ref.pos;
  }

  let value = '';
  let run = 0;
  for (let i = raw.indexOf('&#'); i >= 0; i = raw.indexOf('&#', run)) {
    const ref = readCharRef(raw, i, 'xmlParseStringCharRef');
    if (ref.error !== undefined) sc.fail(ref.error);
    value += raw.slice(run, i) + String.fromCodePoint(ref.value);
    run = ref.end;
  }
  return value + raw.slice(run);
}

/** `SYSTEM "uri"` or `PUBLIC "id" "uri"`; says whether there was one. */
function externalId(sc: Scanner): boolean {
  if (sc.startsWith('SYSTEM')) {
    sc.pos += 6;
    if (sc.skipBlanks() === 0) sc.fail("Space required after 'SYSTEM'");
    quotedLiteral(sc);
    return true;
  }
  if (sc.startsWith('PUBLIC')) {
    sc.pos += 6;
    if (sc.skipBlanks() === 0) sc.fail("Space required after 'PUBLIC'");
    quotedLiteral(sc, true);
    if (sc.skipBlanks() === 0) sc.fail('Space required after the Public Identifier');
    quotedLiteral(sc);
    return true;
  }
  return false;
}

/** A system literal, or with `pubid` a public identifier, which allows fewer characters. */
function quotedLiteral(sc: Scanner, pubid = false): void {
  const quote = sc.at();
  if (quote !== 0x22 && quote !== 0x27) sc.fail('SystemLiteral " or \' expected');
  sc.pos++;
  for (;;) {
    // libxml2 reads a public id byte by byte, and a system literal character by character.
    const c = pubid ? codePointAt(sc.text, sc.pos) : sc.decode();
    const allowed = pubid ? c === quote || isPubidChar(c) : isXmlChar(c);
    if (sc.atEnd || !allowed) sc.fail('Unfinished System or Public ID " or \' expected');
    sc.pos += unitLength(c);
    if (c === quote) return;
  }
}

/** `<!ELEMENT name content-spec>`: checked for shape only; tsvirt does not validate against it. */
function elementDecl(sc: Scanner): void {
  sc.pos += 9;
  if (sc.skipBlanks() === 0) sc.fail("Space required after 'ELEMENT'");
  if (sc.name() === null) sc.fail('xmlParseElementDecl: no name for Element');
  if (sc.skipBlanks() === 0) sc.fail('Space required after the element name');
  if (sc.startsWith('EMPTY')) sc.pos += 5;
  else if (sc.startsWith('ANY')) sc.pos += 3;
  else if (sc.at() === 0x28) contentModel(sc);
  else sc.fail("xmlParseElementDecl: 'EMPTY', 'ANY' or '(' expected");
  sc.skipBlanks();
  if (sc.at() !== 0x3e) sc.fail("expected '>'");
  sc.pos++;
}

/** A parenthesised content model with its optional `?`, `*` or `+`. */
function contentModel(sc: Scanner): void {
  let depth = 0;
  do {
    const c = sc.at();
    if (sc.atEnd || c === 0x3e) sc.fail("xmlParseElementChildrenContentDecl : ',' '|' or ')' expected");
    if (c === 0x28) depth++;
    else if (c === 0x29) depth--;
    sc.pos++;
  } while (depth > 0);
  const c = sc.at();
  if (c === 0x3f || c === 0x2a || c === 0x2b) sc.pos++;
}

/** PubidChar: letters, digits, blanks and -'()+,./:=?;!*#@$_% */
function isPubidChar(c: number): boolean {
  return c === 0x20 || c === 0x0d || c === 0x0a || /[a-zA-Z0-9\-'()+,./:=?;!*#@$_%]/.test(String.fromCharCode(c));
}

/**
 * `<!ATTLIST element (name type default)*>`, checked for shape with libxml2's errors. Defaults are not applied:
 * libxml2 only does that when asked to, and libvirt does not ask.
 */
function attlistDecl(sc: Scanner): void {
  sc.pos += 9;
  if (sc.skipBlanks() === 0) sc.fail("Space required after '<!ATTLIST'");
  if (sc.name() === null) sc.fail('ATTLIST: no name for Element');
  sc.skipBlanks();
  while (!sc.atEnd && sc.at() !== 0x3e) {
    if (sc.name() === null) sc.fail('ATTLIST: no name for Attribute');
    if (sc.skipBlanks() === 0) sc.fail('Space required after the attribute name');
    attributeType(sc);
    if (sc.skipBlanks() === 0) sc.fail('Space required after the attribute type');
    defaultDecl(sc);
    if (sc.at() !== 0x3e && sc.skipBlanks() === 0) sc.fail('Space required after the attribute default value');
  }
  if (sc.atEnd) sc.fail("expected '>'");
  sc.pos++;
}

const ATTRIBUTE_TYPES = ['CDATA', 'IDREFS', 'IDREF', 'ID', 'ENTITY', 'ENTITIES', 'NMTOKENS', 'NMTOKEN'];

function attributeType(sc: Scanner): void {
  const keyword = ATTRIBUTE_TYPES.find((t) => sc.startsWith(t));
  if (keyword !== undefined) {
    sc.pos += keyword.length;
    return;
  }
  if (sc.startsWith('NOTATION')) {
    sc.pos += 8;
    if (sc.skipBlanks() === 0) sc.fail("Space required after 'NOTATION'");
    if (sc.at() !== 0x28) sc.fail("'(' required to start 'NOTATION'");
    nameList(sc, () => sc.name(), 'Name expected in NOTATION declaration', "')' required to finish NOTATION declaration");
    return;
  }
  if (sc.at() !== 0x28) sc.fail("'(' required to start ATTLIST enumeration");
  nameList(sc, () => nmtoken(sc), 'NmToken expected in ATTLIST enumeration', "')' required to finish ATTLIST enumeration");
}

/** `( item | item ... )`, cursor on the '('. */
function nameList(sc: Scanner, item: () => string | null, missing: string, unclosed: string): void {
  do {
    sc.pos++;
    sc.skipBlanks();
    if (item() === null) sc.fail(missing);
    sc.skipBlanks();
  } while (sc.at() === 0x7c);
  if (sc.at() !== 0x29) sc.fail(unclosed);
  sc.pos++;
}

function nmtoken(sc: Scanner): string | null {
  const start = sc.pos;
  while (!sc.atEnd && isNameChar(sc.decode())) sc.pos += unitLength(sc.decode());
  return sc.pos > start ? sc.text.slice(start, sc.pos) : null;
}

/** `#REQUIRED`, `#IMPLIED` or an optionally `#FIXED` quoted default. */
function defaultDecl(sc: Scanner): void {
  for (const keyword of ['#REQUIRED', '#IMPLIED']) {
    if (sc.startsWith(keyword)) {
      sc.pos += keyword.length;
      return;
    }
  }
  if (sc.startsWith('#FIXED')) {
    sc.pos += 6;
    if (sc.skipBlanks() === 0) sc.fail("Space required after '#FIXED'");
  }
  const quote = sc.at();
  if (quote !== 0x22 && quote !== 0x27) sc.fail('AttValue: " or \' expected');
  sc.pos++;
  for (;;) {
    if (sc.atEnd) sc.fail("AttValue: ' expected");
    const c = sc.at();
    if (c === quote) break;
    if (c === 0x3c) sc.fail("Unescaped '<' not allowed in attributes values");
    sc.pos++;
  }
  sc.pos++;
}

/** `<!NOTATION ...>`: skipped up to its `>`, quoted text included. */
function skipDecl(sc: Scanner): void {
  let quote = 0;
  for (;;) {
    if (sc.atEnd) sc.fail("expected '>'");
    const c = sc.at();
    sc.pos++;
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return;
  }
}

/** `%name;` between declarations: an internal parameter entity's declarations are read in its place. */
function peReference(sc: Scanner, dtd: Dtd): void {
  if (sc.at() !== 0x25) return;
  sc.pos++;
  const name = sc.name();
  if (name === null) sc.fail('PEReference: no name');
  if (sc.at() !== 0x3b) sc.fail("PEReference: expecting ';'");
  sc.pos++;
  const entity = dtd.parameter.get(name);
  if (entity === undefined && dtd.complete) sc.fail(`PEReference: %${name}; not found`);
  dtd.peReferenced = true;
  if (entity?.value == null) return;
  if (dtd.expanding.has(`%${name}`)) {
    // This one libxml2 reports against the entity's own text, without the document's name.
    new Scanner(sc.text, null, sc.errorDomain).fail('Detected an entity reference loop', sc.pos);
  }
  dtd.charge(entity.value.length, sc);
  dtd.expanding.add(`%${name}`);
  // libxml2 reads the replacement text as part of the document: errors name the document and the line of the reference.
  subset(new Scanner(entity.value, sc.source, sc.errorDomain, sc.lineAt(sc.pos)), dtd, true);
  dtd.expanding.delete(`%${name}`);
}

/** The five entities every XML document has. */
export const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
]);
