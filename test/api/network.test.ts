import { describe, expect, it } from 'vitest';
import { virConnectClose } from '../../src/ts/api/connect.js';
import { virJobCancel, virJobFree, virJobGetInfo, virJobGetNetwork, virJobWait } from '../../src/ts/api/job.js';
import {
  virConnectListAllNetworks,
  virConnectListDefinedNetworks,
  virConnectListNetworks,
  virConnectNumOfDefinedNetworks,
  virConnectNumOfNetworks,
  virNetworkCreate,
  virNetworkCreateJob,
  virNetworkCreateXML,
  virNetworkCreateXMLFlags,
  virNetworkCreateXMLJob,
  virNetworkDefineXML,
  virNetworkDefineXMLFlags,
  virNetworkDestroy,
  virNetworkFree,
  virNetworkGetAutostart,
  virNetworkGetBridgeName,
  virNetworkGetConnect,
  virNetworkGetName,
  virNetworkGetUUIDString,
  virNetworkGetXMLDesc,
  virNetworkIsActive,
  virNetworkIsPersistent,
  virNetworkLookupByName,
  virNetworkLookupByUUIDString,
  virNetworkRef,
  virNetworkSetAutostart,
  virNetworkUndefine,
} from '../../src/ts/api/network.js';
import type { VirNetwork } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { JobState } from '../../src/ts/jobs/job.js';
import { NETWORK_START_BYTES } from '../../src/ts/drivers/test-driver/networks.js';
import { expectError, failure, now, open, until } from './helpers.js';

/**
 * Network entry points on the test driver, checked against what libvirt 9.0 does (virsh transcripts 05, 06,
 * 19 and measurements with the real library: codes, error domains and messages are libvirt's).
 */
const { VIR_FROM_NETWORK, VIR_FROM_TEST } = ErrorDomain;
const E = ErrorNumber;
const DEFAULT_UUID = 'dd8fe884-6c02-601e-7551-cca97df1c5df';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** xml/net1.xml of the reference */
const NET1_XML = `<network>
  <name>net1</name>
  <bridge name='virbr1'/>
  <forward mode='nat'/>
  <ip address='192.168.100.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.100.2' end='192.168.100.254'/>
    </dhcp>
  </ip>
</network>
`;

const names = (nets: VirNetwork[]) => nets.map((n) => virNetworkGetName(n)).sort();

describe('the default network (transcripts 05, 06)', () => {
  it('is listed active, persistent, not autostarted', async () => {
    const conn = await open();
    const nets = now(virConnectListAllNetworks(conn, 0));
    expect(names(nets)).toEqual(['default']);
    const [net] = nets;
    expect(virNetworkIsActive(net!)).toBe(true);
    expect(virNetworkIsPersistent(net!)).toBe(true);
    expect(virNetworkGetAutostart(net!)).toBe(false);
    expect(virNetworkGetUUIDString(net!)).toBe(DEFAULT_UUID);
    expect(virNetworkGetBridgeName(net!)).toBe('virbr0');
    expect(virConnectNumOfNetworks(conn)).toBe(1);
    expect(virConnectListNetworks(conn, 10)).toEqual(['default']);
    expect(virConnectNumOfDefinedNetworks(conn)).toBe(0);
    expect(virConnectListDefinedNetworks(conn, 10)).toEqual([]);
  });

  it('dumps the XML virsh net-dumpxml prints, byte for byte', async () => {
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    expect(virNetworkGetXMLDesc(net, 0)).toBe(`<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
`);
  });

  it('is found by any UUID spelling libvirt accepts', async () => {
    const conn = await open();
    for (const spelling of [DEFAULT_UUID, 'DD8FE884-6C02-601E-7551-CCA97DF1C5DF', 'dd8fe8846c02601e7551cca97df1c5df', ` ${DEFAULT_UUID} `])
      expect(virNetworkGetName(now(virNetworkLookupByUUIDString(conn, spelling)))).toBe('default');
  });
});

