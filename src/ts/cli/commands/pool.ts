import type { StoragePool } from '../../index.js';
import { virConnectListAllStoragePoolsFlags as List, virStoragePoolBuildFlags as Build, virStoragePoolState, virStorageXMLFlags } from '../../core/enums.generated.js';
import { bool, data, REQ_OPT, string, type CommandDef, type OptDef, type ParsedCommand } from '../command-def.js';
import { readXmlFile } from '../files.js';
import { compareIgnoringCase, formatCapacity, formatTable, infoLine, padEnd } from '../format.js';
import { optPool } from '../lookup.js';
import { exclusive, flagsFrom, optRequired, optString } from '../options.js';
import { splitList } from '../lists.js';
import { CommandFailed, type Session } from '../session.js';
import { dumpXml } from '../xml-output.js';

/** The Storage Pool commands, in `virsh help pool` order. */

const POOL = data('pool', 'pool name or uuid');

/** virStoragePoolCreateFlags: build the pool while starting it. */
const CREATE_WITH_BUILD = { build: 1, overwrite: 2, 'no-overwrite': 4 };
/** VIR_STORAGE_POOL_DEFINE_VALIDATE */
const DEFINE_VALIDATE = 1;

const POOL_STATES = ['inactive', 'building', 'running', 'degraded', 'inaccessible'];

function poolStateName(state: number): string {
  return POOL_STATES[state] ?? 'unknown';
}

/** Pool types virsh knows (virStoragePoolType) and their list filters. */
const POOL_TYPES: Record<string, number> = {
  dir: List.VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  fs: List.VIR_CONNECT_LIST_STORAGE_POOLS_FS,
  netfs: List.VIR_CONNECT_LIST_STORAGE_POOLS_NETFS,
  logical: List.VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  disk: List.VIR_CONNECT_LIST_STORAGE_POOLS_DISK,
  iscsi: List.VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI,
  'iscsi-direct': List.VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
  scsi: List.VIR_CONNECT_LIST_STORAGE_POOLS_SCSI,
  mpath: List.VIR_CONNECT_LIST_STORAGE_POOLS_MPATH,
  rbd: List.VIR_CONNECT_LIST_STORAGE_POOLS_RBD,
  sheepdog: List.VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  gluster: List.VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  zfs: List.VIR_CONNECT_LIST_STORAGE_POOLS_ZFS,
  vstorage: List.VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
};

/** The options of pool-define-as and pool-create-as (VIRSH_COMMON_OPT_POOL_X_AS). */
const POOL_X_AS: readonly OptDef[] = [
  data('name', 'name of the pool'),
  data('type', 'type of the pool'),
  bool('print-xml', "print XML document, but don't define/create"),
  string('source-host', 'source-host for underlying storage'),
  string('source-path', 'source path for underlying storage'),
  string('source-dev', 'source device for underlying storage'),
  string('source-name', 'source name for underlying storage'),
  string('target', 'target for underlying storage'),
  string('source-format', 'format for underlying storage'),
  string('auth-type', 'auth type to be used for underlying storage'),
  string('auth-username', 'auth username to be used for underlying storage'),
  string('secret-usage', 'auth secret usage to be used for underlying storage'),
  string('secret-uuid', 'auth secret UUID to be used for underlying storage'),
  string('adapter-name', 'adapter name to be used for underlying storage'),
  string('adapter-wwnn', 'adapter wwnn to be used for underlying storage'),
  string('adapter-wwpn', 'adapter wwpn to be used for underlying storage'),
  string('adapter-parent', 'adapter parent scsi_hostN to be used for underlying vHBA storage'),
  string('adapter-parent-wwnn', 'adapter parent scsi_hostN wwnn to be used for underlying vHBA storage'),
  string('adapter-parent-wwpn', 'adapter parent scsi_hostN wwpn to be used for underlying vHBA storage'),
  string('adapter-parent-fabric-wwn', 'adapter parent scsi_hostN fabric_wwn to be used for underlying vHBA storage'),
  string('source-protocol-ver', 'nfsvers value for NFS pool mount option'),
  string('source-initiator', 'initiator iqn for underlying storage'),
];

const BUILD_OPTIONS: readonly OptDef[] = [
  bool('build', 'build the pool as normal'),
  bool('no-overwrite', 'do not overwrite any existing data'),
  bool('overwrite', 'overwrite any existing data'),
];

/**
 * virshBuildPoolXML: the pool XML virsh writes from pool-define-as / pool-create-as arguments. Values go in
 * verbatim, as virsh puts them: a value with markup characters gives the same invalid XML, and the same
 * error from the driver, as with virsh.
 */
