/**
 * Runs inside a worker thread (bundled by xml-fuzz.test.ts), so that an input that never finishes can be
 * stopped from outside: before each input it publishes the input's number in shared memory, where the test's
 * watchdog sees whether it moves on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatDomainXML, parseDomainXML } from '../../src/ts/conf/domain.js';
import { formatNetworkXML, parseNetworkXML } from '../../src/ts/conf/network.js';
import { formatPoolXML, formatVolumeXML, parsePoolXML, parseVolumeXML, placeVolumeInPool, type PoolDef } from '../../src/ts/conf/storage.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';

export type Kind = 'domain' | 'network' | 'pool' | 'volume';

/** What the drivers do on define: parse, fill in, print. */
const DEFINE: Record<Kind, (xml: string) => string> = {
  domain: (xml) => formatDomainXML(parseDomainXML(xml), { inactive: true }),
  network: (xml) => formatNetworkXML(parseNetworkXML(xml)),
  pool: (xml) => formatPoolXML(parsePoolXML(xml)),
  volume: (xml) => {
    const vol = parseVolumeXML(xml);
    placeVolumeInPool(vol, { target: { path: '/default-pool' } } as PoolDef);
    return formatVolumeXML(vol);
  },
};

const CODES = new Set(Object.values(ErrorNumber).filter((v) => typeof v === 'number'));
const DOMAINS = new Set(Object.values(ErrorDomain).filter((v) => typeof v === 'number'));

export interface Finding {
  index: number;
  problem: string;
}

/**
 * Where libvirt 9.0 itself prints what it cannot read back (measured): ids and drive address numbers read as
 * unsigned but printed with %d, so 2147483648 comes out as -2147483648, which the next define refuses.
 */
const LIBVIRT_CANNOT_REREAD =
  /^XML error: (malformed (owner|group) element|Invalid value for attribute '(controller|bus|target|unit)' in element 'address': '-\d+'\. Expected non-negative integer value)$/;

/** Checks one input: refused with a libvirt error, or accepted and printed stably. Returns what is wrong. */
export function check(kind: Kind, xml: string): string | null {
  let printed: string;
  try {
    printed = DEFINE[kind](xml);
  } catch (err) {
    if (!(err instanceof VirError)) return `threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 300)}`;
    if (!CODES.has(err.code) || err.code === 0 || !DOMAINS.has(err.domain) || err.message === '') {
      return `VirError without a libvirt code/domain/message: ${err.code}/${err.domain} ${err.message.slice(0, 200)}`;
    }
    return null;
  }
  // What tsvirt prints it must accept again, and from then on print the same (the first print may still
  // move devices, as libvirt does when defaults it filled in are read back).
  try {
    const again = DEFINE[kind](printed);
    const third = DEFINE[kind](again);
    if (third !== again) return `printed XML does not round-trip:\n${again.slice(0, 2000)}\n---\n${third.slice(0, 2000)}`;
  } catch (err) {
    if (err instanceof VirError && LIBVIRT_CANNOT_REREAD.test(err.message)) return null;
    return `printed XML is refused: ${String((err as Error)?.message).slice(0, 300)}\n${printed.slice(0, 2000)}`;
  }
  return null;
}

if (parentPort !== null && workerData !== undefined) {
  const { kind, inputs, progress } = workerData as { kind: Kind; inputs: string[]; progress: SharedArrayBuffer };
  const at = new Int32Array(progress);
  const findings: Finding[] = [];
  inputs.forEach((xml, index) => {
    Atomics.store(at, 0, index);
    const problem = check(kind, xml);
    if (problem !== null) findings.push({ index, problem });
  });
  Atomics.store(at, 0, inputs.length);
  parentPort.postMessage(findings);
}
