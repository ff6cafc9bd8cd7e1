import { open, readFile, rename, unlink } from 'node:fs/promises';
import { ErrorDomain, ErrorNumber, systemError as reportSystemError, virError } from '../../errors/index.js';

/**
 * libvirt's test-driver save image: the 15 bytes "TestGuestMagic\0", the XML's length as a 4-byte
 * little-endian int, then the domain XML. Files written by real libvirt restore here and the other way round.
 * A core dump of the test driver is the magic alone.
 */
export const SAVE_MAGIC = Buffer.from('TestGuestMagic\0', 'latin1');
const MAX_XML_LENGTH = 8192;
const FROM = ErrorDomain.VIR_FROM_TEST;
const systemError = (err: unknown, message: string) => reportSystemError(err, FROM, message);

export function encodeSaveImage(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeInt32LE(body.length);
  return Buffer.concat([SAVE_MAGIC, length, body]);
}

/** Reads a save image and returns its XML, with libvirt's errors for each way the file can be wrong. */
export async function readSaveImage(path: string): Promise<string> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw systemError(err, `cannot read domain image '${path}'`);
  }
  if (data.length < SAVE_MAGIC.length) throw systemError(null, `incomplete save header in '${path}'`);
  if (!data.subarray(0, SAVE_MAGIC.length).equals(SAVE_MAGIC))
    throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'mismatched header magic');
  if (data.length < SAVE_MAGIC.length + 4) throw systemError(null, `failed to read metadata length in '${path}'`);
  const length = data.readInt32LE(SAVE_MAGIC.length);
  if (length < 1 || length > MAX_XML_LENGTH)
    throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, FROM, 'length of metadata out of range');
  const start = SAVE_MAGIC.length + 4;
  if (data.length < start + length) throw systemError(null, `incomplete metadata in '${path}'`);
  return data.subarray(start, start + length).toString('utf8');
}

/**
 * Writes `content` to a temporary file beside `path`; `commit` renames it into place. Until then nothing
 * exists under the final name, so a cancel, crash or error never leaves a half-written image.
 */
/** How a failure to open or to write the file is reported, in the test driver's words for that file. */
export interface FileFailures {
  open: string;
  write: string;
}

export async function stageFile(path: string, content: Buffer, failures: FileFailures): Promise<StagedFile> {
  const temp = `${path}.tsvirt-${process.pid}-${Math.random().toString(36).slice(2, 10)}.part`;
  let handle;
  try {
    handle = await open(temp, 'wx', 0o600);
  } catch (err) {
    throw systemError(err, failures.open);
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw systemError(err, failures.write);
  }
  return {
    async commit() {
      try {
        await rename(temp, path);
      } catch (err) {
        await unlink(temp).catch(() => {});
        throw systemError(err, failures.write);
      }
    },
    async discard() {
      await unlink(temp).catch(() => {});
    },
  };
}

export interface StagedFile {
  commit(): Promise<void>;
  discard(): Promise<void>;
}
