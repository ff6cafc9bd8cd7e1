import koffi from 'koffi';
import { checkNonNull } from '../ts/api/check.js';
import { ErrorDomain, ErrorNumber, VirError } from '../ts/errors/index.js';
import { UuidBytesType, UuidStringType } from './abi-types.js';
import { writeOut, type Call } from './call.js';
import type { Pointer } from './native-abi.js';

/**
 * Checks and conversions of arguments that exist only in C (out-parameters, arrays with their length,
 * raw UUIDs), in libvirt's words (measured against libvirt 9.0). They come after the handle check and
 * before the TypeScript entry point, as libvirt orders its own checks. An argument is passed as a
 * one-property object, `{ info }`, so that the error names it as the header does.
 */

type Named<T> = Readonly<Record<string, T>>;

function single<T>(named: Named<T>): [string, T] {
  return Object.entries(named)[0]!;
}

/** An out-parameter that must not be NULL. */
export function checkOut(call: Call, out: Named<Pointer | null>, from?: ErrorDomain): void {
  const [arg, value] = single(out);
  checkNonNull(value, arg, call.name, from);
}

/** An array the caller passes with its length: NULL only if empty, and the length not negative. */
export function checkArray(
  call: Call,
  array: Named<Pointer | null>,
  length: Named<number>,
  from: ErrorDomain = ErrorDomain.VIR_FROM_DOMAIN,
): void {
  const [arrayName, pointer] = single(array);
  const [lengthName, value] = single(length);
  if (value > 0) checkNonNull(pointer, arrayName, call.name, from);
  if (value < 0) throw new VirError(ErrorNumber.VIR_ERR_INVALID_ARG, from, `${lengthName} in ${call.name} must be zero or greater`);
}

/** The text form of the raw UUID (VIR_UUID_BUFLEN bytes) at uuid. */
export function readRawUuid(uuid: Pointer | null): string {
  const hex = Buffer.from(koffi.decode(uuid, UuidBytesType) as Uint8Array).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Writes a UUID in its canonical text form (as handles hold it) as VIR_UUID_BUFLEN raw bytes at out. */
export function writeRawUuid(out: Pointer | null, uuid: string): void {
  writeOut(out, UuidBytesType, Array.from(Buffer.from(uuid.replace(/-/g, ''), 'hex')));
}

/** Writes uuid (text form, NUL-terminated) into the VIR_UUID_STRING_BUFLEN buffer at out. */
export function writeUuidString(out: Pointer | null, uuid: string): void {
  writeOut(out, UuidStringType, uuid);
}
