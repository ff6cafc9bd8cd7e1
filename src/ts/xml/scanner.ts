import { ErrorDomain, ErrorNumber, VirError } from '../errors/index.js';
import { codePointAt, isBlank, isNameChar, isNameStartChar, isXmlChar, unitLength, utf8Prefix } from './chars.js';
import { encodeBytes, isEscapedByte } from './bytes.js';
import { formatXmlErrorDetail } from './error-context.js';

const NO_BREAKS: ReadonlySet<number> = new Set();

/** libxml2 refuses longer names unless told to parse huge documents; libvirt never tells it to. */
const MAX_NAME_LENGTH = 50000;

/**
 * The lexical layer shared by the document parser and the DTD parser: a cursor over the text, libxml2's error
 * reporting, and the constructs that look the same everywhere (names, character references, comments,
 * processing instructions).
 *
 * Every error stops parsing: libvirt only ever shows libxml2's first fatal error, so that is the one
 * reproduced, with the cursor where libxml2 has it at that moment (which is not always where the problem is).
 */
export class Scanner {
  pos = 0;
  /** Positions of line feeds that were a bare CR in the input: libxml2 does not count them as lines. */
  uncountedBreaks: ReadonlySet<number> = NO_BREAKS;
  private lineCursor = 0;
  private lineCount: number;

  constructor(
    readonly text: string,
    /** How errors name the text: "(domain_definition)", a file path, or null for an entity's text. */
    readonly source: string | null,
    readonly errorDomain: ErrorDomain,
    /** The line the text starts on (a parameter entity's text counts from the line that references it). */
    private readonly firstLine = 1,
  ) {
    this.lineCount = firstLine;
  }

  /** The UTF-16 unit at `i`; 0 past the end, like the NUL that ends libxml2's buffer. */
  at(i: number = this.pos): number {
    return i < this.text.length ? this.text.charCodeAt(i) : 0;
  }

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** The 1-based line of `pos`. Usually called with growing positions, so it counts on from the last call. */
  lineAt(pos: number): number {
    if (pos < this.lineCursor) {
      this.lineCursor = 0;
      this.lineCount = this.firstLine;
    }
    const text = this.text;
    let line = this.lineCount;
    for (let i = this.lineCursor; i < pos && i < text.length; i++) {
      if (text.charCodeAt(i) === 0x0a && !this.uncountedBreaks.has(i)) line++;
    }
    this.lineCursor = pos;
    this.lineCount = line;
    return line;
  }

  /**
   * The character at `i` as libxml2's xmlCurrentChar decodes it, wherever libxml2 reads a whole character
   * (rather than a byte). Past ASCII it checks the input: a byte that is not valid UTF-8 (escaped, see
   * bytes.ts) fails with "Input is not proper UTF-8" and the four bytes from there, a well-formed sequence
   * for a non-character with "Char 0x... out of allowed range". Within four bytes of the end libxml2 takes
   * a bad sequence for input still to come and reads it as the end (0).
   */
  decode(i: number = this.pos): number {
    const c = codePointAt(this.text, i);
    if (i >= this.text.length || c < 0x80 || isXmlChar(c)) return c;
    const bytes = encodeBytes(this.text.slice(i, i + 8));
    const value = isEscapedByte(this.text, i) ? decodeAsLibxml2(bytes) : c;
    if (value === null) {
      if (encodeBytes(this.text.slice(i, i + 4)).length < 4 && i + 4 >= this.text.length) return 0;
      this.failEncoding(i);
    }
    if (!isXmlChar(value)) {
      this.pos = i;
      this.fail(`Char 0x${value.toString(16).toUpperCase()} out of allowed range`, i);
    }
    return value;
  }

  /** libxml2's error for input that is not UTF-8, at `i`. */
  failEncoding(i: number): never {
    const bytes = encodeBytes(this.text.slice(i, i + 4));
    const hex = [0, 1, 2, 3].map((k) => `0x${(bytes[k] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`);
    this.pos = i;
    this.fail(`Input is not proper UTF-8, indicate encoding !\nBytes: ${hex.join(' ')}`, i);
  }

