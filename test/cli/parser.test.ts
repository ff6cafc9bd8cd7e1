import { describe, expect, it } from 'vitest';
import { bool, data, REQ_OPT, string, type CommandDef, type ParsedCommand } from '../../src/ts/cli/command-def.js';
import { parseCommands } from '../../src/ts/cli/parser.js';
import { findCommand } from '../../src/ts/cli/table.js';
import { ArgvTokens, StringTokens, type Token } from '../../src/ts/cli/tokenizer.js';

function words(line: string): Token[] {
  const t = new StringTokens(line);
  const out: Token[] = [];
  for (let tok = t.next(); ; tok = t.next()) {
    out.push(tok);
    if (tok.kind === 'end' || tok.kind === 'error') return out;
  }
}

const w = (text: string): Token => ({ kind: 'word', text });
const NEXT: Token = { kind: 'next' };
const END: Token = { kind: 'end' };

describe('tokenizer (vshCommandStringGetArg)', () => {
  it('splits on blanks and separates commands on ; and newlines', () => {
    expect(words('list --all;domstate  test\n\turi')).toEqual([w('list'), w('--all'), NEXT, w('domstate'), w('test'), NEXT, w('uri'), END]);
  });

  it('keeps single quotes literal and lets double quotes group with escapes', () => {
    expect(words(`a 'b c\\d' "e \\"f\\" g" h\\ i te'st'`)).toEqual([w('a'), w('b c\\d'), w('e "f" g'), w('h i'), w('test'), END]);
  });

  it('treats ; and # inside quotes as text', () => {
    expect(words(`domstate "te;st" 'a#b'`)).toEqual([w('domstate'), w('te;st'), w('a#b'), END]);
  });

  it('makes a word starting with # a comment to the end of the line', () => {
    expect(words('domstate test #foo; list\nuri')).toEqual([w('domstate'), w('test'), NEXT, w('uri'), END]);
    expect(words('domstate te#st')).toEqual([w('domstate'), w('te#st'), END]);
  });

  it('drops backslash-newline', () => {
    expect(words('dom\\\nstate x \\\n y')).toEqual([w('domstate'), w('x'), w('y'), END]);
  });

  it('reports an unterminated double quote and a dangling backslash', () => {
    expect(words('domstate "test').at(-1)).toEqual({ kind: 'error', message: 'missing "' });
    expect(words('domstate test\\').at(-1)).toEqual({ kind: 'error', message: 'dangling \\' });
  });

  it('lets an unterminated single quote run to the end', () => {
    expect(words("a 'b c")).toEqual([w('a'), w('b c'), END]);
  });

  it('takes each argv element as one word and never splits commands', () => {
    const t = new ArgvTokens(['list', 'a b', ';']);
    expect([t.next(), t.next(), t.next(), t.next()]).toEqual([w('list'), w('a b'), w(';'), END]);
  });
});

const TEST_CMD: CommandDef = {
  name: 'thing',
  group: 'domain',
  help: 'test command',
  opts: [
    data('first', 'first'),
    data('second', 'second'),
    bool('flag', 'a flag'),
    string('only-named', 'needs its name', REQ_OPT),
    string('third', 'positional string'),
  ],
  run: async () => true,
};
const HELP = (await findCommand('help'))!;
const lookup = async (name: string) => (name === 'thing' ? TEST_CMD : name === 'help' ? HELP : undefined);

async function parse(line: string | string[]): Promise<{ commands: ParsedCommand[] | null; errors: string[] }> {
  const errors: string[] = [];
  const tokens = typeof line === 'string' ? new StringTokens(line) : new ArgvTokens(line);
  return { commands: await parseCommands(tokens, lookup, (m) => errors.push(m)), errors };
}

function values(cmd: ParsedCommand): Record<string, string | undefined> {
  return Object.fromEntries(cmd.def.opts.filter((o) => cmd.has(o.name)).map((o) => [o.name, cmd.value(o.name)]));
}

