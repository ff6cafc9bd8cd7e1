import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';

/** How many CPUs a domain cpuset may name (libvirt's VIR_DOMAIN_CPUMASK_LEN); it bounds the work too. */
export const CPUMASK_LEN = 16384;

/**
 * Parses a CPU list the way libvirt's virBitmapParse does: comma-separated numbers and ranges (`0-3`), with
 * `^N` removing a number again; blanks around the items are allowed. Returns the set, sorted.
 */
export function parseBitmap(text: string): number[] {
  const set = new Set<number>();
  const fail = () => virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `Failed to parse bitmap '${text}'`);
  for (const raw of text.split(',')) {
    const m = /^\s*(\^)?([0-9]+)(?:-([0-9]+))?\s*$/.exec(raw);
    if (m === null || (m[1] !== undefined && m[3] !== undefined)) throw fail();
    const first = Number(m[2]);
    const last = m[3] === undefined ? first : Number(m[3]);
    if (last < first || last >= CPUMASK_LEN) throw fail();
    for (let n = first; n <= last; n++) {
      if (m[1] !== undefined) set.delete(n);
      else set.add(n);
    }
  }
  return [...set].sort((a, b) => a - b);
}

/** The canonical text of a CPU set: ascending, runs folded into ranges (`0-3,6`). */
export function formatBitmap(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    parts.push(j === i ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
