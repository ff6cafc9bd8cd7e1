import { ErrorNumber, type ErrorDomain } from './codes.js';
import { VirError } from './vir-error.js';

/** libvirt's virReportSystemError: the message, then ': ' and the system's description of errno. */
export function systemError(err: unknown, domain: ErrorDomain, message: string): VirError {
  const text = describeErrno(err);
  return new VirError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, domain, text ? `${message}: ${text}` : message, {
    int1: (err as NodeJS.ErrnoException | null)?.errno ? -(err as NodeJS.ErrnoException).errno! : 0,
  });
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EPERM: 'Operation not permitted',
  EIO: 'Input/output error',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EDQUOT: 'Disk quota exceeded',
  EINVAL: 'Invalid argument',
  ENOTEMPTY: 'Directory not empty',
  EFBIG: 'File too large',
  EBUSY: 'Device or resource busy',
  EXDEV: 'Invalid cross-device link',
  EOPNOTSUPP: 'Operation not supported',
  ENOTSUP: 'Operation not supported',
  EMLINK: 'Too many links',
  EPIPE: 'Broken pipe',
  ENXIO: 'No such device or address',
  EOVERFLOW: 'Value too large for defined data type',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ENOTSOCK: 'Socket operation on non-socket',
};

/** strerror(errno) for a Node error: the C library's text, which is what libvirt prints. */
export function describeErrno(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!code) return '';
  return ERRNO_TEXT[code] ?? code;
}
