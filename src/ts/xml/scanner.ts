import { ErrorDomain, ErrorNumber, VirError } from '../errors/index.js';
import { codePointAt, isBlank, isNameChar, isNameStartChar, isXmlChar, unitLength, utf8Prefix } from './chars.js';
import { formatXmlErrorDetail } from './error-context.js';

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
    for (let i = this.lineCursor; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
    this.lineCursor = pos;
    this.lineCount = line;
    return line;
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
    let c = codePointAt(this.text, start);
    if (!(start < this.text.length && isNameStartChar(c))) return null;
    let i = start + unitLength(c);
    while (i < this.text.length) {
      c = codePointAt(this.text, i);
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
      const cur = codePointAt(this.text, this.pos);
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
    const c = codePointAt(this.text, this.pos);
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
      const c = codePointAt(this.text, this.pos);
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
