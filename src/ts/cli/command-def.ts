import type { Session } from './session.js';

/**
 * How virsh describes a command and its options (vshCmdDef / vshCmdOptDef): the parser, the help text and
 * the handlers all read the same table, so a command's interface is written down once.
 *
 * Option kinds, as virsh has them:
 * - bool: a flag, `--name` only;
 * - string: an optional value, `--name VALUE`, or positional unless `requireOpt` (VSH_OFLAG_REQ_OPT);
 * - int: the same for a number (VSH_OT_INT: help and syntax errors say `<number>`; the handler parses it);
 * - data: a value that is positional or `--name VALUE`; required unless marked optional.
 */
export type OptKind = 'bool' | 'string' | 'int' | 'data';

export interface OptDef {
  readonly name: string;
  readonly kind: OptKind;
  readonly help: string;
  readonly required: boolean;
  /** The value can only be given as `--name VALUE`, never positionally. */
  readonly requireOpt: boolean;
}

/** The groups of `virsh help`, in virsh's order, with their titles and keywords. */
export const GROUPS = [
  { key: 'domain', title: 'Domain Management' },
  { key: 'monitor', title: 'Domain Monitoring' },
  { key: 'host', title: 'Host and Hypervisor' },
  { key: 'network', title: 'Networking' },
  { key: 'pool', title: 'Storage Pool' },
  { key: 'volume', title: 'Storage Volume' },
  { key: 'job', title: 'Jobs (tsvirt extension)' },
  { key: 'virsh', title: 'Virsh itself' },
] as const;

export type GroupKey = (typeof GROUPS)[number]['key'];

/** A command's handler: true on success. Failures print their own errors (see Session). */
export type Handler = (s: Session, cmd: ParsedCommand) => Promise<boolean>;

export interface CommandDef {
  readonly name: string;
  readonly group: GroupKey;
  /** One-line summary (`virsh help`'s list and NAME section). */
  readonly help: string;
  /** DESCRIPTION section; absent when virsh prints none. */
  readonly desc?: string;
  readonly opts: readonly OptDef[];
  /** Runs without a connection (VSH_CMD_FLAG_NOCONNECT): help, quit, connect. */
  readonly noConnect?: boolean;
  readonly run: Handler;
}

export function bool(name: string, help: string): OptDef {
  return { name, kind: 'bool', help, required: false, requireOpt: false };
}

export function data(name: string, help: string, required = true): OptDef {
  return { name, kind: 'data', help, required, requireOpt: false };
}

export const REQ_OPT = true;

export function string(name: string, help: string, requireOpt = false): OptDef {
  return { name, kind: 'string', help, required: false, requireOpt };
}

export function int(name: string, help: string, requireOpt = false): OptDef {
  return { name, kind: 'int', help, required: false, requireOpt };
}

/** One command as parsed: its definition and the options given, by name. */
export class ParsedCommand {
  /** Option values in the order they were given; booleans map to ''. */
  private readonly values = new Map<string, string>();

  constructor(readonly def: CommandDef) {}

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  /** Whether the option was given at all (vshCommandOptBool). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The raw value, or undefined when the option was not given. */
  value(name: string): string | undefined {
    return this.values.get(name);
  }

  get name(): string {
    return this.def.name;
  }
}
