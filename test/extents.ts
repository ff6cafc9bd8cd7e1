import { closeSync, fstatSync, openSync } from 'node:fs';
import koffi from 'koffi';

/**
 * Where a file holds data, as the kernel's SEEK_DATA / SEEK_HOLE map tells it: [start, end) byte ranges.
 * Tests compare these to check that holes stay holes. st_blocks cannot: it also counts the blocks the
 * filesystem spends on its own metadata (an ext4 extent-tree block for a fragmented file), which differ
 * between two files holding the same data. Node has no SEEK_DATA, so libc's lseek is called through koffi.
 */
export function dataExtents(file: string): Array<[number, number]> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const extents: Array<[number, number]> = [];
    for (let pos = 0; pos < size; ) {
      const data = lseek(fd, pos, SEEK_DATA);
      if (data < 0) break; // ENXIO: no data past pos
      const hole = lseek(fd, data, SEEK_HOLE);
      const end = hole < 0 ? size : hole;
      extents.push([data, end]);
      pos = end;
    }
    return extents;
  } finally {
    closeSync(fd);
  }
}

/** Bytes of data in the file, by its extents. */
export function dataBytes(file: string): number {
  return dataExtents(file).reduce((sum, [start, end]) => sum + end - start, 0);
}

const SEEK_DATA = 3;
const SEEK_HOLE = 4;
let lseekFn: ((fd: number, offset: number, whence: number) => number | bigint) | undefined;

function lseek(fd: number, offset: number, whence: number): number {
  lseekFn ??= koffi.load('libc.so.6').func('int64_t lseek(int fd, int64_t offset, int whence)');
  return Number(lseekFn(fd, offset, whence));
}