function buildPoolXml(s: Session, cmd: ParsedCommand): { name: string; xml: string } {
  exclusive(s, cmd, 'secret-usage', 'secret-uuid');
  const name = optRequired(s, cmd, 'name');
  const type = optRequired(s, cmd, 'type');
  const v = (opt: string) => optString(s, cmd, opt);
  const [host, path, dev, srcName, format, target, authType, authUser, secretUsage, secretUuid] = [
    'source-host',
    'source-path',
    'source-dev',
    'source-name',
    'source-format',
    'target',
    'auth-type',
    'auth-username',
    'secret-usage',
    'secret-uuid',
  ].map(v);
  const [adapterName, wwnn, wwpn, parent, parentWwnn, parentWwpn, fabricWwn, protoVer, initiator] = [
    'adapter-name',
    'adapter-wwnn',
    'adapter-wwpn',
    'adapter-parent',
    'adapter-parent-wwnn',
    'adapter-parent-wwpn',
    'adapter-parent-fabric-wwn',
    'source-protocol-ver',
    'source-initiator',
  ].map(v);
  let xml = `<pool type='${type}'>\n  <name>${name}</name>\n`;
  if (host || path || dev || initiator || format || srcName || (wwnn && wwpn) || adapterName) {
    xml += '  <source>\n';
    if (host) xml += `    <host name='${host}'/>\n`;
    if (path) xml += `    <dir path='${path}'/>\n`;
    if (dev) xml += `    <device path='${dev}'/>\n`;
    if (initiator) xml += `    <initiator>\n      <iqn name='${initiator}'/>\n    </initiator>\n`;
    if (wwnn && wwpn) {
      let adapter = "    <adapter type='fc_host'";
      if (parent) adapter += ` parent='${parent}'`;
      else if (parentWwnn && parentWwpn) adapter += ` parent_wwnn='${parentWwnn}' parent_wwpn='${parentWwpn}'`;
      else if (fabricWwn) adapter += ` parent_fabric_wwn='${fabricWwn}'`;
      xml += `${adapter} wwnn='${wwnn}' wwpn='${wwpn}'/>\n`;
    } else if (adapterName) {
      xml += `    <adapter type='scsi_host' name='${adapterName}'/>\n`;
    }
    if (authType && authUser && (secretUsage || secretUuid)) {
      xml += `    <auth type='${authType}' username='${authUser}'>\n`;
      xml += secretUsage ? `      <secret usage='${secretUsage}'/>\n` : `      <secret uuid='${secretUuid}'/>\n`;
      xml += '    </auth>\n';
    }
    if (format) xml += `    <format type='${format}'/>\n`;
    if (srcName) xml += `    <name>${srcName}</name>\n`;
    if (protoVer) xml += `    <protocol ver='${protoVer}'/>\n`;
    xml += '  </source>\n';
  }
  if (target) xml += `  <target>\n    <path>${target}</path>\n  </target>\n`;
  xml += '</pool>\n';
  return { name, xml };
}

async function cmdPoolBuild(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { pool, key } = await optPool(s, cmd);
  const flags = flagsFrom(cmd, { 'no-overwrite': Build.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, overwrite: Build.VIR_STORAGE_POOL_BUILD_OVERWRITE });
  try {
    await pool.build(flags);
  } catch (err) {
    throw s.fail(err, `Failed to build pool ${key}`);
  }
  s.printExtra(`Pool ${key} built\n`);
  return true;
}

async function cmdPoolCreateAs(s: Session, cmd: ParsedCommand): Promise<boolean> {
  exclusive(s, cmd, 'overwrite', 'no-overwrite');
  const flags = flagsFrom(cmd, CREATE_WITH_BUILD);
  const { name, xml } = buildPoolXml(s, cmd);
  if (cmd.has('print-xml')) {
    s.print(xml);
    return true;
  }
  try {
    s.keep(await s.connection.createStoragePool(xml, flags));
  } catch (err) {
    throw s.fail(err, `Failed to create pool ${name}`);
  }
  s.printExtra(`Pool ${name} created\n`);
  return true;
}

async function cmdPoolDefineAs(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { name, xml } = buildPoolXml(s, cmd);
  if (cmd.has('print-xml')) {
    s.print(xml);
    return true;
  }
  try {
    s.keep(await s.connection.defineStoragePool(xml, 0));
  } catch (err) {
    throw s.fail(err, `Failed to define pool ${name}`);
  }
  s.printExtra(`Pool ${name} defined\n`);
  return true;
}

async function cmdPoolDefine(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const from = optRequired(s, cmd, 'file');
  const flags = cmd.has('validate') ? DEFINE_VALIDATE : 0;
  const xml = await readXmlFile(from);
  let pool: StoragePool;
  try {
    pool = s.keep(await s.connection.defineStoragePool(xml, flags));
  } catch (err) {
    throw s.fail(err, `Failed to define pool from ${from}`);
  }
  s.printExtra(`Pool ${pool.name} defined from ${from}\n`);
  return true;
}

