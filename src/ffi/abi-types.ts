import koffi, { type TypeObject } from 'koffi';
import { abiStructs } from './abi.generated.js';

/**
 * The koffi types of the C ABI, declared once for the process (koffi's type names are process-wide:
 * ENGINEERING.md, koffi rule 7). Struct layouts come from the headers through abi.generated.ts, so the
 * bridge writes exactly the structs a C program reads.
 */

/** The structs the bridge fills for a C caller (its out-parameters). */
const OUT_STRUCTS = [
  'virNodeInfo',
  'virSecurityModel',
  'virSecurityLabel',
  'virDomainInfo',
  'virDomainJobInfo',
  'virJobInfo',
  'virStoragePoolInfo',
  'virStorageVolInfo',
] as const satisfies readonly (keyof typeof abiStructs)[];

export type OutStruct = (typeof OUT_STRUCTS)[number];

export const structTypes = Object.fromEntries(
  OUT_STRUCTS.map((name) => [
    name,
    koffi.struct(name, Object.fromEntries(abiStructs[name].map((field) => [field.name, field.type]))),
  ]),
) as Record<OutStruct, TypeObject>;

/**
 * The dispatcher C calls for every operation (native/src/abi/abi_bridge.h): the call to answer, the
 * operation's number, whether the caller is a thread other than JavaScript's, then the arguments.
 */
export const DispatcherType = koffi.proto(
  'int abi_dispatcher(void *call, int fn, int foreign, uint32_t h0, uint32_t h1, int64_t n0, int64_t n1,' +
    ' int64_t n2, const char *s0, const char *s1, void *p0, void *p1, void *p2)',
);

/** Called by a thread that queued a call while the ring's server slept (native/src/abi/abi_ring.h). */
export const RingWakerType = koffi.proto('void abi_waker(void)');

/** Called from the program's thread once its main() returned (native/src/abi/abi_program.c). */
export const ProgramDoneType = koffi.proto('void abi_program_done(int status)');

/** A raw UUID (VIR_UUID_BUFLEN) and its text form with the NUL (VIR_UUID_STRING_BUFLEN). */
export const UuidBytesType = koffi.array('uint8_t', 16);
export const UuidStringType = koffi.array('char', 37);
