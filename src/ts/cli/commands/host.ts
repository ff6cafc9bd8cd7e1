import { bool, type CommandDef, type ParsedCommand } from '../command-def.js';
import { infoLine } from '../format.js';
import type { Session } from '../session.js';

/** The Host and Hypervisor commands: hostname, nodeinfo, uri, version. */

/** The libvirt release tsvirt reproduces, as virsh prints its compile-time version. */
const COMPILED_AGAINST = 9_000_000;

/** libvirt's version encoding (major * 1,000,000 + minor * 1,000 + release) as `major.minor.release`. */
function versionText(v: number): string {
  return `${Math.floor(v / 1_000_000)}.${Math.floor(v / 1000) % 1000}.${v % 1000}`;
}

async function cmdHostname(s: Session): Promise<boolean> {
  let name: string;
  try {
    name = await s.connection.hostname();
  } catch (err) {
    throw s.fail(err, 'failed to get hostname');
  }
  s.print(`${name}\n`);
  return true;
}

async function cmdNodeinfo(s: Session): Promise<boolean> {
  let info;
  try {
    info = await s.connection.nodeInfo();
  } catch (err) {
    throw s.fail(err, 'failed to get node information');
  }
  const line = (label: string, value: string | number) => s.print(infoLine(label, value, 20));
  line('CPU model:', info.model);
  line('CPU(s):', info.cpus);
  if (info.mhz) line('CPU frequency:', `${info.mhz} MHz`);
  line('CPU socket(s):', info.sockets);
  line('Core(s) per socket:', info.cores);
  line('Thread(s) per core:', info.threads);
  line('NUMA cell(s):', info.nodes);
  line('Memory size:', `${info.memory} KiB`);
  return true;
}

async function cmdUri(s: Session): Promise<boolean> {
  s.print(`${s.connection.uri}\n`);
  return true;
}

async function cmdVersion(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const rt = await s.rt();
  s.print(`Compiled against library: libvirt ${versionText(COMPILED_AGAINST)}\n`);
  // libvirt's virGetVersion gives every driver type the library's own version.
  const library = rt.libraryVersion();
  const type = s.connection.type;
  s.print(`Using library: libvirt ${versionText(library)}\n`);
  s.print(`Using API: ${type} ${versionText(library)}\n`);
  let hv: number;
  try {
    hv = await s.connection.version();
  } catch (err) {
    throw s.fail(err, 'failed to get the hypervisor version');
  }
  s.print(hv === 0 ? `Cannot extract running ${type} hypervisor version\n` : `Running hypervisor: ${type} ${versionText(hv)}\n`);
  if (cmd.has('daemon')) {
    // tsvirt's drivers run in this process, so "the daemon" is the library itself.
    s.print(`Running against daemon: ${versionText(await s.connection.libVersion())}\n`);
  }
  return true;
}

export const hostCommands: readonly CommandDef[] = [
  { name: 'hostname', group: 'host', help: 'print the hypervisor hostname', opts: [], run: cmdHostname },
  {
    name: 'nodeinfo',
    group: 'host',
    help: 'node information',
    desc: 'Returns basic information about the node.',
    opts: [],
    run: cmdNodeinfo,
  },
  { name: 'uri', group: 'host', help: 'print the hypervisor canonical URI', opts: [], run: cmdUri },
  {
    name: 'version',
    group: 'host',
    help: 'show version',
    desc: 'Display the system version information.',
    opts: [bool('daemon', 'report daemon version too')],
    run: cmdVersion,
  },
];
