import { ErrorDomain, ErrorNumber, VirError, virError } from '../errors/index.js';

/**
 * virsh's scaled sizes (`1G`, `500MiB`, `10kB`): an unsigned decimal integer, then an optional unit. A bare
 * letter or `<letter>iB` is a power of 1024, `<letter>B` a power of 1000; `b`/`B` alone means bytes. The
 * result is exact (BigInt) up to 2^64-1, the range of libvirt's unsigned long long.
 */
const MAX = (1n << 64n) - 1n;
const POWERS: Record<string, number> = { b: 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * Reads a size. Returns null when the text is not a number at all (virsh then says only "Malformed size");
 * throws libvirt's VirError for a bad unit or an overflow, which virsh prints after that line.
 */
export function parseScaledSize(text: string): bigint | null {
  // strtoull: leading blanks and one '+' are accepted; a '-' anywhere in front is refused (virStrToLong_ullp).
  const match = /^[ \t\n\v\f\r]*\+?([0-9]+)/.exec(text);
  if (!match || /^[ \t\n\v\f\r]*-/.test(text)) return null;
  const digits = BigInt(match[1]!);
  if (digits > MAX) return null;
  const suffix = text.slice(match[0].length);
  return scale(digits, suffix);
}

function scale(value: bigint, suffix: string): bigint {
  if (suffix === '') return value;
  let base: bigint;
  const rest = suffix.slice(1);
  if (rest === '' || rest.toLowerCase() === 'ib') base = 1024n;
  else if (rest.toLowerCase() === 'b') base = 1000n;
  else throw unknownSuffix(suffix);
  const power = POWERS[suffix[0]!.toLowerCase()];
  if (power === undefined) throw unknownSuffix(suffix);
  const factor = base ** BigInt(power);
  if (value !== 0n && value > MAX / factor)
    throw virError(ErrorNumber.VIR_ERR_OVERFLOW, ErrorDomain.VIR_FROM_NONE, `value too large: ${value}${suffix}`);
  return value * factor;
}

function unknownSuffix(suffix: string): VirError {
  return virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `unknown suffix '${suffix}'`);
}