  fail(message: string, pos: number = this.pos, line: number = this.lineAt(pos)): never {
    const detail = formatXmlErrorDetail(this.text, pos, line, message, this.source);
    throw new VirError(ErrorNumber.VIR_ERR_XML_DETAIL, this.errorDomain, detail);
  }

  /** Skips blanks and says how many there were (several constructs require at least one). */
  skipBlanks(): number {
    const start = this.pos;
    while (isBlank(this.at())) this.pos++;
    return this.pos - start;
  }

  /** An XML Name at the cursor, or null when none starts there. */
  name(kind: 'NCName' | 'Name' = 'Name'): string | null {
    const start = this.pos;
    let c = this.decode(start);
    if (!(start < this.text.length && isNameStartChar(c))) return null;
    let i = start + unitLength(c);
    while (i < this.text.length) {
      c = this.decode(i);
      if (!isNameChar(c)) break;
      i += unitLength(c);
    }
    if (i - start > MAX_NAME_LENGTH) this.fail(`Name too long: ${kind}`, start);
    this.pos = i;
    return this.text.slice(start, i);
  }

  /** `&#N;` or `&#xH;` at the cursor, in content or an attribute value. */
  charRef(): string {
    const ref = readCharRef(this.text, this.pos, 'xmlParseCharRef');
    this.pos = ref.end;
    if (ref.error !== undefined) this.fail(ref.error);
    return String.fromCodePoint(ref.value);
  }

  /**
   * A comment, cursor on `<!--`. libxml2 scans plain ASCII with a fast loop and everything else with a
   * careful one; the two word their errors differently and leave the cursor in different places.
   */
  comment(): void {
    this.pos += 4;
    const contentStart = this.pos;
    for (;;) {
      const c = this.at();
      if (c === 0x2d) {
        if (this.at(this.pos + 1) === 0x2d) {
          if (this.at(this.pos + 2) === 0x3e) {
            this.pos += 3;
            return;
          }
          const sofar = this.text.slice(contentStart, this.pos);
          this.fail(sofar === '' ? 'Double hyphen within comment' : `Double hyphen within comment: <!--${utf8Prefix(sofar, 50)}`);
        }
        this.pos++;
      } else if ((c >= 0x20 && c <= 0x7f) || c === 0x09 || c === 0x0a) this.pos++;
      else break;
    }
    this.commentSlowPath(this.text.slice(contentStart, this.pos));
  }

  private commentSlowPath(sofar: string): void {
    // Two characters of look-behind (q, r) decide whether `cur` closes the comment.
    const q = this.nextChar('Comment not terminated', 'xmlParseComment: invalid xmlChar value');
    const r = this.nextChar('Comment not terminated', 'xmlParseComment: invalid xmlChar value');
    if (this.atEnd) this.fail('Comment not terminated');
    let buf = sofar;
    let prev2 = q;
    let prev1 = r;
    for (;;) {
      if (this.atEnd) this.fail(`Comment not terminated \n<!--${utf8Prefix(buf, 50)}`);
      const cur = this.decode(this.pos);
      if (!isXmlChar(cur)) this.fail(`xmlParseComment: invalid xmlChar value ${cur}`);
      if (cur === 0x3e && prev1 === 0x2d && prev2 === 0x2d) {
        this.pos++;
        return;
      }
      if (prev1 === 0x2d && prev2 === 0x2d) this.fail("Comment must not contain '--' (double-hyphen)");
      buf += String.fromCodePoint(prev2);
      prev2 = prev1;
      prev1 = cur;
      this.pos += unitLength(cur);
    }
  }

