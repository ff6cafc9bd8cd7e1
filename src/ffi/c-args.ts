import koffi from 'koffi';
import { checkNonNull } from '../ts/api/check.js';
import { ErrorDomain, ErrorNumber, VirError } from '../ts/errors/index.js';
import { UuidBytesType, UuidStringType } from './abi-types.js';
import type { Call } from './call.js';

/**
 * Checks and conversions of arguments that exist only in C (out-parameters, arrays with their length,
 * raw UUIDs), in libvirt's words (measured against libvirt 9.0). They come after the handle check and
 * before the TypeScript entry point, as libvirt orders its own checks.
 */

/** Pointer argument i must not be NULL. */
export function checkOut(call: Call, i: number, arg: string, from?: ErrorDomain): void {
  checkNonNull(call.ptr(i), arg, call.name, from);
}

/** An array the caller passes with its length: NULL only if empty, and the length not negative. */
export function checkArray(
  call: Call,
  array: string,
  length: string,
  value: number,
  from: ErrorDomain = ErrorDomain.VIR_FROM_DOMAIN,
): void {
  if (value > 0) checkNonNull(call.ptr(0), array, call.name, from);
  if (value < 0) throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${length} in ${call.name} must be zero or greater`);
}

/** The text form of the raw UUID (VIR_UUID_BUFLEN bytes) at pointer argument i. */
export function readRawUuid(call: Call, i: number): string {
  const hex = Buffer.from(koffi.decode(call.ptr(i), UuidBytesType) as Uint8Array).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Writes a UUID in its canonical text form (as handles hold it) as VIR_UUID_BUFLEN raw bytes. */
export function writeRawUuid(call: Call, i: number, uuid: string): void {
  call.write(i, UuidBytesType, Array.from(Buffer.from(uuid.replace(/-/g, ''), 'hex')));
}

/** Writes uuid (text form, NUL-terminated) into the VIR_UUID_STRING_BUFLEN buffer at pointer argument i. */
export function writeUuidString(call: Call, i: number, uuid: string): void {
  call.write(i, UuidStringType, uuid);
}
