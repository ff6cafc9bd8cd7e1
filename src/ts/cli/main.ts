import { parseGlobalOptions } from './global-options.js';
import { parseCommands } from './parser.js';
import { processArguments, processIO } from './process-io.js';
import { hasEscapedByte } from '../xml/bytes.js';
import { Session, type CliIO } from './session.js';
import { allCommands, findCommand } from './table.js';
import { ArgvTokens, StringTokens } from './tokenizer.js';

/**
 * tsvirsh: virsh's command-line interface on tsvirt. `main` runs one invocation and resolves to its exit
 * status; the launcher (bin/tsvirsh.cjs) passes the real process, tests pass buffers.
 *
 *   tsvirsh [OPTIONS] 'cmd1 ...; cmd2 ...'     a batch in one argument
 *   tsvirsh [OPTIONS] cmd arg...               one command as separate arguments
 *   tsvirsh [OPTIONS]                          the interactive shell
 */
const LIBVIRT_VERSION = '9.0.0';

export async function main(argv: readonly string[] = processArguments(), io: CliIO = processIO()): Promise<number> {
  // tsvirt's API takes file and object names as strings, so a name that is not UTF-8 cannot reach it
  // unchanged; refusing it beats reading or writing another file than the one named.
  const notUtf8 = argv.find(hasEscapedByte);
  if (notUtf8 !== undefined) {
    io.stderr.write(`error: invalid argument: '${notUtf8}' is not valid UTF-8, which tsvirsh cannot pass on unchanged\n`);
    return 1;
  }
  const parsed = parseGlobalOptions(argv);
  if (parsed.kind === 'error') {
    io.stderr.write(`error: ${parsed.message}\n`);
    return 1;
  }
  if (parsed.kind === 'print') {
    // The help texts load with the commands they list, not with every command.
    if (parsed.text === 'usage') io.stdout.write((await import('./help.js')).usage('tsvirsh', await allCommands()));
    else if (parsed.text === 'version') io.stdout.write(`${LIBVIRT_VERSION}\n`);
    else io.stdout.write(longVersion());
    return 0;
  }
  const options = parsed.options;
  for (const warning of options.warnings) io.stderr.write(`error: ${warning}\n`);
  const interactive = options.rest.length === 0;
  const s = new Session(io, { ...options, interactive });
  try {
    // As in virsh, a named URI must connect before anything runs; the default one waits for a command.
    if (s.uri !== undefined && !(await s.reconnect())) return 1;
    // The interactive shell (and its line editing) is only loaded when there is no command to run.
    if (interactive) return await (await import('./interactive.js')).runInteractive(s);
    return await runBatch(s, options.rest);
  } finally {
    await s.disconnect();
  }
}

async function runBatch(s: Session, args: readonly string[]): Promise<number> {
  // A single argument is a command string (`;`-separated commands); several are one command's words.
  if (args.length === 1 && args[0] === '') return 1;
  const tokens = args.length === 1 ? new StringTokens(args[0]!) : new ArgvTokens(args);
  const commands = await parseCommands(tokens, findCommand, (message) => s.error(message));
  if (!commands) return 1;
  const ok = await s.run(commands);
  const backgroundOk = await s.finishBackground();
  return ok && backgroundOk ? 0 : 1;
}

function longVersion(): string {
  return `Virsh command line tool of libvirt ${LIBVIRT_VERSION} (tsvirsh, on tsvirt)
See web site at https://libvirt.org/

Compiled with support for:
 Hypervisors: Test
 Networking: Test
 Storage: Test
 Miscellaneous: Readline
`;
}
