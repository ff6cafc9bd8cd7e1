import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { JobControl } from '../../jobs/job.js';

// node:fs/promises on first use: a short tsvirsh command on the test driver does no file I/O (~0.8 ms of its start).
const fsp = () => process.getBuiltinModule('node:fs/promises');

/**
 * Opens `path`; for a FIFO, the open waits until the other end is opened, as in libvirt. A cancel meanwhile
 * opens the other end itself, without blocking, so that the wait ends; the open then fails with the cancel's
 * reason.
 */
export async function openWaitingForPeer(
  control: JobControl,
  path: string,
  flags: number,
  existing: Stats | null,
): Promise<FileHandle> {
  if (!existing?.isFIFO()) return fsp().open(path, flags, 0o600);
  const reading = (flags & (constants.O_WRONLY | constants.O_RDWR)) === constants.O_RDONLY;
  const peerFlags = (reading ? constants.O_WRONLY : constants.O_RDONLY) | constants.O_NONBLOCK;
  let opened = false;
  let peer: Promise<FileHandle | null> | undefined;
  // A writer that does not wait fails (ENXIO) until the waiting reader is inside open(): try again until then.
  const openPeer = async (): Promise<FileHandle | null> => {
    while (!opened) {
      const handle = await fsp().open(path, peerFlags).catch(() => null);
      if (handle) return handle;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return null;
  };
  const endWait = () => (peer ??= openPeer());
  if (control.cancelRequested) endWait();
  else control.signal.addEventListener('abort', endWait, { once: true });
  try {
    const handle = await fsp().open(path, flags);
    opened = true;
    if (peer) {
      await handle.close().catch(() => {});
      throw control.signal.reason;
    }
    return handle;
  } finally {
    opened = true;
    control.signal.removeEventListener('abort', endWait);
    if (peer) await (await peer)?.close().catch(() => {});
  }
}