  /** Reads one character for the slow comment loop's look-behind, failing the way libxml2 does. */
  private nextChar(endMessage: string, invalidMessage: string): number {
    if (this.atEnd) this.fail(endMessage);
    const c = this.decode(this.pos);
    if (!isXmlChar(c)) this.fail(`${invalidMessage} ${c}`);
    this.pos += unitLength(c);
    return c;
  }

  /** A processing instruction, cursor on `<?`. Its content is ignored, as libvirt ignores it. */
  pi(): void {
    this.pos += 2;
    const target = this.name();
    if (target === null) this.fail('xmlParsePI : no target name');
    if (target.toLowerCase() === 'xml') {
      this.fail(target === 'xml' ? 'XML declaration allowed only at the start of the document' : 'Invalid PI name');
    }
    if (this.startsWith('?>')) {
      this.pos += 2;
      return;
    }
    if (this.skipBlanks() === 0) this.fail(`ParsePI: PI ${target} space expected`);
    for (;;) {
      if (this.startsWith('?>')) {
        this.pos += 2;
        return;
      }
      const c = this.decode(this.pos);
      if (this.atEnd || !isXmlChar(c)) this.fail(`ParsePI: PI ${target} never end ...`);
      this.pos += unitLength(c);
    }
  }

  /** Comments, processing instructions and blanks, as allowed around the root element. */
  misc(): void {
    for (;;) {
      if (this.startsWith('<?')) this.pi();
      else if (this.startsWith('<!--')) this.comment();
      else if (this.skipBlanks() === 0) return;
    }
  }
}

/**
 * Decodes the character reference at `i` (which is on `&#`). On error, `end` is where libxml2's cursor stops
 * and `error` its message; `fn` is the libxml2 function named in some of them (references in entity values go
 * through a different one than references in content).
 */
export function readCharRef(text: string, i: number, fn: string): { value: number; end: number; error?: string } {
  const hex = text.charCodeAt(i + 2) === 0x78; // 'x'
  let p = i + (hex ? 3 : 2);
  let value = 0;
  while (p >= text.length || text.charCodeAt(p) !== 0x3b) {
    const digit = p < text.length ? digitValue(text.charCodeAt(p), hex) : -1;
    if (digit < 0) {
      return { value: 0, end: p, error: hex ? 'CharRef: invalid hexadecimal value' : 'CharRef: invalid decimal value' };
    }
    value = Math.min(value * (hex ? 16 : 10) + digit, 0x110000);
    p++;
  }
  p++;
  if (value >= 0x110000) return { value, end: p, error: `${fn}: character reference out of bounds` };
  if (!isXmlChar(value)) return { value, end: p, error: `${fn}: invalid xmlChar value ${value}` };
  return { value, end: p };
}

function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * libxml2's reading of a multi-byte UTF-8 sequence: the lead byte says how many continuation bytes follow and
 * the value must not be overlong; surrogates and values past U+10FFFF are read (and then refused as out of
 * range). null where libxml2 finds the input not to be UTF-8 at all.
 */
function decodeAsLibxml2(b: Uint8Array): number | null {
  const at = (k: number) => b[k] ?? 0;
  const c = at(0);
  const cont = (k: number) => (at(k) & 0xc0) === 0x80;
  if ((c & 0x40) === 0 || !cont(1)) return null;
  if ((c & 0xe0) !== 0xe0) {
    const value = ((c & 0x1f) << 6) | (at(1) & 0x3f);
    return value < 0x80 ? null : value;
  }
  if (!cont(2)) return null;
  if ((c & 0xf0) !== 0xf0) {
    const value = ((c & 0x0f) << 12) | ((at(1) & 0x3f) << 6) | (at(2) & 0x3f);
    return value < 0x800 ? null : value;
  }
  if ((c & 0xf8) !== 0xf0 || !cont(3)) return null;
  const value = ((c & 0x07) << 18) | ((at(1) & 0x3f) << 12) | ((at(2) & 0x3f) << 6) | (at(3) & 0x3f);
  return value < 0x10000 ? null : value;
}