describe('the life of a network (transcript 19)', () => {
  it('defines, starts, stops, undefines, then creates it transient', async () => {
    const conn = await open();
    const net = now(virNetworkDefineXML(conn, NET1_XML));
    expect(virNetworkGetName(net)).toBe('net1');
    expect(virNetworkGetUUIDString(net)).toMatch(UUID_RE);
    expect(names(now(virConnectListAllNetworks(conn, 0)))).toEqual(['default', 'net1']);
    expect(virNetworkIsActive(net)).toBe(false);
    expect(virNetworkIsPersistent(net)).toBe(true);
    expect(virConnectListDefinedNetworks(conn, 10)).toEqual(['net1']);

    expect(await virNetworkCreate(net)).toBe(0);
    expect(virNetworkIsActive(net)).toBe(true);
    expect(virNetworkGetAutostart(net)).toBe(false);
    expect(virNetworkGetBridgeName(net)).toBe('virbr1');
    expect(now(virConnectListNetworks(conn, 10)).sort()).toEqual(['default', 'net1']);

    expect(virNetworkDestroy(net)).toBe(0);
    expect(virNetworkIsActive(net)).toBe(false);
    expect(virNetworkUndefine(net)).toBe(0);
    expect(names(now(virConnectListAllNetworks(conn, 0)))).toEqual(['default']);

    const transient = await virNetworkCreateXML(conn, NET1_XML);
    expect(virNetworkIsActive(transient)).toBe(true);
    expect(virNetworkIsPersistent(transient)).toBe(false);
    const xml = now(virNetworkGetXMLDesc(transient, 0));
    expect(xml.replace(/<uuid>[^<]*<\/uuid>/, '<uuid>UUID</uuid>')).toBe(`<network>
  <name>net1</name>
  <uuid>UUID</uuid>
  <forward mode='nat'/>
  <bridge name='virbr1' stp='on' delay='0'/>
  <ip address='192.168.100.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.100.2' end='192.168.100.254'/>
    </dhcp>
  </ip>
</network>
`);
    // Destroying a transient network removes it.
    virNetworkDestroy(transient);
    await expectError(() => virNetworkIsActive(transient), E.VIR_ERR_NO_NETWORK, VIR_FROM_TEST,
      `Network not found: no network with matching uuid '${virNetworkGetUUIDString(transient)}'`);
    virNetworkFree(transient);
    virNetworkFree(net);
  });

  it('filters the full list as libvirt does: each pair narrows only when one of it is given', async () => {
    const conn = await open();
    const net1 = now(virNetworkDefineXML(conn, NET1_XML));
    virNetworkSetAutostart(net1, 1);
    const list = (flags: number) => names(now(virConnectListAllNetworks(conn, flags)));
    expect(list(0)).toEqual(['default', 'net1']);
    expect(list(1)).toEqual(['net1']); // inactive
    expect(list(2)).toEqual(['default']); // active
    expect(list(3)).toEqual(['default', 'net1']); // both
    expect(list(4)).toEqual(['default', 'net1']); // persistent
    expect(list(8)).toEqual([]); // transient
    expect(list(16)).toEqual(['net1']); // autostart
    expect(list(32)).toEqual(['default']); // no autostart
    expect(list(1 | 16)).toEqual(['net1']);
    expect(list(2 | 16)).toEqual([]);
  });

  it('sets autostart from any C int, and keeps it on a transient network', async () => {
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    virNetworkSetAutostart(net, 7);
    expect(virNetworkGetAutostart(net)).toBe(true);
    virNetworkSetAutostart(net, false);
    expect(virNetworkGetAutostart(net)).toBe(false);
    const transient = await virNetworkCreateXML(conn, "<network><name>nb</name></network>");
    virNetworkSetAutostart(transient, true);
    expect(virNetworkGetAutostart(transient)).toBe(true);
  });

  it('redefining a running network keeps its live definition, as libvirt 9.0 does', async () => {
    const conn = await open();
    const uuid = '11111111-1111-1111-1111-111111111111';
    const xml = (bridge: string) => `<network><name>n1</name><uuid>${uuid}</uuid><bridge name='${bridge}'/></network>`;
    const net = now(virNetworkDefineXML(conn, xml('br1')));
    // Starting a defined network through create-xml uses the new definition and keeps it persistent.
    const started = await virNetworkCreateXML(conn, xml('br9'));
    expect(virNetworkGetUUIDString(started)).toBe(uuid);
    expect(virNetworkIsPersistent(net)).toBe(true);
    expect(virNetworkGetBridgeName(net)).toBe('br9');
    virNetworkDefineXML(conn, xml('br1'));
    expect(virNetworkGetBridgeName(net)).toBe('br9');
    // Redefining an inactive one replaces it.
    virNetworkDestroy(net);
    virNetworkDefineXML(conn, xml('br2'));
    expect(virNetworkGetBridgeName(net)).toBe('br2');
  });

  it('destroying an inactive network is not an error (libvirt test driver)', async () => {
    const conn = await open();
    const net = now(virNetworkDefineXML(conn, NET1_XML));
    expect(virNetworkDestroy(net)).toBe(0);
    expect(virNetworkIsPersistent(net)).toBe(true);
  });

  it('accepts the flags libvirt 9.0 accepts', async () => {
    const conn = await open();
    const validated = await virNetworkCreateXMLFlags(conn, NET1_XML, 1); // VIR_NETWORK_CREATE_VALIDATE
    expect(virNetworkIsActive(validated)).toBe(true);
    virNetworkDestroy(validated);
    const defined = now(virNetworkDefineXMLFlags(conn, NET1_XML, 1)); // VIR_NETWORK_DEFINE_VALIDATE
    expect(virNetworkIsPersistent(defined)).toBe(true);
  });
});

