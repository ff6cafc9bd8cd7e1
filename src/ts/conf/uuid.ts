import { randomUUID } from '../core/random.js';

/**
 * Parses a UUID the way libvirt's virUUIDParse does: 32 hex digits, in pairs, with dashes or spaces allowed
 * between the pairs (anywhere, any number), white space around. Returns the canonical lowercase form, or null
 * when the text is not a UUID.
 */
export function parseUUID(text: string): string | null {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  let hex = '';
  while (hex.length < 32) {
    const c = text[i];
    if (c === undefined) return null;
    if (c === '-' || c === ' ') {
      i++;
      continue;
    }
    const pair = text.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return null;
    hex += pair.toLowerCase();
    i += 2;
  }
  for (; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) return null;
  return formatUUID(hex);
}

/** The 8-4-4-4-12 form of 32 lowercase hex digits. */
function formatUUID(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new random (version 4) UUID, as libvirt generates for definitions that have none. */
export function generateUUID(): string {
  return randomUUID();
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
