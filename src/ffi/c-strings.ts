import { ErrorDomain, ErrorNumber, VirError, virError } from '../ts/errors/index.js';
import type { Operation } from './call.js';
import type { NativeAbi, Pointer } from './native-abi.js';

/**
 * C strings that are not valid UTF-8. koffi decodes a `const char *` as UTF-8, turning each invalid sequence
 * into U+FFFD, so two different byte strings could reach the drivers as one name or one file. The dispatcher
 * asks here first, whenever a decoded argument holds a U+FFFD, and never lets such a string through as it
 * was decoded:
 * - an XML document fails as libvirt's does (libxml2: "Input is not proper UTF-8, indicate encoding !");
 * - a URI fails as libvirt's URI parser fails ("Unable to parse URI ...");
 * - a file path fails: libvirt would pass the bytes to the file system, but the drivers name files with
 *   JavaScript strings, which cannot hold them (docs/compatibility.md);
 * - a string that names what to look up (a name, key, UUID or type) goes to the entry point as a stand-in
 *   that no object can have, and the caller's bytes replace the stand-in in the error: `no storage pool with
 *   matching name 'p\xff'`, as libvirt answers;
 * - any other string fails (an operation STRING_KINDS does not know yet).
 * The handles are checked first: with an invalid handle the entry point reports that, as libvirt does.
 */

type StringKind = 'domain-xml' | 'network-xml' | 'pool-xml' | 'volume-xml' | 'path' | 'uri' | 'lookup';

/**
 * What each string argument is, per operation: [s0, s1]. Only a string that names what to look up ('lookup')
 * may go on as a stand-in; an operation missing here refuses such a string, so that no stand-in is ever kept.
 */
export const STRING_KINDS: Partial<Record<Operation, readonly StringKind[]>> = {
  virGetVersion: ['lookup'],
  virConnectGetMaxVcpus: ['lookup'],
  virDomainLookupByName: ['lookup'],
  virDomainLookupByUUIDString: ['lookup'],
  virNetworkLookupByName: ['lookup'],
  virNetworkLookupByUUIDString: ['lookup'],
  virStoragePoolLookupByName: ['lookup'],
  virStoragePoolLookupByUUIDString: ['lookup'],
  virStorageVolLookupByName: ['lookup'],
  virStorageVolLookupByKey: ['lookup'],
  virStorageVolLookupByPath: ['lookup'],
  virConnectOpen: ['uri'],
  virConnectOpenReadOnly: ['uri'],
  virConnectOpenAuth: ['uri'],
  virDomainCreateXML: ['domain-xml'],
  virDomainCreateLinux: ['domain-xml'],
  virDomainCreateXMLJob: ['domain-xml'],
  virDomainCreateLinuxJob: ['domain-xml'],
  virDomainDefineXML: ['domain-xml'],
  virDomainDefineXMLFlags: ['domain-xml'],
  virDomainSave: ['path'],
  virDomainSaveFlags: ['path', 'domain-xml'],
  virDomainSaveJob: ['path'],
  virDomainRestore: ['path'],
  virDomainRestoreFlags: ['path', 'domain-xml'],
  virDomainRestoreJob: ['path'],
  virDomainCoreDump: ['path'],
  virDomainCoreDumpWithFormat: ['path'],
  virDomainCoreDumpJob: ['path'],
  virNetworkCreateXML: ['network-xml'],
  virNetworkCreateXMLJob: ['network-xml'],
  virNetworkDefineXML: ['network-xml'],
  virStoragePoolCreateXML: ['pool-xml'],
  virStoragePoolDefineXML: ['pool-xml'],
  virStorageVolCreateXML: ['volume-xml'],
  virStorageVolCreateXMLJob: ['volume-xml'],
  virStorageVolCreateXMLFrom: ['volume-xml'],
  virStorageVolCreateXMLFromJob: ['volume-xml'],
};

/** libvirt's name for each kind of document parsed from a string, and the error domain it reports from. */
const DOCUMENTS: Record<string, { name: string; domain: ErrorDomain }> = {
  'domain-xml': { name: 'domain_definition', domain: ErrorDomain.VIR_FROM_DOMAIN },
  'network-xml': { name: 'network_definition', domain: ErrorDomain.VIR_FROM_NETWORK },
  'pool-xml': { name: 'storage_pool_definition', domain: ErrorDomain.VIR_FROM_STORAGE },
  'volume-xml': { name: 'storage_volume_definition', domain: ErrorDomain.VIR_FROM_STORAGE },
};

/** Text that stands for the caller's bytes until an error goes back to C. */
interface Substitution {
  readonly text: string;
  readonly bytes: Buffer;
}

export interface CheckedStrings {
  /** The strings to hand to the entry point. */
  readonly strs: (string | null)[];
  /** What to put back into the error's text on the way to C. */
  readonly substitutions: readonly Substitution[];
  /** Set when the call fails here, before its entry point. */
  readonly error?: VirError;
}

let standIns = 0;

/**
 * Checks the decoded string arguments of a call, which the header names `names`; `handlesValid()` says
 * whether its handle arguments name live objects of their kind.
 */