async function cmdPoolDestroy(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { pool, key } = await optPool(s, cmd);
  try {
    await pool.destroy();
  } catch (err) {
    throw s.fail(err, `Failed to destroy pool ${key}`);
  }
  s.printExtra(`Pool ${key} destroyed\n`);
  return true;
}

async function cmdPoolDumpxml(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const flags = cmd.has('inactive') ? virStorageXMLFlags.VIR_STORAGE_XML_INACTIVE : 0;
  const { pool } = await optPool(s, cmd);
  return dumpXml(s, cmd, () => pool.xml(flags));
}

async function cmdPoolInfo(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { pool } = await optPool(s, cmd);
  s.print(infoLine('Name:', pool.name));
  s.print(infoLine('UUID:', pool.uuid));
  const info = await pool.info();
  s.print(infoLine('State:', poolStateName(info.state)));
  let persistent = 'unknown';
  try {
    persistent = (await pool.isPersistent()) ? 'yes' : 'no';
  } catch (err) {
    s.keepError(err);
  }
  s.print(infoLine('Persistent:', persistent));
  let autostart = 'no autostart';
  try {
    autostart = (await pool.autostart()) ? 'yes' : 'no';
  } catch (err) {
    s.keepError(err);
  }
  s.print(infoLine('Autostart:', autostart));
  if (info.state === virStoragePoolState.VIR_STORAGE_POOL_RUNNING || info.state === virStoragePoolState.VIR_STORAGE_POOL_DEGRADED) {
    const size = (bytes: number) => (cmd.has('bytes') ? String(bytes) : formatCapacity(bytes));
    s.print(infoLine('Capacity:', size(info.capacity)));
    s.print(infoLine('Allocation:', size(info.allocation)));
    s.print(infoLine('Available:', size(info.available)));
  }
  return true;
}

async function cmdPoolList(s: Session, cmd: ParsedCommand): Promise<boolean> {
  exclusive(s, cmd, 'all', 'inactive');
  let flags: number = List.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE;
  if (cmd.has('inactive')) flags = List.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
  if (cmd.has('all')) flags = List.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE | List.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
  flags |= flagsFrom(cmd, {
    autostart: List.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
    'no-autostart': List.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
    persistent: List.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
    transient: List.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
  });
  const types = optString(s, cmd, 'type');
  exclusive(s, cmd, 'details', 'uuid');
  exclusive(s, cmd, 'details', 'name');
  if (types !== undefined) {
    for (const type of splitList(types)) {
      const flag = POOL_TYPES[type];
      if (flag === undefined) {
        s.error(`Invalid pool type '${type}'`);
        throw new CommandFailed();
      }
      flags |= flag;
    }
  }
  let pools: StoragePool[];
  try {
    pools = s.keepAll(await s.connection.listStoragePools(flags)).sort((a, b) => compareIgnoringCase(a.name, b.name));
  } catch (err) {
    throw s.fail(err, 'Failed to list pools');
  }
  const details = cmd.has('details');
  const rows: string[][] = [];
  for (const pool of pools) {
    let autostart: string;
    try {
      autostart = (await pool.autostart()) ? 'yes' : 'no';
    } catch {
      autostart = 'no autostart';
    }
    let persistent = '';
    if (details) {
      try {
        persistent = (await pool.isPersistent()) ? 'yes' : 'no';
      } catch {
        persistent = 'unknown';
      }
    }
    let info;
    try {
      info = await pool.info();
    } catch {
      s.error('Could not retrieve pool information');
      rows.push(details ? [pool.name, 'unknown', autostart, persistent, 'unknown', 'unknown', 'unknown'] : [pool.name, 'unknown', autostart]);
      continue;
    }
    if (!details) {
      rows.push([pool.name, (await pool.isActive()) ? 'active' : 'inactive', autostart]);
      continue;
    }
    const sized = info.state === virStoragePoolState.VIR_STORAGE_POOL_RUNNING || info.state === virStoragePoolState.VIR_STORAGE_POOL_DEGRADED;
    const size = (bytes: number) => (sized ? formatCapacity(bytes) : '-');
    rows.push([pool.name, poolStateName(info.state), autostart, persistent, size(info.capacity), size(info.allocation), size(info.available)]);
  }
  if (!details && (cmd.has('uuid') || cmd.has('name'))) {
    for (const pool of pools) {
      if (cmd.has('uuid')) s.print(padEnd(pool.uuid, 36) + (cmd.has('name') ? ' ' : '\n'));
      if (cmd.has('name')) s.print(`${padEnd(pool.name, 20)}\n`);
    }
    return true;
  }
  const head = details
    ? ['Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available']
    : ['Name', 'State', 'Autostart'];
  s.print(formatTable(head, rows, !s.quiet));
  return true;
}

