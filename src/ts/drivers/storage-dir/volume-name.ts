import { constants } from 'node:os';
import { join } from 'node:path';
import { systemError } from '../../errors/index.js';
import { FROM, operationInvalid } from './errors.js';
import { isPartialName } from './partial.js';

/** Linux's NAME_MAX: no filesystem takes a longer file name, so no such volume can exist. */
const NAME_MAX_BYTES = 255;

/**
 * Volume names are file names in the pool's directory, and nothing else: a name that could reach outside
 * the directory (a separator, `.`/`..`, NUL) or that hides in the driver's own namespace is refused before
 * any path is built from it. With such names, `join(poolDir, name)` is always a direct child of the pool
 * directory; symbolic links at that position are refused where files are opened (see volume-file.ts).
 */

/** Why `name` cannot name a volume file, or null when it can. */
function nameProblem(name: string): string | null {
  if (name.includes('/')) return "cannot contain '/'";
  if (name.includes('\0')) return 'cannot contain NUL';
  if (name === '') return 'cannot be empty';
  if (isPartialName(name)) return 'is reserved for volumes being built';
  return null;
}

/** True when `name` may name an existing volume (lookups: anything else simply is not found). */
export function isVolumeName(name: string): boolean {
  return nameProblem(name) === null && name !== '.' && name !== '..' && fitsFileName(name);
}

/** As Node reports the errno (negated), so the error carries it as libvirt's does. */
const nameTooLong = { code: 'ENAMETOOLONG', errno: -constants.errno.ENAMETOOLONG };

function fitsFileName(name: string): boolean {
  return Buffer.byteLength(name, 'utf8') <= NAME_MAX_BYTES;
}

/**
 * The checks a new volume's name gets, with libvirt's errors: a '/' is refused by name; `.` and `..`
 * name the directory itself or its parent, which libvirt reports as an existing target path.
 */
export function checkNewVolumeName(name: string, poolDir: string): void {
  const problem = nameProblem(name);
  if (problem) throw operationInvalid(`volume name '${name}' ${problem}`);
  if (name === '.' || name === '..') throw operationInvalid(`volume target path '${poolDir}/${name}' already exists`);
  // Refused before any data moves, in the words libvirt's dir backend uses when its open() fails so.
  if (!fitsFileName(name))
    throw systemError(nameTooLong, FROM, `Failed to create file '${volumePath(poolDir, name)}'`);
}

export function volumePath(poolDir: string, name: string): string {
  return join(poolDir, name);
}
