import { bool, GROUPS, string, type CommandDef, type ParsedCommand } from '../command-def.js';
import { allGroupsHelp, commandHelp, groupHelp } from '../help.js';
import { optString } from '../options.js';
import type { Session } from '../session.js';

/** The commands of the shell itself ("Virsh itself"): help, quit, exit, connect. */

async function cmdHelp(s: Session, cmd: ParsedCommand, everything: readonly CommandDef[]): Promise<boolean> {
  // An empty name means "no name" here (vshCommandOptStringQuiet).
  const name = cmd.value('command');
  if (!name) {
    s.print(allGroupsHelp(everything));
    return true;
  }
  const def = everything.find((c) => c.name === name);
  if (def) {
    s.print(commandHelp(def));
    return true;
  }
  const group = GROUPS.find((g) => g.key === name || g.title === name);
  if (group) {
    s.print(groupHelp(group.key, everything));
    return true;
  }
  s.error(`command or command group '${name}' doesn't exist`);
  return false;
}

async function cmdQuit(s: Session): Promise<boolean> {
  s.interactive = false;
  return true;
}

async function cmdConnect(s: Session, cmd: ParsedCommand): Promise<boolean> {
  const name = optString(s, cmd, 'name');
  // Once read-only, virsh stays so: --readonly can only add the restriction.
  return s.reconnect(name ?? s.uri, cmd.has('readonly') || s.readonly);
}

const QUIT_HELP = 'quit this interactive terminal';

/** The shell's commands; `all` gives every command, which help describes. */
export const shellCommands = (all: () => Promise<readonly CommandDef[]>): readonly CommandDef[] => [
  { name: 'exit', group: 'virsh', help: QUIT_HELP, opts: [], noConnect: true, run: cmdQuit },
  {
    name: 'help',
    group: 'virsh',
    help: 'print help',
    desc: 'Prints global help, command specific help, or help for a\n    group of related commands',
    opts: [string('command', 'Prints global help, command specific help, or help for a group of related commands')],
    noConnect: true,
    run: async (s, cmd) => cmdHelp(s, cmd, await all()),
  },
  { name: 'quit', group: 'virsh', help: QUIT_HELP, opts: [], noConnect: true, run: cmdQuit },
  {
    name: 'connect',
    group: 'virsh',
    help: '(re)connect to hypervisor',
    desc: 'Connect to local hypervisor. This is built-in command after shell start up.',
    opts: [string('name', 'hypervisor connection URI'), bool('readonly', 'read-only connection')],
    noConnect: true,
    run: cmdConnect,
  },
];
