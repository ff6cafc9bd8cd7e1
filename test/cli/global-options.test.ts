import { describe, expect, it } from 'vitest';
import { parseGlobalOptions } from '../../src/ts/cli/global-options.js';

const run = (argv: string[]) => parseGlobalOptions(argv);
const opts = (argv: string[]) => {
  const r = run(argv);
  if (r.kind !== 'run') throw new Error(`unexpected ${JSON.stringify(r)}`);
  return r.options;
};

describe("virsh's own options (getopt_long '+:c:d:e:hk:K:l:qrtvV')", () => {
  it('reads short, bundled and attached forms', () => {
    expect(opts(['-c', 'test:///default', 'list'])).toMatchObject({ uri: 'test:///default', rest: ['list'] });
    expect(opts(['-qc', 'test:///default', 'uri'])).toMatchObject({ quiet: true, uri: 'test:///default', rest: ['uri'] });
    expect(opts(['-ctest:///default', '-rt'])).toMatchObject({ uri: 'test:///default', readonly: true, timing: true, rest: [] });
  });

  it('reads long options, =value, and unambiguous prefixes', () => {
    expect(opts(['--connect=test:///default', '--quiet', 'x'])).toMatchObject({ uri: 'test:///default', quiet: true, rest: ['x'] });
    expect(opts(['--con', 'u', '--read'])).toMatchObject({ uri: 'u', readonly: true });
  });

  it('stops at the first command word, leaving its options to the command', () => {
    expect(opts(['list', '-q', '--all'])).toMatchObject({ quiet: false, rest: ['list', '-q', '--all'] });
    expect(opts(['--', '-q'])).toMatchObject({ rest: ['-q'] });
  });

  it('asks for usage and versions', () => {
    expect(run(['-h'])).toEqual({ kind: 'print', text: 'usage' });
    expect(run(['-v'])).toEqual({ kind: 'print', text: 'version' });
    expect(run(['--version=long'])).toEqual({ kind: 'print', text: 'long-version' });
    expect(run(['--version=other'])).toEqual({ kind: 'print', text: 'version' });
    expect(run(['-V'])).toEqual({ kind: 'print', text: 'long-version' });
  });

  it("reports virsh's errors", () => {
    expect(run(['-x'])).toEqual({ kind: 'error', message: "unsupported option '-x'. See --help." });
    expect(run(['--bogus'])).toEqual({ kind: 'error', message: "unsupported option '--bogus'. See --help." });
    expect(run(['--k', '1'])).toEqual({ kind: 'error', message: "unsupported option '--k'. See --help." });
    expect(run(['--quiet=1'])).toEqual({ kind: 'error', message: "unsupported option '-q'. See --help." });
    expect(run(['-c'])).toEqual({ kind: 'error', message: "option '-c'/'--connect' requires an argument" });
    expect(run(['-l', 'f'])).toEqual({ kind: 'error', message: "unsupported option '-l'. See --help." });
    expect(run(['-d', 'x'])).toEqual({ kind: 'error', message: 'option -d takes a numeric argument' });
    expect(run(['--debug', 'x'])).toEqual({ kind: 'error', message: 'option --debug takes a numeric argument' });
    expect(run(['-e', 'ab'])).toEqual({ kind: 'error', message: "Invalid string 'ab' for escape sequence" });
    expect(run(['-k', '-1'])).toEqual({ kind: 'error', message: 'option -k requires a positive integer argument' });
    expect(run(['-K', 'x'])).toEqual({ kind: 'error', message: 'Invalid value for option -K' });
  });

  it('warns about an out-of-range debug level and goes on', () => {
    expect(opts(['-d', '9', 'uri'])).toMatchObject({ warnings: ['ignoring debug level 9 out of range [0-4]'], rest: ['uri'] });
    expect(opts(['-e', '^a'])).toMatchObject({ escape: '^a' });
  });
});