describe('errors, as libvirt 9.0 reports them', () => {
  it('rejects a missing, freed or foreign connection with VIR_FROM_NETWORK', async () => {
    await expectError(() => virNetworkLookupByName(null as never, 'x'), E.VIR_ERR_INVALID_CONN, VIR_FROM_NETWORK,
      'invalid connection pointer in virNetworkLookupByName');
    await expectError(() => virConnectNumOfNetworks({} as never), E.VIR_ERR_INVALID_CONN, VIR_FROM_NETWORK,
      'invalid connection pointer in virConnectNumOfNetworks');
    await expectError(() => virNetworkCreateXML(undefined as never, NET1_XML), E.VIR_ERR_INVALID_CONN, VIR_FROM_NETWORK,
      'invalid connection pointer in virNetworkCreateXML');
    const conn = await open();
    virConnectClose(conn);
    await expectError(() => virConnectListAllNetworks(conn, 0), E.VIR_ERR_INVALID_CONN, VIR_FROM_NETWORK,
      'invalid connection pointer in virConnectListAllNetworks');
  });

  it('rejects a missing or freed network', async () => {
    for (const [fn, call] of [
      ['virNetworkGetName', () => virNetworkGetName(null as never)],
      ['virNetworkGetUUIDString', () => virNetworkGetUUIDString(null as never)],
      ['virNetworkGetXMLDesc', () => virNetworkGetXMLDesc(null as never, 0)],
      ['virNetworkGetConnect', () => virNetworkGetConnect(null as never)],
      ['virNetworkRef', () => virNetworkRef(null as never)],
      ['virNetworkFree', () => virNetworkFree(null as never)],
      ['virNetworkCreate', () => virNetworkCreate(null as never)],
      ['virNetworkCreateJob', () => virNetworkCreateJob(null as never, 0)],
    ] as const)
      await expectError(call, E.VIR_ERR_INVALID_NETWORK, VIR_FROM_NETWORK, `invalid network pointer in ${fn}`);
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    virNetworkFree(net);
    await expectError(() => virNetworkIsActive(net), E.VIR_ERR_INVALID_NETWORK, VIR_FROM_NETWORK,
      'invalid network pointer in virNetworkIsActive');
  });

  it('checks arguments in libvirt words', async () => {
    const conn = await open();
    await expectError(() => virNetworkLookupByName(conn, null as never), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'name in virNetworkLookupByName must not be NULL');
    await expectError(() => virNetworkLookupByUUIDString(conn, null as never), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'uuidstr in virNetworkLookupByUUIDString must not be NULL');
    for (const bad of ['bad', `${DEFAULT_UUID} x`, 'd-d8fe884-6c02-601e-7551-cca97df1c5df', DEFAULT_UUID.slice(1)])
      await expectError(() => virNetworkLookupByUUIDString(conn, bad), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
        'uuidstr in virNetworkLookupByUUIDString must be a valid UUID');
    await expectError(() => virNetworkDefineXML(conn, null as never), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'xml in virNetworkDefineXML must not be NULL');
    await expectError(() => virNetworkCreateXML(conn, null as never), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'xmlDesc in virNetworkCreateXML must not be NULL');
    await expectError(() => virConnectListNetworks(conn, -1), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'maxnames in virConnectListNetworks must be zero or greater');
    await expectError(() => virConnectListDefinedNetworks(conn, -1), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'maxnames in virConnectListDefinedNetworks must be zero or greater');
    expect(virConnectListNetworks(conn, 0)).toEqual([]);
    const net = now(virNetworkLookupByName(conn, 'default'));
    await expectError(() => virNetworkSetAutostart(net, 'yes' as never), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'autostart in virNetworkSetAutostart must be a boolean or an int, not string');
  });

  it('reports unknown networks from the test driver', async () => {
    const conn = await open();
    await expectError(() => virNetworkLookupByName(conn, 'nosuch'), E.VIR_ERR_NO_NETWORK, VIR_FROM_TEST,
      "Network not found: no network with matching name 'nosuch'");
    await expectError(() => virNetworkLookupByUUIDString(conn, '00000000-0000-0000-0000-000000000000'), E.VIR_ERR_NO_NETWORK,
      VIR_FROM_TEST, "Network not found: no network with matching uuid '00000000-0000-0000-0000-000000000000'");
  });

  it('reports a network that went away by name or UUID, as each libvirt call looks it up', async () => {
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    virNetworkDestroy(net);
    virNetworkUndefine(net);
    const byUuid = `Network not found: no network with matching uuid '${DEFAULT_UUID}'`;
    const byName = "Network not found: no network with matching name 'default'";
    await expectError(() => virNetworkIsActive(net), E.VIR_ERR_NO_NETWORK, VIR_FROM_TEST, byUuid);
    await expectError(() => virNetworkIsPersistent(net), E.VIR_ERR_NO_NETWORK, VIR_FROM_TEST, byUuid);
    for (const call of [
      () => virNetworkGetXMLDesc(net, 0),
      () => virNetworkGetBridgeName(net),
      () => virNetworkGetAutostart(net),
      () => virNetworkSetAutostart(net, 1),
      () => virNetworkCreate(net),
      () => virNetworkDestroy(net),
      () => virNetworkUndefine(net),
    ])
      await expectError(call, E.VIR_ERR_NO_NETWORK, VIR_FROM_TEST, byName);
    // The handle itself stays usable for what it knows.
    expect(virNetworkGetName(net)).toBe('default');
  });

  it('refuses changes on a read-only connection, but not queries', async () => {
    const ro = await open('test:///default', true);
    const net = now(virNetworkLookupByName(ro, 'default'));
    for (const [fn, call] of [
      ['virNetworkDefineXML', () => virNetworkDefineXML(ro, NET1_XML)],
      ['virNetworkCreateXML', () => virNetworkCreateXML(ro, NET1_XML)],
      ['virNetworkCreateXMLJob', () => virNetworkCreateXMLJob(ro, NET1_XML, 0)],
      ['virNetworkDestroy', () => virNetworkDestroy(net)],
      ['virNetworkUndefine', () => virNetworkUndefine(net)],
      ['virNetworkCreate', () => virNetworkCreate(net)],
      ['virNetworkCreateJob', () => virNetworkCreateJob(net, 0)],
      ['virNetworkSetAutostart', () => virNetworkSetAutostart(net, 1)],
    ] as const)
      await expectError(call, E.VIR_ERR_OPERATION_DENIED, VIR_FROM_NETWORK, `operation forbidden: read only access prevents ${fn}`);
    // libvirt checks the XML argument of create before write access, and of define after it.
    await expectError(() => virNetworkCreateXML(ro, null as never), E.VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
      'xmlDesc in virNetworkCreateXML must not be NULL');
    await expectError(() => virNetworkDefineXML(ro, null as never), E.VIR_ERR_OPERATION_DENIED, VIR_FROM_NETWORK,
      'operation forbidden: read only access prevents virNetworkDefineXML');
    expect(virNetworkGetAutostart(net)).toBe(false);
    expect(virNetworkGetBridgeName(net)).toBe('virbr0');
  });

  it('rejects flags the test driver does not know, naming its function', async () => {
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    await expectError(() => virConnectListAllNetworks(conn, 0x400), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'unsupported flags (0x400) in function testConnectListAllNetworks');
    await expectError(() => virNetworkGetXMLDesc(net, 1), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'unsupported flags (0x1) in function testNetworkGetXMLDesc');
    await expectError(() => virNetworkDefineXMLFlags(conn, NET1_XML, 2), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'unsupported flags (0x2) in function testNetworkDefineXMLFlags');
    await expectError(() => virNetworkCreateXMLFlags(conn, NET1_XML, 2), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'unsupported flags (0x2) in function testNetworkCreateXMLFlags');
    await expectError(() => virNetworkCreateJob(net, 1), E.VIR_ERR_INVALID_ARG, VIR_FROM_TEST,
      'unsupported flags (0x1) in function testNetworkCreate');
  });

  it('refuses to start a running network or undefine one', async () => {
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    await expectError(() => virNetworkCreate(net), E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST,
      "Requested operation is not valid: Network 'default' is already running");
    await expectError(() => virNetworkUndefine(net), E.VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST,
      "Requested operation is not valid: Network 'default' is still running");
  });

  it('enforces one UUID per name and one name per UUID', async () => {
    const conn = await open();
    const xml = (name: string, uuid: string) => `<network><name>${name}</name><uuid>${uuid}</uuid></network>`;
    const uuid = '11111111-1111-1111-1111-111111111111';
    virNetworkDefineXML(conn, xml('n1', uuid));
    expect(virNetworkGetUUIDString(now(virNetworkDefineXML(conn, xml('n1', uuid))))).toBe(uuid);
    await expectError(() => virNetworkDefineXML(conn, xml('n1', '22222222-1111-1111-1111-111111111111')),
      E.VIR_ERR_OPERATION_FAILED, VIR_FROM_NETWORK, `operation failed: network 'n1' already exists with uuid ${uuid}`);
    await expectError(() => virNetworkDefineXML(conn, xml('n2', uuid)), E.VIR_ERR_OPERATION_FAILED, VIR_FROM_NETWORK,
      `operation failed: network 'n1' is already defined with uuid ${uuid}`);
    await expectError(() => virNetworkCreateXML(conn, '<network><name>default</name></network>'), E.VIR_ERR_OPERATION_FAILED,
      VIR_FROM_NETWORK, `operation failed: network 'default' already exists with uuid ${DEFAULT_UUID}`);
    await expectError(() => virNetworkCreateXML(conn, xml('default', DEFAULT_UUID)), E.VIR_ERR_OPERATION_INVALID,
      VIR_FROM_NETWORK, "Requested operation is not valid: network is already active as 'default'");
  });

  it('says so when a network has no bridge', async () => {
    const conn = await open();
    const net = await virNetworkCreateXML(conn, '<network><name>nb</name></network>');
    await expectError(() => virNetworkGetBridgeName(net), E.VIR_ERR_INTERNAL_ERROR, VIR_FROM_TEST,
      "internal error: network 'nb' does not have a bridge name.");
  });

  it('passes the XML parser errors through and changes nothing', async () => {
    const conn = await open();
    const noName = await failure(() => virNetworkDefineXML(conn, '<network/>'));
    expect([noName.code, noName.domain, noName.message]).toEqual([E.VIR_ERR_NO_NAME, VIR_FROM_NETWORK, 'missing name information']);
    const malformed = await failure(() => virNetworkCreateXML(conn, '<network><name>x</name>'));
    expect([malformed.code, malformed.domain]).toEqual([E.VIR_ERR_XML_DETAIL, VIR_FROM_NETWORK]);
    expect(now(virConnectNumOfNetworks(conn)) + now(virConnectNumOfDefinedNetworks(conn))).toBe(1);
  });
});