async function cmdPoolRefresh(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { pool, key } = await optPool(s, cmd);
  try {
    await pool.refresh(0);
  } catch (err) {
    throw s.fail(err, `Failed to refresh pool ${key}`);
  }
  s.printExtra(`Pool ${key} refreshed\n`);
  return true;
}

async function cmdPoolStart(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { pool, key } = await optPool(s, cmd);
  exclusive(s, cmd, 'overwrite', 'no-overwrite');
  const flags = flagsFrom(cmd, CREATE_WITH_BUILD);
  try {
    await pool.start(flags);
  } catch (err) {
    throw s.fail(err, `Failed to start pool ${key}`);
  }
  s.printExtra(`Pool ${key} started\n`);
  return true;
}

async function cmdPoolUndefine(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { pool, key } = await optPool(s, cmd);
  try {
    await pool.undefine();
  } catch (err) {
    throw s.fail(err, `Failed to undefine pool ${key}`);
  }
  s.printExtra(`Pool ${key} has been undefined\n`);
  return true;
}

export const poolCommands: readonly CommandDef[] = [
  {
    name: 'pool-build',
    group: 'pool',
    help: 'build a pool',
    desc: 'Build a given pool.',
    opts: [POOL, BUILD_OPTIONS[1]!, BUILD_OPTIONS[2]!],
    run: cmdPoolBuild,
  },
  {
    name: 'pool-create-as',
    group: 'pool',
    help: 'create a pool from a set of args',
    desc: 'Create a pool.',
    opts: [...POOL_X_AS, ...BUILD_OPTIONS],
    run: cmdPoolCreateAs,
  },
  {
    name: 'pool-define-as',
    group: 'pool',
    help: 'define a pool from a set of args',
    desc: 'Define a pool.',
    opts: POOL_X_AS,
    run: cmdPoolDefineAs,
  },
  {
    name: 'pool-define',
    group: 'pool',
    help: 'define an inactive persistent storage pool or modify an existing persistent one from an XML file',
    desc: 'Define or modify a persistent storage pool.',
    opts: [data('file', 'file containing an XML pool description'), bool('validate', 'validate the XML against the schema')],
    run: cmdPoolDefine,
  },
  {
    name: 'pool-destroy',
    group: 'pool',
    help: 'destroy (stop) a pool',
    desc: 'Forcefully stop a given pool. Raw data in the pool is untouched',
    opts: [POOL],
    run: cmdPoolDestroy,
  },
  {
    name: 'pool-dumpxml',
    group: 'pool',
    help: 'pool information in XML',
    desc: 'Output the pool information as an XML dump to stdout.',
    opts: [
      POOL,
      bool('inactive', 'show inactive defined XML'),
      string('xpath', 'xpath expression to filter the XML document', REQ_OPT),
      bool('wrap', 'wrap xpath results in an common root element'),
    ],
    run: cmdPoolDumpxml,
  },
  {
    name: 'pool-info',
    group: 'pool',
    help: 'storage pool information',
    desc: 'Returns basic information about the storage pool.',
    opts: [POOL, bool('bytes', 'Return pool info in bytes')],
    run: cmdPoolInfo,
  },
  {
    name: 'pool-list',
    group: 'pool',
    help: 'list pools',
    desc: 'Returns list of pools.',
    opts: [
      bool('inactive', 'list inactive pools'),
      bool('all', 'list inactive & active pools'),
      bool('transient', 'list transient pools'),
      bool('persistent', 'list persistent pools'),
      bool('autostart', 'list pools with autostart enabled'),
      bool('no-autostart', 'list pools with autostart disabled'),
      string('type', 'only list pool of specified type(s) (if supported)'),
      bool('details', 'display extended details for pools'),
      bool('uuid', 'list UUID of active pools only'),
      bool('name', 'list name of active pools only'),
    ],
    run: cmdPoolList,
  },
  {
    name: 'pool-refresh',
    group: 'pool',
    help: 'refresh a pool',
    desc: 'Refresh a given pool.',
    opts: [POOL],
    run: cmdPoolRefresh,
  },
  {
    name: 'pool-start',
    group: 'pool',
    help: 'start a (previously defined) inactive pool',
    desc: 'Start a pool.',
    opts: [POOL, ...BUILD_OPTIONS],
    run: cmdPoolStart,
  },
  {
    name: 'pool-undefine',
    group: 'pool',
    help: 'undefine an inactive pool',
    desc: 'Undefine the configuration for an inactive pool.',
    opts: [POOL],
    run: cmdPoolUndefine,
  },
];
