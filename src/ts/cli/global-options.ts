/**
 * virsh's own options, read the way getopt_long reads them with virsh's option string: short options may be
 * bundled (`-qc URI`, `-cURI`), long ones may be abbreviated to any unambiguous prefix and take their value
 * as `--opt=VALUE` or as the next argument, and the first argument that is not an option ends option
 * parsing: it and everything after it are the commands.
 */
export interface GlobalOptions {
  uri?: string;
  quiet: boolean;
  readonly: boolean;
  timing: boolean;
  /** The console escape sequence given with -e. */
  escape?: string;
  /** Complaints that do not stop virsh (printed as errors before anything runs). */
  warnings: string[];
  /** Arguments left for the command parser. */
  rest: string[];
}

export type GlobalOptionsResult =
  | { kind: 'run'; options: GlobalOptions }
  /** Print this text on stdout and exit successfully (usage, version). */
  | { kind: 'print'; text: 'usage' | 'version' | 'long-version' }
  | { kind: 'error'; message: string };

interface LongOption {
  name: string;
  short: string;
  arg: 'none' | 'required' | 'optional';
}

const LONG: readonly LongOption[] = [
  { name: 'connect', short: 'c', arg: 'required' },
  { name: 'debug', short: 'd', arg: 'required' },
  { name: 'escape', short: 'e', arg: 'required' },
  { name: 'help', short: 'h', arg: 'none' },
  { name: 'keepalive-interval', short: 'k', arg: 'required' },
  { name: 'keepalive-count', short: 'K', arg: 'required' },
  { name: 'quiet', short: 'q', arg: 'none' },
  { name: 'readonly', short: 'r', arg: 'none' },
  { name: 'timing', short: 't', arg: 'none' },
  { name: 'version', short: 'v', arg: 'optional' },
];

/** Short options and whether they take a value. `-l FILE` (log file) is not offered: tsvirsh keeps no log. */
const SHORT: Record<string, boolean> = { c: true, d: true, e: true, h: false, k: true, K: true, q: false, r: false, t: false, v: false, V: false };

/** Characters virsh accepts after `^` in an escape sequence (virshAllowedEscapeChar). */
const ESCAPE_CHARS = /^[@A-Z[\\\]^_]$/i;

export function parseGlobalOptions(argv: readonly string[]): GlobalOptionsResult {
  const options: GlobalOptions = { quiet: false, readonly: false, timing: false, warnings: [], rest: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const exact = LONG.find((o) => o.name === name);
      const matches = exact ? [exact] : LONG.filter((o) => o.name.startsWith(name));
      if (matches.length !== 1) return { kind: 'error', message: `unsupported option '${arg}'. See --help.` };
      const opt = matches[0]!;
      let value: string | undefined;
      if (eq >= 0) {
        if (opt.arg === 'none') return { kind: 'error', message: `unsupported option '-${opt.short}'. See --help.` };
        value = arg.slice(eq + 1);
      } else if (opt.arg === 'required') {
        if (i + 1 >= argv.length) return missingArgument(opt.short);
        value = argv[++i];
      }
      const outcome = apply(opt.short, value, `--${opt.name}`, options);
      if (outcome) return outcome;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const short = arg[j]!;
        if (!(short in SHORT)) return { kind: 'error', message: `unsupported option '-${short}'. See --help.` };
        let value: string | undefined;
        if (SHORT[short]) {
          if (j + 1 < arg.length) value = arg.slice(j + 1);
          else if (i + 1 < argv.length) value = argv[++i];
          else return missingArgument(short);
          j = arg.length;
        }
        const outcome = apply(short, value, `-${short}`, options);
        if (outcome) return outcome;
      }
      continue;
    }
    break;
  }
  options.rest = argv.slice(i);
  return { kind: 'run', options };
}

function missingArgument(short: string): GlobalOptionsResult {
  const long = LONG.find((o) => o.short === short);
  return {
    kind: 'error',
    message: long ? `option '-${short}'/'--${long.name}' requires an argument` : `option '-${short}' requires an argument`,
  };
}

/** Applies one option; returns a result when it ends option parsing (help, version, a bad value). */
function apply(short: string, value: string | undefined, spelled: string, options: GlobalOptions): GlobalOptionsResult | null {
  switch (short) {
    case 'c':
      options.uri = value!;
      return null;
    case 'd': {
      // Accepted for compatibility: tsvirsh has no debug log, so the level only has to be valid.
      if (!/^[ \t]*[+-]?\d+$/.test(value!)) return { kind: 'error', message: `option ${spelled} takes a numeric argument` };
      const level = Number.parseInt(value!, 10);
      if (level < 0 || level > 4) options.warnings.push(`ignoring debug level ${level} out of range [0-4]`);
      return null;
    }
    case 'e':
      // The console escape, shown when a console is asked for; virsh's check on the value applies.
      if ((value!.length === 2 && value![0] === '^' && ESCAPE_CHARS.test(value![1]!)) || (value!.length === 1 && value !== '^')) {
        options.escape = value;
        return null;
      }
      return { kind: 'error', message: `Invalid string '${value}' for escape sequence` };
    case 'k':
    case 'K': {
      // Keepalive only matters for remote connections, which tsvirsh does not make.
      if (!/^[ \t]*[+-]?\d+$/.test(value!)) return { kind: 'error', message: `Invalid value for option ${spelled}` };
      if (Number.parseInt(value!, 10) < 0) return { kind: 'error', message: `option ${spelled} requires a positive integer argument` };
      return null;
    }
    case 'h':
      return { kind: 'print', text: 'usage' };
    case 'q':
      options.quiet = true;
      return null;
    case 'r':
      options.readonly = true;
      return null;
    case 't':
      options.timing = true;
      return null;
    case 'v':
      return { kind: 'print', text: value === 'long' ? 'long-version' : 'version' };
    case 'V':
      return { kind: 'print', text: 'long-version' };
  }
  return null;
}
