import { ParsedCommand, type CommandDef, type OptDef } from './command-def.js';
import type { TokenSource } from './tokenizer.js';

/**
 * Turns words into commands with virsh's rules (vshCommandParse): the first word names the command, `--opt`
 * or `--opt=value` names an option, `--` ends option parsing, and any other word fills the next positional
 * option (every non-boolean option that is not marked "--name only", in table order). Every command is
 * parsed and checked before any runs; the first mistake is reported and nothing runs. `--help` anywhere
 * turns the command into `help <command>`, and `help` itself ignores words it does not understand.
 * A command's definition may load on lookup (table.ts loads a group on first use).
 */
export type CommandLookup = (name: string) => Promise<CommandDef | undefined>;

/** The option virsh accepts on every command, meaning "show this command's help". */
const HELP_OPTION = 'help';

export async function parseCommands(
  tokens: TokenSource,
  lookup: CommandLookup,
  report: (message: string) => void,
): Promise<ParsedCommand[] | null> {
  const commands: ParsedCommand[] = [];
  for (;;) {
    let def: CommandDef | undefined;
    let parsed: ParsedCommand | null = null;
    let dataOnly = false;
    let wantsHelp = false;
    // Options still waiting for a positional value, and options given so far, by index in the table.
    let pending: number[] = [];
    const seen = new Set<number>();
    let tok = tokens.next();
    for (; tok.kind === 'word'; tok = tokens.next()) {
      const word = tok.text;
      if (!def) {
        if (word.startsWith('#')) {
          // A comment where a command name belongs swallows the rest of this command.
          do tok = tokens.next();
          while (tok.kind === 'word');
          break;
        }
        def = await lookup(word);
        if (!def) {
          report(`unknown command: '${word}'`);
          return null;
        }
        parsed = new ParsedCommand(def);
        pending = positionalOptions(def);
        continue;
      }
      const isHelp = def.name === 'help';
      if (!dataOnly && word.startsWith('--') && /^[A-Za-z0-9]/.test(word.slice(2))) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
        let inline: string | undefined = eq < 0 ? undefined : word.slice(eq + 1);
        if (name === HELP_OPTION) {
          if (inline !== undefined) {
            report(`invalid '=' after option --${name}`);
            return null;
          }
          wantsHelp = true;
          continue;
        }
        const index = def.opts.findIndex((o) => o.name === name);
        if (index < 0) {
          if (isHelp) continue;
          report(`command '${def.name}' doesn't support option --${name}`);
          return null;
        }
        const opt = def.opts[index]!;
        if (seen.has(index)) {
          report(`option --${name} already seen`);
          return null;
        }
        seen.add(index);
        if (opt.kind === 'bool') {
          if (inline !== undefined) {
            report(`invalid '=' after option --${opt.name}`);
            return null;
          }
          parsed!.set(opt.name, '');
          continue;
        }
        if (inline === undefined) {
          const value = tokens.next();
          if (value.kind === 'error') {
            report(value.message);
            return null;
          }
          if (value.kind !== 'word') {
            report(`expected syntax: --${opt.name} <${opt.kind === 'int' ? 'number' : 'string'}>`);
            return null;
          }
          inline = value.text;
        }
        pending = pending.filter((i) => i !== index);
        parsed!.set(opt.name, inline);
        continue;
      }
      if (!dataOnly && word === '--') {
        dataOnly = true;
        continue;
      }
      const index = pending.shift();
      if (index === undefined) {
        if (isHelp) continue;
        report(`unexpected data '${word}'`);
        return null;
      }
      seen.add(index);
      parsed!.set(def.opts[index]!.name, word);
    }
    if (tok.kind === 'error') {
      report(tok.message);
      return null;
    }
    if (def && parsed) {
      if (wantsHelp) {
        const help = (await lookup('help'))!;
        parsed = new ParsedCommand(help);
        parsed.set('command', def.name);
      } else if (!checkRequired(def, seen, report)) {
        return null;
      }
      commands.push(parsed);
    }
    if (tok.kind === 'end') return commands;
  }
}

/** Indices of the options that take positional values, in the order they take them. */
function positionalOptions(def: CommandDef): number[] {
  const out: number[] = [];
  def.opts.forEach((o: OptDef, i) => {
    if (o.kind !== 'bool' && !o.requireOpt) out.push(i);
  });
  return out;
}

/** virsh names every missing required option, then gives up on the whole line. */
function checkRequired(def: CommandDef, seen: ReadonlySet<number>, report: (message: string) => void): boolean {
  let ok = true;
  def.opts.forEach((o, i) => {
    if (!o.required || seen.has(i)) return;
    report(
      o.kind === 'data' ? `command '${def.name}' requires <${o.name}> option` : `command '${def.name}' requires --${o.name} option`,
    );
    ok = false;
  });
  return ok;
}