describe('parser (vshCommandParse)', () => {
  it('fills positional options in table order, skipping booleans and --name-only options', async () => {
    const { commands } = await parse('thing a b c');
    expect(values(commands![0]!)).toEqual({ first: 'a', second: 'b', third: 'c' });
  });

  it('accepts --opt value and --opt=value, and a named option leaves the positional order', async () => {
    const { commands } = await parse('thing --second=b a --only-named x --flag');
    expect(values(commands![0]!)).toEqual({ first: 'a', second: 'b', flag: '', 'only-named': 'x' });
  });

  it('takes the next word as a value even when it looks like an option', async () => {
    expect(values((await parse('thing --first --flag b')).commands![0]!)).toEqual({ first: '--flag', second: 'b' });
  });

  it('treats words after -- as data, and -x or ---x as data', async () => {
    expect(values((await parse('thing -- --flag -x')).commands![0]!)).toEqual({ first: '--flag', second: '-x' });
    expect(values((await parse('thing ---x y')).commands![0]!)).toEqual({ first: '---x', second: 'y' });
  });

  it('parses several commands', async () => {
    const { commands } = await parse('thing a b; thing c d --flag');
    expect(commands!.map(values)).toEqual([{ first: 'a', second: 'b' }, { first: 'c', second: 'd', flag: '' }]);
  });

  it('names every missing required option, and nothing runs', async () => {
    expect(await parse('thing')).toEqual({
      commands: null,
      errors: ["command 'thing' requires <first> option", "command 'thing' requires <second> option"],
    });
  });

  it('rejects unknown commands, unknown options, extra data, repeats and = on booleans', async () => {
    expect((await parse('nosuch; thing a b')).errors).toEqual(["unknown command: 'nosuch'"]);
    expect((await parse('thing a b --bogus')).errors).toEqual(["command 'thing' doesn't support option --bogus"]);
    expect((await parse('thing a b c d')).errors).toEqual(["unexpected data 'd'"]);
    expect((await parse('thing a b --flag --flag')).errors).toEqual(['option --flag already seen']);
    expect((await parse('thing a --first x')).errors).toEqual(['option --first already seen']);
    expect((await parse('thing --first x y z w')).errors).toEqual(["unexpected data 'w'"]);
    expect((await parse('thing a b --flag=1')).errors).toEqual(["invalid '=' after option --flag"]);
    expect((await parse('thing a b --third')).errors).toEqual(['expected syntax: --third <string>']);
    expect((await parse('thing a b --third; thing')).errors).toEqual(['expected syntax: --third <string>']);
  });

  it('reports the first problem in order, including tokenizer errors after valid commands', async () => {
    expect((await parse('thing a b; thing "x')).errors).toEqual(['missing "']);
    expect((await parse('thing; nosuch')).errors).toEqual(["command 'thing' requires <first> option", "command 'thing' requires <second> option"]);
  });

  it('turns --help into help for the command, skipping the required-option check', async () => {
    const { commands } = await parse('thing --help');
    expect(commands![0]!.name).toBe('help');
    expect(commands![0]!.value('command')).toBe('thing');
    expect((await parse('thing --help=1')).errors).toEqual(["invalid '=' after option --help"]);
  });

  it('lets help ignore options and data it does not know', async () => {
    const { commands, errors } = await parse('help thing extra --bogus');
    expect(errors).toEqual([]);
    expect(commands![0]!.value('command')).toBe('thing');
  });

  it('ignores empty commands and comments in place of a command', async () => {
    expect((await parse(' ;; # thing a\n thing a b')).commands!.map((c) => c.name)).toEqual(['thing']);
    expect((await parse(['#', 'thing'])).commands).toEqual([]);
  });

  it('keeps an empty value given to an option (the command decides)', async () => {
    expect(values((await parse(['thing', '', 'b'])).commands![0]!)).toEqual({ first: '', second: 'b' });
  });
});
