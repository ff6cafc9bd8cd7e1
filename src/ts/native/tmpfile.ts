import { getSystemErrorName } from 'node:util';
import { bridgeFunction, type BridgeFunction } from './library.js';

/**
 * Unnamed files (native/src/copy/tmpfile.h): written, synced, then linked under their final name, so nothing of
 * them is on disk under any name before that, even if the process is killed. The calls run on libuv's pool:
 * they are short, but a slow filesystem must not stall the event loop.
 */

let bindings: { open: BridgeFunction; link: BridgeFunction } | undefined;

function native() {
  bindings ??= {
    open: bridgeFunction('int tsvirt_tmpfile_open(const char *dir, unsigned int mode)'),
    link: bridgeFunction('int tsvirt_tmpfile_link(int fd, const char *path)'),
  };
  return bindings;
}

function call(fn: BridgeFunction, ...args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => fn.async(...args, (err: unknown, rc: number) => (err ? reject(err) : resolve(rc))));
}

/** A failure shaped as Node's own file-system errors, so callers describe both alike. */
function errnoError(rc: number, syscall: string, path: string): NodeJS.ErrnoException {
  const code = getSystemErrorName(rc);
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, errno: rc, syscall, path });
}

/** Filesystems without unnamed files answer these (EISDIR: kernels that predate O_TMPFILE). */
const UNSUPPORTED = new Set(['EOPNOTSUPP', 'ENOTSUP', 'EISDIR', 'EINVAL']);

/**
 * A new unnamed file in `dir`, open for writing: its descriptor (close it with fs.close), or null when
 * unnamed files are not available here (the filesystem has none, or the native library is missing).
 * Other failures (no such directory, no permission) reject with Node's error shape.
 */
export async function openUnnamedFile(dir: string, mode: number): Promise<number | null> {
  let bound;
  try {
    bound = native();
  } catch {
    return null;
  }
  const rc = await call(bound.open, dir, mode);
  if (rc >= 0) return rc;
  const err = errnoError(rc, 'open', dir);
  if (UNSUPPORTED.has(err.code!)) return null;
  throw err;
}

/** Names the unnamed file `fd` as `path`; rejects with EEXIST rather than replace an existing file. */
export async function linkUnnamedFile(fd: number, path: string): Promise<void> {
  const rc = await call(native().link, fd, path);
  if (rc < 0) throw errnoError(rc, 'link', path);
}
