/**
 * Character classes of XML 1.0 (fifth edition), on UTF-16 code points. The parser works on JS strings, but
 * libxml2 measures columns in UTF-8 bytes, so the byte length helper lives here too.
 */

/** XML `S`: space, tab, line feed, carriage return. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** XML `Char`: what may appear in a document at all. */
export function isXmlChar(c: number): boolean {
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d;
  if (c <= 0xd7ff) return true;
  if (c < 0xe000) return false;
  if (c <= 0xfffd) return true;
  return c >= 0x10000 && c <= 0x10ffff;
}

export function isNameStartChar(c: number): boolean {
  if (c < 0x80) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  }
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

export function isNameChar(c: number): boolean {
  if (isNameStartChar(c)) return true;
  if (c < 0x80) return c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39);
  return c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

/** The code point at `i` (a surrogate pair counts as one character); NaN past the end. */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** How many UTF-16 units the code point takes. */
export function unitLength(c: number): number {
  return c > 0xffff ? 2 : 1;
}

/**
 * How many bytes the code point stood for in the UTF-8 input: a lone U+DC80..U+DCFF is one byte that was not
 * valid UTF-8 (see bytes.ts); another lone surrogate counts as the 3 bytes a lenient encoder writes.
 */
export function utf8Width(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c > 0xffff) return 4;
  return c >= 0xdc80 && c <= 0xdcff ? 1 : 3;
}

/** Length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const c = codePointAt(s, i);
    n += utf8Width(c);
    i += unitLength(c);
  }
  return n;
}

/** The longest prefix of `s` that fits in `bytes` UTF-8 bytes, as C's `%.Ns` cuts a UTF-8 string. */
export function utf8Prefix(s: string, bytes: number): string {
  let n = 0;
  let i = 0;
  while (i < s.length) {
    const c = codePointAt(s, i);
    const len = utf8Width(c);
    if (n + len > bytes) break;
    n += len;
    i += unitLength(c);
  }
  return s.slice(0, i);
}
