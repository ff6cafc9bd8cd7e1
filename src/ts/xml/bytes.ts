/**
 * Text that came as bytes and may not be valid UTF-8 (a file, a command line), kept losslessly in a JS string.
 *
 * Valid UTF-8 decodes as usual; every byte that is not part of a well-formed sequence becomes the lone low
 * surrogate U+DC00 + byte (U+DC80..U+DCFF), which no valid UTF-8 can produce. So two different byte strings
 * never decode to the same text, the XML parser can report libxml2's encoding error at the exact byte, and
 * what is printed or passed on can be turned back into the original bytes.
 */
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;

/** Decodes bytes as UTF-8, escaping every byte that is not part of a well-formed sequence. */
export function decodeBytes(bytes: Uint8Array): string {
  // The common case, valid UTF-8, is decoded natively.
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let out = '';
  let run = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > run) out += Buffer.from(bytes.buffer, bytes.byteOffset + run, end - run).toString('utf8');
  };
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    out += String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    run = ++i;
  }
  flush(i);
  return out;
}

/** The bytes `text` stands for: UTF-8, with escaped bytes restored (a lone surrogate of another kind as U+FFFD). */
export function encodeBytes(text: string): Buffer {
  if (!hasEscapedByte(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isEscapedByte(text, i)) continue;
    parts.push(Buffer.from(text.slice(run, i), 'utf8'), Buffer.of(text.charCodeAt(i) - ESCAPE_BASE));
    run = i + 1;
  }
  parts.push(Buffer.from(text.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

/** Whether the UTF-16 unit at `i` is an escaped byte (a low surrogate U+DC80..U+DCFF not ending a pair). */
export function isEscapedByte(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xdc80 || c > 0xdcff) return false;
  const before = i > 0 ? text.charCodeAt(i - 1) : 0;
  return !(before >= 0xd800 && before <= 0xdbff);
}

const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** Whether the text holds a byte that was not valid UTF-8. */
export function hasEscapedByte(text: string): boolean {
  return ESCAPED.test(text);
}

/** Where the first escaped byte is, or -1. */
export function firstEscapedByte(text: string): number {
  const m = ESCAPED.exec(text);
  return m === null ? -1 : m.index;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or values past U+10FFFF), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