describe('references', () => {
  it('a handle holds its connection open until it is freed', async () => {
    const conn = await open();
    const net = now(virNetworkLookupByName(conn, 'default'));
    expect(conn.refs).toBe(2);
    expect(virNetworkGetConnect(net)).toBe(conn);
    expect(conn.refs).toBe(2); // like libvirt, GetConnect adds no reference
    expect(virNetworkRef(net)).toBe(0);
    expect(net.refs).toBe(2);
    virNetworkFree(net);
    expect(net.alive).toBe(true);
    virConnectClose(conn);
    expect(conn.alive).toBe(true);
    virNetworkFree(net);
    expect(net.alive).toBe(false);
    expect(conn.alive).toBe(false);
  });

  it('every lookup is a new handle with its own reference', async () => {
    const conn = await open();
    const a = now(virNetworkLookupByName(conn, 'default'));
    const b = now(virNetworkLookupByUUIDString(conn, DEFAULT_UUID));
    const listed = now(virConnectListAllNetworks(conn, 0));
    expect(a).not.toBe(b);
    expect(conn.refs).toBe(1 + 2 + listed.length);
    for (const net of [a, b, ...listed]) virNetworkFree(net);
    expect(conn.refs).toBe(1);
  });
});

describe('starting a network is a job', () => {
  /** Slow enough that a network takes 4 s to start: plenty of time to watch and cancel. */
  const slow = () => open(`test:///default?rate=${NETWORK_START_BYTES / 4}`);

  it('reports progress and blocks changes; a cancelled start leaves the network stopped', async () => {
    const conn = await slow();
    const net = now(virNetworkDefineXML(conn, NET1_XML));
    const job = now(virNetworkCreateJob(net, 0));
    expect(virJobGetNetwork(job)).not.toBeNull(); // the job holds the network it starts
    await until(() => job.processed > 0);
    const info = virJobGetInfo(job);
    expect(info.state).toBe(JobState.RUNNING);
    expect(info.dataTotal).toBe(NETWORK_START_BYTES);
    expect(info.percentComplete).toBeGreaterThanOrEqual(0);
    expect(info.percentComplete).toBeLessThan(100);
    expect(virNetworkIsActive(net)).toBe(false);
    // While it starts, the network cannot be changed under the job.
    const redefine = NET1_XML.replace('</name>', `</name><uuid>${virNetworkGetUUIDString(net)}</uuid>`);
    for (const call of [() => virNetworkDestroy(net), () => virNetworkUndefine(net), () => virNetworkDefineXML(conn, redefine)])
      await expectError(call, E.VIR_ERR_OPERATION_INVALID, VIR_FROM_NETWORK,
        "Requested operation is not valid: network 'net1' has an active network-start job");
    virJobCancel(job);
    await virJobWait(job);
    expect(job.state).toBe(JobState.CANCELLED);
    expect([job.error!.code, job.error!.message]).toEqual([E.VIR_ERR_OPERATION_ABORTED,
      'operation aborted: network create job: canceled by client']);
    expect(virNetworkIsActive(net)).toBe(false);
    virJobFree(job);
    // Once the job is over the network is free again.
    const fast = await open();
    expect(await virNetworkCreate(now(virNetworkLookupByName(fast, 'net1')))).toBe(0);
    expect(virNetworkIsActive(net)).toBe(true);
  }, 20_000);

  it('a cancelled create-xml leaves no network behind', async () => {
    const conn = await slow();
    const job = now(virNetworkCreateXMLJob(conn, NET1_XML, 0));
    await until(() => job.processed > 0);
    // A network being created is not listed, and not found.
    expect(names(now(virConnectListAllNetworks(conn, 0)))).toEqual(['default']);
    await expectError(() => virNetworkLookupByName(conn, 'net1'), E.VIR_ERR_NO_NETWORK, VIR_FROM_TEST,
      "Network not found: no network with matching name 'net1'");
    expect(virJobGetNetwork(job)).toBeNull();
    virJobCancel(job);
    await virJobWait(job);
    expect(job.state).toBe(JobState.CANCELLED);
    expect(virJobGetNetwork(job)).toBeNull();
    expect(names(now(virConnectListAllNetworks(conn, 0)))).toEqual(['default']);
    virJobFree(job);
  }, 20_000);

  it('runs concurrent creations side by side, and hands each its network', async () => {
    const conn = await open(`test:///default?rate=${NETWORK_START_BYTES * 4}`);
    const jobs = ['a', 'b', 'c'].map(
      (name) => now(virNetworkCreateXMLJob(conn, `<network><name>${name}</name></network>`, 0)),
    );
    await Promise.all(jobs.map((job) => virJobWait(job)));
    for (const [i, job] of jobs.entries()) {
      expect(job.state).toBe(JobState.COMPLETED);
      const net = virJobGetNetwork(job)!;
      expect(virNetworkGetName(net)).toBe(['a', 'b', 'c'][i]);
      expect(virNetworkIsActive(net)).toBe(true);
      virNetworkFree(net);
      virJobFree(job);
    }
    expect(virConnectNumOfNetworks(conn)).toBe(4);
  });

  it('a creation that loses its name to another client while it runs fails', async () => {
    const conn = await open(`test:///default?rate=${NETWORK_START_BYTES * 4}`);
    const job = now(virNetworkCreateXMLJob(conn, NET1_XML, 0));
    virNetworkDefineXML(conn, NET1_XML); // a different UUID: the parser generated one per definition
    await virJobWait(job);
    expect(job.state).toBe(JobState.FAILED);
    expect([job.error!.code, job.error!.domain]).toEqual([E.VIR_ERR_OPERATION_FAILED, VIR_FROM_NETWORK]);
    expect(virConnectListDefinedNetworks(conn, 10)).toEqual(['net1']);
    virJobFree(job);
  });

  it('the job keeps what it needs: freeing the network and the connection while it runs is safe', async () => {
    const conn = await open(`test:///default?rate=${NETWORK_START_BYTES * 4}`);
    const net = now(virNetworkDefineXML(conn, NET1_XML));
    const job = now(virNetworkCreateJob(net, 0));
    virNetworkFree(net);
    virConnectClose(conn);
    expect(conn.alive).toBe(true);
    await virJobWait(job);
    expect(job.state).toBe(JobState.COMPLETED);
    const held = virJobGetNetwork(job)!;
    expect(virNetworkIsActive(held)).toBe(true);
    virNetworkFree(held);
    virJobFree(job);
    expect(conn.alive).toBe(false);
  });
});
