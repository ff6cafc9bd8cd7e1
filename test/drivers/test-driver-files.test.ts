import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as connect from '../../src/ts/api/connect.js';
import * as domain from '../../src/ts/api/domain.js';
import type { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import { REFERENCE } from '../reference.js';

/**
 * The files of the test driver's save, restore and core dump: what is read, what is written and where, against
 * libvirt 9.0 (messages measured with python3-libvirt and a C program on test:///default).
 */
const { VIR_FROM_TEST, VIR_FROM_DOMAIN } = ErrorDomain;
const { VIR_ERR_SYSTEM_ERROR: SYSTEM, VIR_ERR_INTERNAL_ERROR: INTERNAL } = ErrorNumber;
const LIBVIRT_IMAGE = readFileSync(join(REFERENCE, 'files/test-domain.save'));
const LIBVIRT_CORE = readFileSync(join(REFERENCE, 'files/test-domain.core'));
const MAGIC = LIBVIRT_IMAGE.subarray(0, 15);

let conn: VirConnect;
let dir: string;
const opened: VirConnect[] = [];
const startDir = process.cwd();

function open(uri = 'test:///default'): VirConnect {
  const c = connect.virConnectOpen(uri) as VirConnect;
  opened.push(c);
  return c;
}

beforeEach(() => {
  conn = open();
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-files-'));
});
afterEach(() => {
  process.chdir(startDir);
  for (const c of opened.splice(0)) while (c.alive) c.unref();
  spawnSync('chattr', ['-i', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

const lookup = (name = 'test') => domain.virDomainLookupByName(conn, name) as VirDomain;
const stateOf = (dom: VirDomain) => (domain.virDomainGetState(dom, 0) as { state: number }).state;

async function failure(promise: Promise<unknown>): Promise<{ code: number; domain: number; message: string }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VirError);
  const { code, domain: from, message } = err as VirError;
  return { code, domain: from, message };
}

function image(xml: Buffer, length = xml.length): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32LE(length);
  return Buffer.concat([MAGIC, header, xml]);
}

describe('restore reads the header, then at most the XML libvirt allows', () => {
  it('gives libvirt 9.0 errors for files that are not complete images', async () => {
    const xml = LIBVIRT_IMAGE.subarray(19);
    const cases: [string, Buffer, number, string][] = [
      ['empty', Buffer.alloc(0), SYSTEM, "incomplete save header in 'P': Success"],
      ['short', MAGIC.subarray(0, 10), SYSTEM, "incomplete save header in 'P': Success"],
      ['magic-only', MAGIC, SYSTEM, "failed to read metadata length in 'P': Success"],
      ['half-length', Buffer.concat([MAGIC, Buffer.from([1, 0])]), SYSTEM, "failed to read metadata length in 'P': Success"],
      ['zero-length', image(Buffer.alloc(0), 0), INTERNAL, 'internal error: length of metadata out of range'],
      ['negative-length', image(Buffer.alloc(0), -5), INTERNAL, 'internal error: length of metadata out of range'],
      ['too-long', image(Buffer.alloc(0), 8193), INTERNAL, 'internal error: length of metadata out of range'],
      ['short-xml', image(Buffer.from('<domain'), 8192), SYSTEM, "incomplete metadata in 'P': Success"],
      ['truncated', LIBVIRT_IMAGE.subarray(0, 500), SYSTEM, "incomplete metadata in 'P': Success"],
      ['wrong-magic', Buffer.alloc(100, 'X'), INTERNAL, 'internal error: mismatched header magic'],
    ];
    for (const [name, content, code, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, content);
      expect({ name, ...(await failure(domain.virDomainRestore(conn, path))) }).toEqual({
        name,
        code,
        domain: VIR_FROM_TEST,
        message: message.replace('P', path),
      });
    }
    expect(xml.length).toBeGreaterThan(0);
  });

  it('refuses /dev/null, /dev/zero and a directory as libvirt does', async () => {
    expect(await failure(domain.virDomainRestore(conn, '/dev/null'))).toEqual({
      code: SYSTEM,
      domain: VIR_FROM_TEST,
      message: "incomplete save header in '/dev/null': Success",
    });
    // An endless file: the header alone decides.
    expect(await failure(domain.virDomainRestore(conn, '/dev/zero'))).toEqual({
      code: INTERNAL,
      domain: VIR_FROM_TEST,
      message: 'internal error: mismatched header magic',
    });
    expect(await failure(domain.virDomainRestore(conn, dir))).toEqual({
      code: SYSTEM,
      domain: VIR_FROM_TEST,
      message: `incomplete save header in '${dir}': Is a directory`,
    });
  });

  it('reads no more of a huge sparse file than libvirt does', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 ** 3);
    expect((await failure(domain.virDomainRestore(conn, big))).message).toBe('internal error: mismatched header magic');
    // A valid header and 64 GiB of zeros: the XML is 8192 NUL bytes, an empty C string to libvirt's parser.
    writeFileSync(big, image(Buffer.alloc(0), 8192));
    truncateSync(big, 64 * 1024 ** 3);
    const rss = process.memoryUsage().rss;
    const err = await failure(domain.virDomainRestore(conn, big));
    expect(err.domain).toBe(VIR_FROM_DOMAIN);
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 * 1024 ** 2);
  });

  it('stops reading a FIFO once it has the image: the writer need not close it', async () => {
    domain.virDomainDestroy(lookup());
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer sends the image and 1 MiB more, then holds the pipe open: reading to the end would never end.
    const writer = spawn(
      process.execPath,
      ['-e', `const fs=require('fs');const fd=fs.openSync(process.argv[1],'w');fs.writeSync(fd,Buffer.from(process.argv[2],'base64'));try{for(let i=0;i<16;i++)fs.writeSync(fd,Buffer.alloc(65536))}catch(e){process.stdout.write(e.code)}setTimeout(()=>{},60000)`, fifo, LIBVIRT_IMAGE.toString('base64')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let writerSaw = '';
    writer.stdout.on('data', (chunk: Buffer) => (writerSaw += chunk.toString()));
    try {
      expect(await domain.virDomainRestore(conn, fifo)).toBe(0);
      expect(stateOf(lookup())).toBe(1);
      // The restore closed the pipe long before the writer's extra megabyte went through.
      await expect.poll(() => writerSaw).toBe('EPIPE');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('waits for a FIFO writer as libvirt does, until a cancel ends the wait', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const job = domain.virDomainRestoreJob(conn, fifo, 0) as VirJob;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(job.running).toBe(true);
    job.cancel();
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a save whose data are all written but not yet committed is not over to libvirt clients', async () => {
    // The FIFO has no reader: the job has moved every byte and waits to publish them. virsh prints "[100 %]"
    // only when no data remain, so the last byte shows as remaining until the job completes.
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const dom = domain.virDomainLookupByName(open('test:///default?rate=0'), 'test') as VirDomain;
    const job = domain.virDomainSaveJob(dom, fifo, 0) as VirJob;
    await expect.poll(() => job.getInfo().dataProcessed).toBe(2 * 1024 ** 3);
    expect(job.running).toBe(true);
    expect(job.getInfo().percentComplete).toBe(99);
    expect(await domain.virDomainGetJobInfo(dom)).toMatchObject({ dataTotal: 2 * 1024 ** 3, dataProcessed: 2 * 1024 ** 3 - 1, dataRemaining: 1, memRemaining: 1 });
    job.cancel();
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
  });

  it('takes the XML up to its first NUL, as libvirt passes it on as a C string', async () => {
    domain.virDomainDestroy(lookup());
    const xml = LIBVIRT_IMAGE.subarray(19);
    const path = join(dir, 'nul');
    writeFileSync(path, image(Buffer.concat([xml, Buffer.from('\0trailing garbage')])));
    expect(await domain.virDomainRestore(conn, path)).toBe(0);
  });

  it('refuses XML that is not UTF-8 with libxml2 words', async () => {
    domain.virDomainDestroy(lookup());
    const xml = Buffer.from(LIBVIRT_IMAGE.subarray(19).toString('latin1').replace('<name>test</name>', '<name>te\xffst</name>'), 'latin1');
    const path = join(dir, 'latin1');
    writeFileSync(path, image(xml));
    expect(await failure(domain.virDomainRestore(conn, path))).toEqual({
      code: ErrorNumber.VIR_ERR_XML_DETAIL,
      domain: VIR_FROM_DOMAIN,
      // libvirt shows the raw 0xFF byte in the source line; a JavaScript string carries U+FFFD there.
      message: "(domain_definition):2: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x73 0x74 0x3C\n  <name>te\ufffdst</name>\n----------^",
    });
  });
});

describe('save and core dump write where libvirt writes', () => {
  it('refuse a directory and the empty path, which is the current directory', async () => {
    process.chdir(dir);
    const dom = lookup();
    expect(await failure(domain.virDomainSave(dom, dir))).toEqual({
      code: SYSTEM,
      domain: VIR_FROM_TEST,
      message: `saving domain 'test' to '${dir}': open failed: Is a directory`,
    });
    expect((await failure(domain.virDomainSave(dom, ''))).message).toBe(`saving domain 'test' to '${dir}': open failed: Is a directory`);
    expect((await failure(domain.virDomainSave(dom, join(dir, 'missing', 'x.save')))).message).toBe(
      `saving domain 'test' to '${join(dir, 'missing', 'x.save')}': open failed: No such file or directory`,
    );
    expect(await failure(domain.virDomainCoreDump(dom, dir, 0))).toEqual({
      code: SYSTEM,
      domain: VIR_FROM_TEST,
      message: `domain 'test' coredump: failed to open ${dir}: Is a directory`,
    });
    expect((await failure(domain.virDomainCoreDump(dom, '', 0))).message).toBe(`domain 'test' coredump: failed to open ${dir}: Is a directory`);
    expect((await failure(domain.virDomainRestore(conn, ''))).message).toBe(`incomplete save header in '${dir}': Is a directory`);
    expect(readdirSync(dir)).toEqual([]);
    expect(stateOf(dom)).toBe(1);
  });

  it('spell paths as libvirt does: absolute, with . and .. and trailing slashes resolved', async () => {
    mkdirSync(join(dir, 'sub'));
    process.chdir(join(dir, 'sub'));
    await domain.virDomainCoreDump(lookup(), '../x/../core/', 0);
    expect(readFileSync(join(dir, 'core'))).toEqual(LIBVIRT_CORE);
    expect((await failure(domain.virDomainCoreDump(lookup(), `/${dir}//nothere/../../no/such`, 0))).message).toBe(
      `domain 'test' coredump: failed to open /${dir.replace(/\/[^/]+$/, '')}/no/such: No such file or directory`,
    );
  });

  it('relative to / when the current directory is gone, as glib makes it', async () => {
    mkdirSync(join(dir, 'gone'));
    process.chdir(join(dir, 'gone'));
    rmSync(join(dir, 'gone'), { recursive: true });
    expect((await failure(domain.virDomainCoreDump(lookup(), 'no/such/core', 0))).message).toBe(
      "domain 'test' coredump: failed to open /no/such/core: No such file or directory",
    );
  });

  it('into a FIFO: the reader gets the image and the FIFO stays', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise((resolve) => reader.on('close', resolve));
    expect(await domain.virDomainSave(lookup(), fifo)).toBe(0);
    await done;
    expect(Buffer.concat(chunks)).toEqual(LIBVIRT_IMAGE);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['fifo']);
  });

  it('into a device that fails writes (a copy of /dev/full): libvirt messages, and the device stays', async () => {
    const full = join(dir, 'full');
    expect(spawnSync('mknod', [full, 'c', '1', '7']).status).toBe(0);
    expect(await failure(domain.virDomainSave(lookup(), full))).toEqual({
      code: SYSTEM,
      domain: VIR_FROM_TEST,
      message: `saving domain 'test' to '${full}': write failed: No space left on device`,
    });
    expect((await failure(domain.virDomainCoreDump(lookup(), full, 0))).message).toBe(
      `domain 'test' coredump: failed to write header to ${full}: No space left on device`,
    );
    // libvirt's save unlinks the path after a failed write, device or not; tsvirt leaves what it did not create.
    expect(lstatSync(full).isCharacterDevice()).toBe(true);
    expect(stateOf(lookup())).toBe(1);
  });

  it('into a FIFO nobody reads: the wait ends with a cancel, and the FIFO stays', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const dom = lookup();
    const job = domain.virDomainSaveJob(dom, fifo, 0) as VirJob;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(job.running).toBe(true);
    job.cancel();
    expect(await job.whenDone().then(() => job.state)).toBe(JobState.CANCELLED);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(stateOf(dom)).toBe(1);
  });

  it('into a character device: it stays a device (a copy of /dev/null, then /dev/null itself)', async () => {
    const device = join(dir, 'null');
    expect(spawnSync('mknod', [device, 'c', '1', '3']).status).toBe(0);
    await domain.virDomainCoreDump(lookup(), device, 0);
    await domain.virDomainSave(lookup(), device);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(['null']);
    // Only once the copy stayed a device is the real one worth the risk.
    const restored = join(dir, 'image');
    writeFileSync(restored, LIBVIRT_IMAGE);
    await domain.virDomainRestore(conn, restored);
    await domain.virDomainSave(lookup(), '/dev/null');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('through a symbolic link: the link stays a link and the file it names gets the image', async () => {
    mkdirSync(join(dir, 'real'));
    const target = join(dir, 'real', 'image');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    symlinkSync(target, join(dir, 'link'));
    await domain.virDomainSave(lookup(), join(dir, 'link'));
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link'))).toBe(target);
    expect(readFileSync(target)).toEqual(LIBVIRT_IMAGE);
    // A file that is replaced keeps its permissions, as libvirt's O_TRUNC keeps them.
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(dir, 'real'))).toEqual(['image']);
    // A dangling link: libvirt's open creates the file it names.
    symlinkSync(join(dir, 'real', 'core'), join(dir, 'dangling'));
    await domain.virDomainRestore(conn, target);
    await domain.virDomainCoreDump(lookup(), join(dir, 'dangling'), 0);
    expect(lstatSync(join(dir, 'dangling')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real', 'core'))).toEqual(LIBVIRT_CORE);
  });

  it('into an existing file of a directory that takes no new files (immutable, even to root)', async (ctx) => {
    const file = join(dir, 'image');
    writeFileSync(file, 'old contents, longer than nothing');
    if (spawnSync('chattr', ['+i', dir]).status !== 0) ctx.skip(); // needs CAP_LINUX_IMMUTABLE and ext2/3/4, xfs or btrfs
    expect(() => writeFileSync(join(dir, 'probe'), '')).toThrow(/EPERM/);
    await domain.virDomainSave(lookup(), file);
    expect(readFileSync(file)).toEqual(LIBVIRT_IMAGE);
    expect(readdirSync(dir)).toEqual(['image']);
    await domain.virDomainRestore(conn, file);
    expect(await failure(domain.virDomainSave(lookup(), join(dir, 'new')))).toEqual({
      code: SYSTEM,
      domain: VIR_FROM_TEST,
      message: `saving domain 'test' to '${join(dir, 'new')}': open failed: Operation not permitted`,
    });
  });

  it('a regular file is replaced whole: a cancel leaves the old one, and no other name ever appears', async () => {
    const file = join(dir, 'image');
    writeFileSync(file, 'old');
    const slow = open('test:///default?rate=1G');
    const dom = domain.virDomainLookupByName(slow, 'test') as VirDomain;
    const job = domain.virDomainSaveJob(dom, file, 0) as VirJob;
    await new Promise((resolve) => setTimeout(resolve, 50));
    job.cancel();
    await job.whenDone();
    expect(job.state).toBe(JobState.CANCELLED);
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['image']);
    await domain.virDomainSave(lookup(), file);
    expect(readFileSync(file)).toEqual(LIBVIRT_IMAGE);
    expect(readdirSync(dir)).toEqual(['image']);
  });
});

describe('paths are made absolute when the call is made', () => {
  it('a chdir while the jobs run moves none of their files', async () => {
    const slow = open('test:///default?rate=4G');
    mkdirSync(join(dir, 'here'));
    mkdirSync(join(dir, 'elsewhere'));
    process.chdir(join(dir, 'here'));
    const dom = domain.virDomainLookupByName(slow, 'test') as VirDomain;
    const dump = domain.virDomainCoreDumpJob(dom, 'core', 0, 0) as VirJob;
    process.chdir(join(dir, 'elsewhere'));
    await dump.whenDone();
    const save = domain.virDomainSaveJob(dom, '../here/image', 0) as VirJob;
    process.chdir(dir);
    await save.whenDone();
    process.chdir(join(dir, 'here'));
    const restore = domain.virDomainRestoreJob(slow, 'image', 0) as VirJob;
    process.chdir(join(dir, 'elsewhere'));
    await restore.whenDone();
    expect([dump.state, save.state, restore.state]).toEqual([JobState.COMPLETED, JobState.COMPLETED, JobState.COMPLETED]);
    expect(readdirSync(join(dir, 'here')).sort()).toEqual(['core', 'image']);
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
    expect(readFileSync(join(dir, 'here', 'image'))).toEqual(LIBVIRT_IMAGE);
  });
});
