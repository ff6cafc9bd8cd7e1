import { ErrorDomain, ErrorNumber, virError, VirError } from '../errors/index.js';

/** The largest unsigned long long, the ceiling of every scaled value. */
export const ULLONG_MAX = 0xffff_ffff_ffff_ffffn;
/** The largest long long: libvirt's limit for a memory size in bytes. */
export const LLONG_MAX = 0x7fff_ffff_ffff_ffffn;

/**
 * Reads an unsigned decimal number the way libvirt's virStrToLong_ullp does (strtoull in base 10, negative
 * numbers refused): leading white space and a '+' are allowed. Returns the value and the unread rest, or null
 * when there are no digits, a '-' sign, or the value does not fit in 64 bits.
 */
function parseULongLongPrefix(text: string): { value: bigint; rest: string } | null {
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)/.exec(text);
  if (m === null) return null;
  const value = BigInt(m[1]!);
  if (value > ULLONG_MAX) return null;
  return { value, rest: text.slice(m[0].length) };
}

/** Like parseULongLongPrefix, but the whole text must be the number. */
export function parseULongLong(text: string): bigint | null {
  const parsed = parseULongLongPrefix(text);
  return parsed !== null && parsed.rest === '' ? parsed.value : null;
}

/**
 * Multiplies `value` by the unit `suffix` names, as libvirt's virScaleInteger does for `unit=` attributes and
 * virsh sizes. An empty suffix means `scale`. One letter or `<letter>iB` is a power of 1024 (k, M, G, T, P,
 * E), `<letter>B` a power of 1000, and b/byte/bytes is 1; case does not matter. The result may not exceed
 * `limit`.
 */
export function scaleInteger(value: bigint, suffix: string, scale: bigint, limit: bigint): bigint {
  let factor: bigint;
  const lower = suffix.toLowerCase();
  if (suffix === '') factor = scale;
  else if (lower === 'b' || lower === 'byte' || lower === 'bytes') factor = 1n;
  else {
    let base: bigint;
    if (suffix.length === 1 || lower.slice(1) === 'ib') base = 1024n;
    else if (lower[1] === 'b' && suffix.length === 2) base = 1000n;
    else throw unknownSuffix(suffix);
    const power = 'kmgtpe'.indexOf(lower[0]!) + 1;
    if (power === 0) throw unknownSuffix(suffix);
    factor = base ** BigInt(power);
  }
  if (value !== 0n && value > limit / factor) {
    throw virError(ErrorNumber.VIR_ERR_OVERFLOW, ErrorDomain.VIR_FROM_NONE, `value too large: ${value}${suffix}`);
  }
  return value * factor;
}

function unknownSuffix(suffix: string): VirError {
  return virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `unknown suffix '${suffix}'`);
}

/**
 * A size argument of virsh (vol-create-as, vol-resize): a number in bytes with an optional unit suffix
 * (`1G`, `512MiB`, `10KB`). Returns null when the text is not a number at all (virsh then only says
 * "Malformed size X"); throws the libvirt error for a bad suffix or an overflow, which virsh prints after
 * that line.
 */
export function parseVirshSize(text: string): bigint | null {
  const parsed = parseULongLongPrefix(text);
  if (parsed === null) return null;
  return scaleInteger(parsed.value, parsed.rest, 1n, ULLONG_MAX);
}
