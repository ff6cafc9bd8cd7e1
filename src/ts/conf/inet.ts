/**
 * IP addresses as libvirt reads and prints them: it parses numeric addresses with getaddrinfo (so IPv4 takes
 * inet_aton's forms: `10.1` is 10.0.0.1, `010` is octal) and prints them with getnameinfo (canonical text).
 */
export interface IpAddress {
  family: 'ipv4' | 'ipv6';
  /** The address as a number, for subnet arithmetic. */
  value: bigint;
}

/** Parses an IPv4 or IPv6 address; null when it is neither. */
export function parseIp(text: string): IpAddress | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 'ipv4', value: v4 };
  const v6 = parseIPv6(text);
  return v6 === null ? null : { family: 'ipv6', value: v6 };
}

/** inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x); the last fills the remaining bytes. */
function parseIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) n = Number(part);
    else return null;
    values.push(n);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  let value = 0n;
  for (const v of values) value = (value << 8n) | BigInt(v);
  return (value << BigInt(8 * (4 - values.length))) | BigInt(last);
}

function parseIPv6(text: string): bigint | null {
  let head = text;
  let tail4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.') && lastColon >= 0) {
    // An embedded IPv4 address in dotted-quad form takes the last 32 bits.
    const quad = text.slice(lastColon + 1);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(quad)) return null;
    tail4 = parseIPv4(quad.split('.').map((p) => String(Number(p))).join('.'));
    if (tail4 === null) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== null) value = (value >> 32n << 32n) | tail4;
  return value;
}

/** The canonical text of an address (dotted quad, or RFC 5952 IPv6 as glibc prints it). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((ip.value >> shift) & 0xffffn));
  // The longest run of two or more zero groups becomes '::' (the first one on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The prefix length a netmask stands for, or -1 when its one bits are not contiguous from the top. */
export function netmaskPrefix(mask: IpAddress): number {
  const bits = mask.family === 'ipv4' ? 32 : 128;
  let prefix = 0;
  while (prefix < bits && ((mask.value >> BigInt(bits - 1 - prefix)) & 1n) === 1n) prefix++;
  const rest = mask.value & ((1n << BigInt(bits - prefix)) - 1n);
  return rest === 0n ? prefix : -1;
}

/** The prefix of an IPv4 address by its class, used when a network gives neither prefix nor netmask. */
export function classfulPrefix(ip: IpAddress): number {
  const first = Number(ip.value >> 24n);
  if (first < 128) return 8;
  if (first < 192) return 16;
  if (first < 224) return 24;
  return -1;
}

/** Whether `ip` is in the subnet `net`/`prefix`. */
export function inSubnet(ip: IpAddress, net: IpAddress, prefix: number): boolean {
  const bits = BigInt(ip.family === 'ipv4' ? 32 : 128);
  const shift = bits - BigInt(prefix);
  return ip.family === net.family && ip.value >> shift === net.value >> shift;
}
