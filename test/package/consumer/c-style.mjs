// Runs in a project that installed the packed tarball: the C-style API (tsvirt/libvirt) by libvirt's
// names, with libvirt's error convention. Prints what it observed as JSON for pack.test.ts to check.
import * as virt from 'tsvirt/libvirt';

// Errors are read with virGetLastError* below; the default handler would also print them to stderr.
virt.virSetErrorFunc(null, () => {});

const conn = virt.virConnectOpen('test:///default');
if (!conn) throw new Error(virt.virGetLastErrorMessage());
const type = virt.virConnectGetType(conn);
const dom = virt.virDomainLookupByName(conn, 'test');
if (!dom) throw new Error(virt.virGetLastErrorMessage());
const state = virt.virDomainGetInfo(dom)?.state;
const missing = virt.virDomainLookupByName(conn, 'nosuch');
const missingError = { code: virt.virGetLastErrorCode(), message: virt.virGetLastErrorMessage() };
virt.virDomainFree(dom);
const closed = virt.virConnectClose(conn);
console.log(JSON.stringify({ type, state, missing, missingError, closed }));