export function checkCStrings(
  abi: NativeAbi,
  call: Pointer,
  name: Operation,
  strs: readonly (string | null)[],
  names: readonly string[],
  handlesValid: () => boolean,
): CheckedStrings {
  const result: CheckedStrings = { strs: [...strs], substitutions: [] };
  if (!strs.some((s) => s !== null && s.includes('\uFFFD'))) return result;
  const invalid = strs.map((s, i) => (s !== null && s.includes('\uFFFD') ? invalidBytes(abi, call, i) : null));
  if (invalid.every((bytes) => bytes === null)) return result;
  // Bad handles are the entry point's to report, before anything about the strings.
  if (!handlesValid()) return result;

  const substitutions: Substitution[] = [];
  const standIn = (bytes: Buffer): string => {
    // U+10FFFD is a private-use code point: no name, path or document of the drivers' holds one.
    const text = `\u{10FFFD}tsvirt-bytes-${++standIns}\u{10FFFD}`;
    substitutions.push({ text, bytes });
    return text;
  };
  const out = [...strs];
  for (let i = 0; i < invalid.length; i++) {
    const bytes = invalid[i];
    if (!bytes) continue;
    const kind = STRING_KINDS[name]?.[i];
    if (kind === undefined)
      return fail(out, substitutions, virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_NONE, `strings in ${name} must be valid UTF-8`));
    if (kind === 'uri')
      return fail(out, substitutions, virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_URI, `Unable to parse URI ${standIn(bytes)}`));
    if (kind === 'path')
      return fail(
        out,
        substitutions,
        virError(
          ErrorNumber.VIR_ERR_INVALID_ARG,
          ErrorDomain.VIR_FROM_DOMAIN,
          `${names[i]} in ${name} must be valid UTF-8: tsvirt names files with text`,
        ),
      );
    if (kind === 'lookup') {
      out[i] = standIn(bytes);
      continue;
    }
    const { name: document, domain } = DOCUMENTS[kind]!;
    return fail(out, substitutions, notProperUtf8(bytes, document, domain, standIn));
  }
  return { strs: out, substitutions };
}

function fail(strs: (string | null)[], substitutions: Substitution[], error: VirError): CheckedStrings {
  return { strs, substitutions, error };
}

/** String argument i's bytes if they are not valid UTF-8, else null. */
function invalidBytes(abi: NativeAbi, call: Pointer, i: number): Buffer | null {
  const length = Number(abi.stringBytes(call, i, null, 0));
  if (length < 0) return null;
  const bytes = Buffer.alloc(length);
  abi.stringBytes(call, i, bytes, length);
  return firstInvalidUtf8(bytes) < 0 ? null : bytes;
}

/** Where the first byte sequence that is not UTF-8 starts (overlong forms, surrogates and code points past
 * U+10FFFF included), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) length = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c === 0xe0) low = 0xa0;
      if (c === 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c === 0xf0) low = 0x90;
      if (c === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

/**
 * libvirt's error for a document that is not UTF-8, as libxml2 reports it and libvirt shows it: where, the
 * four bytes from the bad one, the line as bytes and a caret under the bad byte (tabs kept as tabs).
 *
 *   (domain_definition):1: Input is not proper UTF-8, indicate encoding !
 *   Bytes: 0xFF 0x3C 0x2F 0x6E
 *   <domain type='test'><name>vm\xff</name>...
 *   ----------------------------^
 */
function notProperUtf8(bytes: Buffer, document: string, domain: ErrorDomain, standIn: (bytes: Buffer) => string): VirError {
  const pos = firstInvalidUtf8(bytes);
  let line = 1;
  for (let i = 0; i < pos; i++) if (bytes[i] === 0x0a) line++;
  const isBreak = (b: number | undefined) => b === 0x0a || b === 0x0d;
  let start = pos;
  while (start > 0 && !isBreak(bytes[start - 1])) start--;
  let end = pos;
  while (end < bytes.length && !isBreak(bytes[end])) end++;
  let pointer = '';
  for (let i = start; i < pos; i++) pointer += bytes[i] === 0x09 ? '\t' : '-';
  // libxml2 shows the bytes only when four are left (fewer: see docs/compatibility.md).
  const shown = pos + 4 <= bytes.length ? [...bytes.subarray(pos, pos + 4)] : null;
  const detail = shown
    ? `\nBytes: ${shown.map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ')}`
    : '';
  const message =
    `(${document}):${line}: Input is not proper UTF-8, indicate encoding !${detail}\n` +
    `${standIn(bytes.subarray(start, end))}\n${pointer}^`;
  return new VirError(ErrorNumber.VIR_ERR_XML_DETAIL, domain, message);
}

/** text as C gets it: UTF-8, the stand-ins replaced by the caller's bytes, NUL-terminated when changed. */
export function withCallerBytes(text: string, substitutions: readonly Substitution[]): string | Buffer {
  if (!substitutions.some((s) => text.includes(s.text))) return text;
  let parts: (string | Buffer)[] = [text];
  for (const { text: standIn, bytes } of substitutions)
    parts = parts.flatMap((part) =>
      typeof part === 'string' ? part.split(standIn).flatMap((piece, i) => (i === 0 ? [piece] : [bytes, piece])) : [part],
    );
  return Buffer.concat([...parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)), Buffer.of(0)]);
}
