import type { Network } from '../../index.js';
import { virConnectListAllNetworksFlags as List, virNetworkXMLFlags } from '../../core/enums.generated.js';
import { bool, data, REQ_OPT, string, type CommandDef, type ParsedCommand } from '../command-def.js';
import { readXmlFile } from '../files.js';
import { compareIgnoringCase, formatTable, infoLine } from '../format.js';
import { optNetwork } from '../lookup.js';
import { optRequired } from '../options.js';
import type { Session } from '../session.js';
import { dumpXml } from '../xml-output.js';

/** The Networking commands, in `virsh help network` order. */

const NETWORK = data('network', 'network name or uuid');
/** VIR_NETWORK_CREATE_VALIDATE and VIR_NETWORK_DEFINE_VALIDATE share this value. */
const VALIDATE = 1;

async function cmdNetCreate(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const from = optRequired(s, cmd, 'file');
  const flags = cmd.has('validate') ? VALIDATE : 0;
  const xml = await readXmlFile(from);
  let net: Network;
  try {
    net = s.keep(await s.waitForJob(s.connection.createNetwork(xml, { flags })));
  } catch (err) {
    throw s.fail(err, `Failed to create network from ${from}`);
  }
  s.printExtra(`Network ${net.name} created from ${from}\n`);
  return true;
}

async function cmdNetDefine(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const from = optRequired(s, cmd, 'file');
  const flags = cmd.has('validate') ? VALIDATE : 0;
  const xml = await readXmlFile(from);
  let net: Network;
  try {
    net = s.keep(await s.connection.defineNetwork(xml, flags));
  } catch (err) {
    throw s.fail(err, `Failed to define network from ${from}`);
  }
  s.printExtra(`Network ${net.name} defined from ${from}\n`);
  return true;
}

async function cmdNetDestroy(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { net, key } = await optNetwork(s, cmd);
  try {
    await net.destroy();
  } catch (err) {
    throw s.fail(err, `Failed to destroy network ${key}`);
  }
  s.printExtra(`Network ${key} destroyed\n`);
  return true;
}

async function cmdNetDumpxml(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { net } = await optNetwork(s, cmd);
  const flags = cmd.has('inactive') ? virNetworkXMLFlags.VIR_NETWORK_XML_INACTIVE : 0;
  return dumpXml(s, cmd, () => net.xml(flags));
}

async function cmdNetInfo(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { net } = await optNetwork(s, cmd);
  const optional = async <T>(query: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await query();
    } catch (err) {
      s.keepError(err);
      return undefined;
    }
  };
  s.print(infoLine('Name:', net.name));
  s.print(infoLine('UUID:', net.uuid));
  const active = await optional(() => net.isActive());
  if (active !== undefined) s.print(infoLine('Active:', active ? 'yes' : 'no'));
  const persistent = await optional(() => net.isPersistent());
  s.print(infoLine('Persistent:', persistent === undefined ? 'unknown' : persistent ? 'yes' : 'no'));
  const autostart = await optional(() => net.autostart());
  s.print(infoLine('Autostart:', autostart === undefined ? 'no autostart' : autostart ? 'yes' : 'no'));
  const bridge = await optional(() => net.bridgeName());
  if (bridge !== undefined) s.print(infoLine('Bridge:', bridge));
  return true;
}

