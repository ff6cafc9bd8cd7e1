import { resolve } from 'node:path';

/**
 * A file argument made absolute where the call is made, as libvirt's entry points do with
 * g_canonicalize_filename() before a save, restore or core dump: the work happens later (in a job here, in
 * the daemon for libvirt), so a chdir meanwhile must not move the file. The spelling is glib's, which
 * libvirt's messages show: relative to the current directory (`/` when that is gone, as glib's
 * g_get_current_dir answers), `.`, `..` and repeated or trailing slashes resolved lexically (symbolic links
 * are left alone), and a leading `//` kept, as POSIX lets it mean something else than `/`. The empty path
 * is the current directory.
 */
export function absolutePath(path: string): string {
  const resolved = resolve(currentDirectory(), path);
  return /^\/\/(?!\/)/.test(path) ? `/${resolved}` : resolved;
}

function currentDirectory(): string {
  try {
    return process.cwd();
  } catch {
    return '/';
  }
}
