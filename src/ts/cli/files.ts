import { readFile } from 'node:fs/promises';
import { ErrorDomain, systemError } from '../errors/index.js';

/** virsh refuses XML files larger than this (VSH_MAX_XML_FILE). */
const MAX_XML_FILE = 10 * 1024 * 1024;

/**
 * virFileReadAll: the file's text, or libvirt's system error ("Failed to open file '...': No such file or
 * directory", "Failed to read file '...': Is a directory"), thrown as a VirError for virsh to report.
 */
export async function readXmlFile(path: string): Promise<string> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // open(2) succeeds on a directory; it is the read that fails, and libvirt words it so.
    throw systemError(err, ErrorDomain.VIR_FROM_NONE, `Failed to ${code === 'EISDIR' ? 'read' : 'open'} file '${path}'`);
  }
  if (data.length > MAX_XML_FILE) throw systemError({ code: 'EINVAL' }, ErrorDomain.VIR_FROM_NONE, `Failed to read file '${path}'`);
  return data.toString('utf8');
}
