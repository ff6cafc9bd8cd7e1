// Runs in a project that installed the packed tarball: clones a sparse volume in a directory pool of
// tsvirt:///embed, which moves the data with the native library. Prints both files' digests and the
// native library this process mapped, as JSON for pack.test.ts to check.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'tsvirt';

const MiB = 1024 * 1024;
const [root] = process.argv.slice(2);
const images = join(root, 'images');
mkdirSync(images, { recursive: true });

// 8 MiB with two data extents and holes around them, so the copy engine walks data and holes.
const source = join(images, 'disk.img');
const fd = openSync(source, 'w');
ftruncateSync(fd, 8 * MiB);
writeSync(fd, randomBytes(MiB), 0, MiB, 0);
writeSync(fd, randomBytes(MiB), 0, MiB, 5 * MiB);
closeSync(fd);

const conn = await connect(`tsvirt:///embed?root=${root}`);
const pool = await conn.defineStoragePool(`<pool type='dir'><name>images</name><target><path>${images}</path></target></pool>`);
await pool.start();
const disk = await pool.lookupVolume('disk.img');
const copy = await pool.cloneVolume(`<volume><name>copy.img</name><capacity>0</capacity></volume>`, disk);
const copyPath = await copy.path();
await conn.close();

const digest = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
// The shared objects mapped now: which tsvirt.node the storage driver loaded.
const nativeLibraries = [
  ...new Set(
    readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((line) => line.slice(line.indexOf('/')))
      .filter((path) => path.endsWith('.node')),
  ),
];
console.log(
  JSON.stringify({
    copyPath,
    source: { sha256: digest(source), size: statSync(source).size },
    copy: { sha256: digest(copyPath), size: statSync(copyPath).size },
    nativeLibraries,
  }),
);
