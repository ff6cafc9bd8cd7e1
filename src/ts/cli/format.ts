/**
 * Text layout helpers that reproduce virsh's printf formats byte for byte: `%-15s` pads by bytes, `%.2lf`
 * rounds the exact binary value half-to-even as glibc does, sizes get binary unit names, and tables are
 * laid out as vshTable lays them out.
 */

/** `%-Ns`: pads to `width` bytes of UTF-8, as C's printf counts. */
export function padEnd(text: string, width: number): string {
  const bytes = Buffer.byteLength(text);
  return bytes >= width ? text : text + ' '.repeat(width - bytes);
}

/** A `%-15s %s` line of virsh's information blocks (dominfo, pool-info, ...). */
export function infoLine(label: string, value: string | number, width = 15): string {
  return `${padEnd(label, width)} ${value}\n`;
}

/**
 * `%.Nf` of a finite double, rounded like glibc: from the exact binary value, ties to even. JavaScript's
 * toFixed rounds ties up, which differs for values such as 1.125 at two places.
 */
export function toFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const negative = value < 0 || Object.is(value, -0);
  const [mantissa, exponent] = decompose(Math.abs(value));
  const scale = 10n ** BigInt(digits);
  let scaled: bigint;
  if (exponent >= 0) {
    scaled = (mantissa << BigInt(exponent)) * scale;
  } else {
    const numerator = mantissa * scale;
    const denominator = 1n << BigInt(-exponent);
    scaled = numerator / denominator;
    const twice = (numerator % denominator) * 2n;
    if (twice > denominator || (twice === denominator && scaled % 2n === 1n)) scaled += 1n;
  }
  let text = scaled.toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, '0');
    text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  }
  return negative ? `-${text}` : text;
}

/** A non-negative finite double as mantissa * 2^exponent with an integer mantissa. */
function decompose(value: number): [bigint, number] {
  if (value === 0) return [0n, 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return [mantissa, -1074];
  mantissa |= 1n << 52n;
  return [mantissa, biased - 1075];
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** vshPrettyCapacity: the value scaled to the largest binary unit below it, and that unit's name. */
export function prettyCapacity(bytes: number | bigint): { value: number; unit: string } {
  const exact = BigInt(bytes);
  let limit = 1024n;
  for (let i = 0; i < UNITS.length - 1; i++) {
    if (exact < limit) return { value: i === 0 ? Number(exact) : Number(exact) / Number(limit / 1024n), unit: UNITS[i]! };
    limit *= 1024n;
  }
  return { value: Number(exact) / 2 ** 60, unit: 'EiB' };
}

/** A size as virsh prints it with `%.Nlf %s`, e.g. `100.00 GiB`, `0.00 B`. */
export function formatCapacity(bytes: number | bigint, digits = 2): string {
  const { value, unit } = prettyCapacity(bytes);
  return `${toFixed(value, digits)} ${unit}`;
}

/**
 * vshTable: a header row, a rule of dashes, then the rows. Each cell is preceded by one space and padded to
 * its column's width plus two; the last cell is not padded. With `header` false (virsh -q) neither the
 * header nor the rule is printed, and column widths come from the rows alone.
 */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[], header = true): string {
  const all = header ? [head, ...rows] : rows;
  const widths = head.map((_, col) => Math.max(0, ...all.map((row) => displayWidth(row[col] ?? ''))));
  let out = '';
  const line = (row: readonly string[]) => {
    row.forEach((cell, col) => {
      out += ` ${cell}`;
      if (col < row.length - 1) out += ' '.repeat(widths[col]! - displayWidth(cell) + 2);
    });
    out += '\n';
  };
  if (header) {
    line(head);
    out += '-'.repeat(widths.reduce((sum, w) => sum + w + 3, 0)) + '\n';
  }
  for (const row of rows) line(row);
  return out;
}

/** Columns a string takes on a terminal: one per character, two for wide East Asian ones. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** vshStrcasecmp: ASCII case folded, then byte order. */
export function compareIgnoringCase(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
