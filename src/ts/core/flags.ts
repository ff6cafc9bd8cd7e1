import { ErrorDomain, ErrorNumber, VirError } from '../errors/index.js';

/** A driver's flag check, in libvirt's words (the function named is the driver's, as libvirt names it). */
export function checkFlags(flags: number, allowed: number, driverFn: string, from: ErrorDomain): void {
  const unsupported = flags & ~allowed;
  if (unsupported)
    throw new VirError(
      ErrorNumber.VIR_ERR_INVALID_ARG,
      from,
      `unsupported flags (0x${(unsupported >>> 0).toString(16)}) in function ${driverFn}`,
    );
}
