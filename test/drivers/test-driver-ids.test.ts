import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as connect from '../../src/ts/api/connect.js';
import * as domain from '../../src/ts/api/domain.js';
import type { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import * as cstyle from '../../src/ts/libvirt.js';
import { connect as connectIdiomatic } from '../../src/ts/tsvirt/connection.js';

/**
 * virDomainGetID on a handle kept across state changes. libvirt's drivers set the id of the handle a call was
 * made on (-1 after save, destroy, shutdown or a crash dump; the new id after create); tsvirt's handles all
 * read the domain's current id, so the handle of that call answers as libvirt's does and every other handle,
 * and a handle kept across a restore, answers the domain's id too (docs/compatibility.md).
 */
let conn: VirConnect;
let dir: string;

beforeEach(() => {
  conn = connect.virConnectOpen('test:///default') as VirConnect;
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-ids-'));
});
afterEach(() => {
  while (conn.alive) conn.unref();
  rmSync(dir, { recursive: true, force: true });
});

const lookup = (name = 'test') => domain.virDomainLookupByName(conn, name) as VirDomain;

it('follow every change made through the API, on the handle used and on any other', async () => {
  const a = lookup();
  const b = lookup();
  const ids = () => [domain.virDomainGetID(a), domain.virDomainGetID(b)];
  expect(ids()).toEqual([1, 1]);
  await domain.virDomainSave(a, join(dir, 'image'));
  expect(ids()).toEqual([-1, -1]);
  await domain.virDomainRestore(conn, join(dir, 'image'));
  expect(ids()).toEqual([2, 2]);
  domain.virDomainDestroy(a);
  expect(ids()).toEqual([-1, -1]);
  await domain.virDomainCreate(a);
  expect(ids()).toEqual([3, 3]);
  domain.virDomainShutdown(b);
  expect(ids()).toEqual([-1, -1]);
  await domain.virDomainCreate(b);
  domain.virDomainSuspend(a);
  domain.virDomainResume(a);
  domain.virDomainReboot(a, 0);
  expect(ids()).toEqual([4, 4]);
  await domain.virDomainCoreDump(a, join(dir, 'core'), 1); // VIR_DUMP_CRASH
  expect(ids()).toEqual([-1, -1]);
  domain.virDomainFree(a);
  domain.virDomainFree(b);
});

it('a handle of a transient domain that is saved and restored answers the restored id', async () => {
  const xml = "<domain type='test'><name>t</name><uuid>11111111-2222-3333-4444-555555555555</uuid><memory>1024</memory><os><type>hvm</type></os></domain>";
  const t = await domain.virDomainCreateXML(conn, xml, 0);
  expect(t.id).toBe(2);
  await domain.virDomainSave(t, join(dir, 't'));
  expect(t.id).toBe(-1); // the domain is gone
  await domain.virDomainRestore(conn, join(dir, 't'));
  expect(t.id).toBe(3);
  domain.virDomainFree(t);
});

it('the C-style and idiomatic faces see the same ids', async () => {
  const dom = cstyle.virDomainLookupByName(conn, 'test')!;
  expect(cstyle.virDomainGetID(dom)).toBe(1);
  const idiomatic = await connectIdiomatic('test:///default');
  const same = await idiomatic.lookupDomain('test');
  expect(same.id).toBe(1);
  expect(await cstyle.virDomainSave(dom, join(dir, 'image'))).toBe(0);
  expect([cstyle.virDomainGetID(dom), same.id]).toEqual([-1, -1]);
  await idiomatic.restore(join(dir, 'image'));
  expect([cstyle.virDomainGetID(dom), same.id]).toEqual([2, 2]);
  await same.destroy();
  expect([cstyle.virDomainGetID(dom), same.id]).toEqual([-1, -1]);
  await same.start();
  expect([cstyle.virDomainGetID(dom), same.id]).toEqual([3, 3]);
  cstyle.virDomainFree(dom);
  await idiomatic.close();
});
