import type { CommandDef } from './command-def.js';
import { domainCommands } from './commands/domain.js';
import { jobCommands } from './commands/job.js';
import { hostCommands } from './commands/host.js';
import { monitorCommands } from './commands/monitor.js';
import { networkCommands } from './commands/network.js';
import { poolCommands } from './commands/pool.js';
import { shellCommands } from './commands/shell.js';
import { volumeCommands } from './commands/volume.js';

/** Every command tsvirsh knows, group by group in `virsh help` order. */
export const COMMANDS: readonly CommandDef[] = [
  ...domainCommands,
  ...monitorCommands,
  ...hostCommands,
  ...networkCommands,
  ...poolCommands,
  ...volumeCommands,
  ...jobCommands,
  ...shellCommands(() => COMMANDS),
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

export function findCommand(name: string): CommandDef | undefined {
  return BY_NAME.get(name);
}
