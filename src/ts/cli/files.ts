import { ErrorDomain, systemError } from '../errors/index.js';
import { decodeBytes } from '../xml/bytes.js';

/** virsh refuses XML files larger than this (VSH_MAX_XML_FILE). */
const MAX_XML_FILE = 10 * 1024 * 1024;

/**
 * virFileReadAll with virsh's limit: the file's text, or libvirt's system error ("Failed to open file '...':
 * No such file or directory", "Failed to read file '...': Is a directory"), thrown as a VirError for virsh to
 * report. Like libvirt, it reads at most one byte past the limit, so /dev/zero or a huge file is refused with
 * "Value too large for defined data type" (EOVERFLOW) without being read. Bytes that are not UTF-8 are kept
 * (see xml/bytes.ts), for the XML parser to refuse as libxml2 does.
 */
export async function readXmlFile(path: string): Promise<string> {
  // Node's promise file API loads on first use (2 ms of a short command's start-up otherwise).
  const { open } = await import('node:fs/promises');
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw systemError(err, ErrorDomain.VIR_FROM_NONE, `Failed to open file '${path}'`);
  }
  try {
    const data = Buffer.allocUnsafe(MAX_XML_FILE + 1);
    let length = 0;
    for (;;) {
      let read: number;
      try {
        ({ bytesRead: read } = await file.read(data, length, data.length - length, null));
      } catch (err) {
        throw systemError(err, ErrorDomain.VIR_FROM_NONE, `Failed to read file '${path}'`);
      }
      if (read === 0) break;
      length += read;
      if (length > MAX_XML_FILE) throw systemError({ code: 'EOVERFLOW' }, ErrorDomain.VIR_FROM_NONE, `Failed to read file '${path}'`);
    }
    return decodeBytes(data.subarray(0, length));
  } finally {
    await file.close();
  }
}
