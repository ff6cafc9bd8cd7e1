import { randomBytes } from '../core/random.js';

/**
 * Parses a MAC address as libvirt's virMacAddrParse does: six groups of one or two hex digits separated by
 * colons; anything after the sixth group must be white space or control characters. Returns the canonical
 * lowercase form (`52:54:00:0a:0b:0c`), or null.
 */
export function parseMac(text: string): string | null {
  const m = /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})(.*)$/s.exec(text);
  if (m === null) return null;
  if ([...m[7]!].some((c) => c.charCodeAt(0) > 0x20)) return null;
  return m.slice(1, 7).map((part) => part.toLowerCase().padStart(2, '0')).join(':');
}

/** Whether the address is a multicast one (lowest bit of the first byte), which guests may not use. */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** A random address with QEMU's prefix 52:54:00, as libvirt gives interfaces defined without one. */
export function generateMac(): string {
  return ['52', '54', '00', ...[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
