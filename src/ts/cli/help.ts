import { GROUPS, type CommandDef, type GroupKey } from './command-def.js';
import { padEnd } from './format.js';

/**
 * The help texts in virsh's layout: `help COMMAND` (vshCmddefHelp), `help GROUP`, `help` and `virsh -h`.
 */
export function commandHelp(def: CommandDef): string {
  let out = `  NAME\n    ${def.name} - ${def.help}\n\n  SYNOPSIS\n    ${def.name}`;
  for (const opt of def.opts) {
    if (opt.kind === 'bool') out += ` [--${opt.name}]`;
    else if (opt.kind === 'string') out += ` [--${opt.name} <string>]`;
    else if (opt.kind === 'int') out += ` [--${opt.name} <number>]`;
    else out += opt.required ? ` <${opt.name}>` : ` [<${opt.name}>]`;
  }
  out += '\n';
  if (def.desc) out += `\n  DESCRIPTION\n    ${def.desc}\n`;
  if (def.opts.length) {
    out += '\n  OPTIONS\n';
    for (const opt of def.opts) {
      const spelled =
        opt.kind === 'bool'
          ? `--${opt.name}`
          : opt.kind === 'string'
            ? `--${opt.name} <string>`
            : opt.kind === 'int'
              ? `--${opt.name} <number>`
              : `[--${opt.name}] <string>`;
      out += `    ${padEnd(spelled, 15)}  ${opt.help}\n`;
    }
  }
  return `${out}\n`;
}

function groupTitle(key: GroupKey): string {
  return GROUPS.find((g) => g.key === key)!.title;
}

/** One group's commands; `colon` is false in `virsh -h`, whose headings have none. */
export function groupHelp(key: GroupKey, commands: readonly CommandDef[], colon = true): string {
  let out = ` ${groupTitle(key)} (help keyword '${key}')${colon ? ':' : ''}\n`;
  for (const def of commands) if (def.group === key) out += `    ${padEnd(def.name, 30)} ${def.help}\n`;
  return out;
}

/** `help` without arguments. */
export function allGroupsHelp(commands: readonly CommandDef[]): string {
  return `Grouped commands:\n\n${GROUPS.map((g) => `${groupHelp(g.key, commands)}\n`).join('')}`;
}

/** `virsh -h`. tsvirsh keeps no log file, so `-l` is not offered. */
export function usage(progname: string, commands: readonly CommandDef[]): string {
  return `
${progname} [options]... [<command_string>]
${progname} [options]... <command> [args...]

  options:
    -c | --connect=URI      hypervisor connection URI
    -d | --debug=NUM        debug level [0-4]
    -e | --escape <char>    set escape sequence for console
    -h | --help             this help
    -k | --keepalive-interval=NUM
                            keepalive interval in seconds, 0 for disable
    -K | --keepalive-count=NUM
                            number of possible missed keepalive messages
    -q | --quiet            quiet mode
    -r | --readonly         connect readonly
    -t | --timing           print timing information
    -v                      short version
    -V                      long version
         --version[=TYPE]   version, TYPE is short or long (default short)
  commands (non interactive mode):

${GROUPS.map((g) => `${groupHelp(g.key, commands, false)}\n`).join('')}
  (specify help <group> for details about the commands in the group)

  (specify help <command> for details about the command)

`;
}
