import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ErrorDomain, ErrorNumber, VirError, systemError as reportSystemError, virError } from '../../errors/index.js';
import type { JobControl } from '../../jobs/job.js';
import { formatXmlErrorDetail } from '../../xml/error-context.js';
import { openWaitingForPeer } from './fifo.js';

// node:fs/promises on first use: a short tsvirsh command on the test driver does no file I/O (~0.8 ms of its start).
const fsp = () => process.getBuiltinModule('node:fs/promises');

/**
 * libvirt's test-driver save image: the 15 bytes "TestGuestMagic\0", the XML's length as a 4-byte
 * little-endian int, then the domain XML. Files written by real libvirt restore here and the other way round.
 * A core dump of the test driver is the magic alone.
 */
export const SAVE_MAGIC = Buffer.from('TestGuestMagic\0', 'latin1');
/** libvirt's bound on the XML's length: no image makes restore read more than the header and this. */
const MAX_XML_LENGTH = 8192;
const LENGTH_BYTES = 4;
const FROM = ErrorDomain.VIR_FROM_TEST;
const systemError = (err: unknown, message: string) => reportSystemError(err, FROM, message);

/** libvirt reports a short read with the errno of a read that failed nothing: strerror(0). */
const shortRead = (message: string) => new VirError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, FROM, `${message}: Success`);

export function encodeSaveImage(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeInt32LE(body.length);
  return Buffer.concat([SAVE_MAGIC, length, body]);
}

/**
 * Reads a save image and returns its XML, with libvirt's errors for each way the file can be wrong. It reads
 * as libvirt does, the header then at most MAX_XML_LENGTH bytes, so any file (a device, a FIFO, a huge
 * sparse file) costs at most that much memory; the image is opened as it is (a FIFO waits for a writer).
 */
export async function readSaveImage(control: JobControl, path: string): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await openWaitingForPeer(control, path, constants.O_RDONLY, await fsp().stat(path).catch(() => null));
  } catch (err) {
    if (err === control.signal.reason) throw err;
    throw systemError(err, `cannot read domain image '${path}'`);
  }
  try {
    const magic = await readUpTo(handle, SAVE_MAGIC.length, `incomplete save header in '${path}'`);
    if (!magic.equals(SAVE_MAGIC)) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'mismatched header magic');
    const length = (await readUpTo(handle, LENGTH_BYTES, `failed to read metadata length in '${path}'`)).readInt32LE(0);
    if (length < 1 || length > MAX_XML_LENGTH)
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'length of metadata out of range');
    return decodeXml(await readUpTo(handle, length, `incomplete metadata in '${path}'`));
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Exactly `size` bytes from the current position (libvirt's saferead), or the error `message` names. */
async function readUpTo(handle: FileHandle, size: number, message: string): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  let filled = 0;
  try {
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (err) {
    throw systemError(err, message);
  }
  if (filled < size) throw shortRead(message);
  return buffer;
}

/**
 * The XML as libvirt hands it to its parser: a C string, so it ends at the first NUL byte, and UTF-8 that
 * libxml2 checks before it parses anything else.
 */
function decodeXml(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  const text = nul >= 0 ? bytes.subarray(0, nul) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    throw notUtf8(text);
  }
}

/** libxml2's complaint about the first byte that is not UTF-8, with the four bytes from there. */
function notUtf8(bytes: Buffer): VirError {
  let at = 0;
  while (at < bytes.length) {
    const valid = validUtf8Length(bytes, at);
    if (valid === 0) break;
    at += valid;
  }
  const shown = [...bytes.subarray(at, at + 4)].map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
  const before = bytes.subarray(0, at).toString('utf8');
  const text = before + bytes.subarray(at).toString('utf8');
  const line = before.split('\n').length;
  const message = `Input is not proper UTF-8, indicate encoding !\nBytes: ${shown}`;
  return virError(
    ErrorNumber.VIR_ERR_XML_DETAIL,
    ErrorDomain.VIR_FROM_DOMAIN,
    formatXmlErrorDetail(text, before.length, line, message, '(domain_definition)'),
  );
}

/** The length of the valid UTF-8 sequence at `at`, or 0 when there is none. */
function validUtf8Length(bytes: Buffer, at: number): number {
  const first = bytes[at]!;
  const length = first < 0x80 ? 1 : first >= 0xc2 && first < 0xe0 ? 2 : first >= 0xe0 && first < 0xf0 ? 3 : first >= 0xf0 && first < 0xf5 ? 4 : 0;
  if (length === 0 || at + length > bytes.length) return 0;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + length));
    return length;
  } catch {
    return 0;
  }
}