async function cmdNetList(s: Session, cmd: ParsedCommand): Promise<boolean> {
  let flags: number = List.VIR_CONNECT_LIST_NETWORKS_ACTIVE;
  if (cmd.has('inactive')) flags = List.VIR_CONNECT_LIST_NETWORKS_INACTIVE;
  if (cmd.has('all')) flags = List.VIR_CONNECT_LIST_NETWORKS_ACTIVE | List.VIR_CONNECT_LIST_NETWORKS_INACTIVE;
  if (cmd.has('persistent')) flags |= List.VIR_CONNECT_LIST_NETWORKS_PERSISTENT;
  if (cmd.has('transient')) flags |= List.VIR_CONNECT_LIST_NETWORKS_TRANSIENT;
  if (cmd.has('autostart')) flags |= List.VIR_CONNECT_LIST_NETWORKS_AUTOSTART;
  if (cmd.has('no-autostart')) flags |= List.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;
  if (Number(cmd.has('table')) + Number(cmd.has('name')) + Number(cmd.has('uuid')) > 1) {
    s.error('Only one argument from --table, --name and --uuid may be specified.');
    return false;
  }
  let nets: Network[];
  try {
    nets = s.keepAll(await s.connection.listNetworks(flags)).sort((a, b) => compareIgnoringCase(a.name, b.name));
  } catch (err) {
    throw s.fail(err, 'Failed to list networks');
  }
  if (cmd.has('uuid') || cmd.has('name')) {
    for (const net of nets) s.print(`${cmd.has('uuid') ? net.uuid : net.name}\n`);
    return true;
  }
  const rows: string[][] = [];
  for (const net of nets) {
    let autostart: string;
    try {
      autostart = (await net.autostart()) ? 'yes' : 'no';
    } catch {
      autostart = 'no autostart';
    }
    rows.push([net.name, (await net.isActive()) ? 'active' : 'inactive', autostart, (await net.isPersistent()) ? 'yes' : 'no']);
  }
  s.print(formatTable(['Name', 'State', 'Autostart', 'Persistent'], rows, !s.quiet));
  return true;
}

async function cmdNetStart(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { net, key } = await optNetwork(s, cmd);
  try {
    await s.waitForJob(net.start());
  } catch (err) {
    throw s.fail(err, `Failed to start network ${key}`);
  }
  s.printExtra(`Network ${key} started\n`);
  return true;
}

async function cmdNetUndefine(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const { net, key } = await optNetwork(s, cmd);
  try {
    await net.undefine();
  } catch (err) {
    throw s.fail(err, `Failed to undefine network ${key}`);
  }
  s.printExtra(`Network ${key} has been undefined\n`);
  return true;
}

export const networkCommands: readonly CommandDef[] = [
  {
    name: 'net-create',
    group: 'network',
    help: 'create a network from an XML file',
    desc: 'Create a network.',
    opts: [data('file', 'file containing an XML network description'), bool('validate', 'validate the XML against the schema')],
    run: cmdNetCreate,
  },
  {
    name: 'net-define',
    group: 'network',
    help: 'define an inactive persistent virtual network or modify an existing persistent one from an XML file',
    desc: 'Define or modify a persistent virtual network.',
    opts: [data('file', 'file containing an XML network description'), bool('validate', 'validate the XML against the schema')],
    run: cmdNetDefine,
  },
  {
    name: 'net-destroy',
    group: 'network',
    help: 'destroy (stop) a network',
    desc: 'Forcefully stop a given network.',
    opts: [NETWORK],
    run: cmdNetDestroy,
  },
  {
    name: 'net-dumpxml',
    group: 'network',
    help: 'network information in XML',
    desc: 'Output the network information as an XML dump to stdout.',
    opts: [
      NETWORK,
      bool('inactive', 'show inactive defined XML'),
      string('xpath', 'xpath expression to filter the XML document', REQ_OPT),
      bool('wrap', 'wrap xpath results in an common root element'),
    ],
    run: cmdNetDumpxml,
  },
  {
    name: 'net-info',
    group: 'network',
    help: 'network information',
    desc: 'Returns basic information about the network',
    opts: [NETWORK],
    run: cmdNetInfo,
  },
  {
    name: 'net-list',
    group: 'network',
    help: 'list networks',
    desc: 'Returns list of networks.',
    opts: [
      bool('inactive', 'list inactive networks'),
      bool('all', 'list inactive & active networks'),
      bool('persistent', 'list persistent networks'),
      bool('transient', 'list transient networks'),
      bool('autostart', 'list networks with autostart enabled'),
      bool('no-autostart', 'list networks with autostart disabled'),
      bool('uuid', "list uuid's only"),
      bool('name', 'list network names only'),
      bool('table', 'list table (default)'),
    ],
    run: cmdNetList,
  },
  {
    name: 'net-start',
    group: 'network',
    help: 'start a (previously defined) inactive network',
    desc: 'Start a network.',
    opts: [NETWORK],
    run: cmdNetStart,
  },
  {
    name: 'net-undefine',
    group: 'network',
    help: 'undefine a persistent network',
    desc: 'Undefine the configuration for a persistent network.',
    opts: [NETWORK],
    run: cmdNetUndefine,
  },
];
