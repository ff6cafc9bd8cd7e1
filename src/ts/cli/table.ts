import { GROUPS, type CommandDef, type GroupKey } from './command-def.js';

/**
 * Every command tsvirsh knows. The definitions live in commands/, a module per group, and a group loads on first
 * use: a short command evaluates its own group's definitions only, where evaluating them all was a fifth of the
 * shell's start-up code. The names are written down twice, here and in the group's table, so that a command is
 * found without loading the other groups; test/cli/table.test.ts checks that both agree.
 */
export const COMMAND_NAMES: { readonly [G in GroupKey]: readonly string[] } = {
  domain: [
    'create', 'define', 'destroy', 'domid', 'domjobabort', 'domjobinfo', 'domname', 'domuuid', 'dump', 'dumpxml',
    'reboot', 'restore', 'resume', 'save', 'shutdown', 'start', 'suspend', 'undefine',
  ],
  monitor: ['dominfo', 'domstate', 'list'],
  host: ['hostname', 'nodeinfo', 'uri', 'version'],
  network: ['net-create', 'net-define', 'net-destroy', 'net-dumpxml', 'net-info', 'net-list', 'net-start', 'net-undefine'],
  pool: [
    'pool-build', 'pool-create-as', 'pool-define-as', 'pool-define', 'pool-destroy', 'pool-dumpxml', 'pool-info',
    'pool-list', 'pool-refresh', 'pool-start', 'pool-undefine',
  ],
  volume: [
    'vol-clone', 'vol-create-as', 'vol-create', 'vol-delete', 'vol-download', 'vol-dumpxml', 'vol-info', 'vol-list',
    'vol-resize', 'vol-upload', 'vol-wipe',
  ],
  job: ['job-cancel', 'job-info', 'job-list', 'job-wait'],
  virsh: ['exit', 'help', 'quit', 'connect'],
};

const LOADERS: { readonly [G in GroupKey]: () => Promise<readonly CommandDef[]> } = {
  domain: async () => (await import('./commands/domain.js')).domainCommands,
  monitor: async () => (await import('./commands/monitor.js')).monitorCommands,
  host: async () => (await import('./commands/host.js')).hostCommands,
  network: async () => (await import('./commands/network.js')).networkCommands,
  pool: async () => (await import('./commands/pool.js')).poolCommands,
  volume: async () => (await import('./commands/volume.js')).volumeCommands,
  job: async () => (await import('./commands/job.js')).jobCommands,
  virsh: async () => (await import('./commands/shell.js')).shellCommands(allCommands),
};

const GROUP_OF = new Map(GROUPS.flatMap((g) => COMMAND_NAMES[g.key].map((name) => [name, g.key] as const)));
const loaded = new Map<GroupKey, Promise<readonly CommandDef[]>>();

/** One group's commands, in their table's order. */
export function groupCommands(key: GroupKey): Promise<readonly CommandDef[]> {
  let commands = loaded.get(key);
  if (!commands) loaded.set(key, (commands = LOADERS[key]()));
  return commands;
}

export async function findCommand(name: string): Promise<CommandDef | undefined> {
  const group = GROUP_OF.get(name);
  return group && (await groupCommands(group)).find((c) => c.name === name);
}

/** Every command, group by group in `virsh help` order (help lists them all). */
export async function allCommands(): Promise<readonly CommandDef[]> {
  return (await Promise.all(GROUPS.map((g) => groupCommands(g.key)))).flat();
}
