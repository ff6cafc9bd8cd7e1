import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import * as connect from '../../src/ts/api/connect.js';
import * as domain from '../../src/ts/api/domain.js';
import type { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import { REFERENCE } from '../reference.js';

// A filesystem without unnamed files (NFS, many FUSE filesystems): the image is staged under a temporary
// name beside the target instead, with the same outcomes otherwise.
const unnamed = vi.hoisted(() => ({ asked: 0 }));
vi.mock('../../src/ts/native/tmpfile.js', () => ({
  openUnnamedFile: async () => {
    unnamed.asked++;
    return null;
  },
  linkUnnamedFile: async () => {
    throw new Error('no unnamed files here');
  },
}));

const LIBVIRT_IMAGE = readFileSync(join(REFERENCE, 'files/test-domain.save'));
let conn: VirConnect;
let dir: string;
const opened: VirConnect[] = [];
const open = (uri: string) => {
  const c = connect.virConnectOpen(uri) as VirConnect;
  opened.push(c);
  return c;
};

beforeEach(() => {
  conn = open('test:///default');
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-files-fallback-'));
});
afterEach(() => {
  for (const c of opened.splice(0)) while (c.alive) c.unref();
  spawnSync('chattr', ['-i', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

const lookup = () => domain.virDomainLookupByName(conn, 'test') as VirDomain;

it('replaces a regular file through a staged copy: a cancel leaves the old one, success leaves one name', async () => {
  const file = join(dir, 'image');
  writeFileSync(file, 'old');
  chmodSync(file, 0o640);
  const slow = open('test:///default?rate=1G');
  const job = domain.virDomainSaveJob(domain.virDomainLookupByName(slow, 'test') as VirDomain, file, 0) as VirJob;
  job.cancel();
  await job.whenDone();
  expect(job.state).toBe(JobState.CANCELLED);
  expect(readFileSync(file, 'utf8')).toBe('old');
  symlinkSync(file, join(dir, 'link'));
  await domain.virDomainSave(lookup(), join(dir, 'link'));
  expect(readFileSync(file)).toEqual(LIBVIRT_IMAGE);
  expect(statSync(file).mode & 0o777).toBe(0o640);
  expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(['image', 'link']);
  expect(unnamed.asked).toBe(1); // the save that completed (the cancelled one stopped before its file)
});

it('writes in place in a directory that takes no new files', async (ctx) => {
  const file = join(dir, 'image');
  writeFileSync(file, 'old');
  if (spawnSync('chattr', ['+i', dir]).status !== 0) ctx.skip();
  await domain.virDomainSave(lookup(), file);
  expect(readFileSync(file)).toEqual(LIBVIRT_IMAGE);
  expect(readdirSync(dir)).toEqual(['image']);
});
