import type { ParsedCommand } from './command-def.js';
import { CommandFailed, type Session } from './session.js';

/**
 * Reading option values the way virsh's handlers do (vshCommandOptStringReq and friends): an option given
 * with an empty value is an error, and options that exclude or need each other are checked with virsh's
 * wording.
 */

/** The option's value, or undefined when it was not given; an empty value fails the command. */
export function optString(s: Session, cmd: ParsedCommand, name: string): string | undefined {
  const value = cmd.value(name);
  if (value === '') {
    s.error(`Failed to get option '${name}': Option argument is empty`);
    throw new CommandFailed();
  }
  return value;
}

/** A required option's value (the parser has made sure it was given). */
export function optRequired(s: Session, cmd: ParsedCommand, name: string): string {
  const value = optString(s, cmd, name);
  if (value === undefined) throw new Error(`option --${name} of ${cmd.name} is required by the table but missing`);
  return value;
}

/** VSH_EXCLUSIVE_OPTIONS: fails when both options were given. */
export function exclusive(s: Session, cmd: ParsedCommand, a: string, b: string): void {
  if (cmd.has(a) && cmd.has(b)) {
    s.error(`Options --${a} and --${b} are mutually exclusive`);
    throw new CommandFailed();
  }
}

/** VSH_REQUIRE_OPTION: `option` only makes sense together with `needed`. */
export function requires(s: Session, cmd: ParsedCommand, option: string, needed: string): void {
  if (cmd.has(option) && !cmd.has(needed)) {
    s.error(`Option --${needed} is required by option --${option}`);
    throw new CommandFailed();
  }
}

/** ORs the flag of every boolean option that was given. */
export function flagsFrom(cmd: ParsedCommand, table: Readonly<Record<string, number>>): number {
  let flags = 0;
  for (const [name, flag] of Object.entries(table)) if (cmd.has(name)) flags |= flag;
  return flags;
}
