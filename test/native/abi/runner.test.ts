import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeLibraryPath } from '../../../src/ts/native/library.js';
import { hasCc, Workspace } from './harness.js';

// tsvirt-run runs a C program built as a shared object: c/runner.c tells it what to do.

describe.skipIf(!hasCc)('tsvirt-run', () => {
  const ws = new Workspace();
  afterAll(() => ws.dispose());
  const program = () => ws.buildForTsvirt('runner.c');

  it("exits with main's return value", async () => {
    expect(await ws.runTsvirt(program(), ['status', '7'])).toMatchObject({ status: 7, stdout: '', stderr: '' });
    expect(await ws.runTsvirt(program(), ['status', '0'])).toMatchObject({ status: 0 });
  });

  it("exits with exit()'s status, output flushed", async () => {
    expect(await ws.runTsvirt(program(), ['exit', '3'])).toMatchObject({ status: 3, stdout: 'leaving with 3', stderr: '' });
  });

  it('passes the arguments, argv[0] being the program', async () => {
    const result = await ws.runTsvirt(program(), ['args', 'a b', '', '-x']);
    expect(result.stdout).toBe('[a b][][-x] argc=5\n');
  });

  it("connects to libvirt's default URI", async () => {
    const result = await ws.runTsvirt(program(), ['default-uri'], { LIBVIRT_DEFAULT_URI: 'test:///default?rate=1G' });
    expect(result).toMatchObject({ status: 0, stdout: 'test:///default?rate=1G\n' });
  });

  it('serves a program linked with -ltsvirt (the pkg-config flags) from the one loaded library', async () => {
    // What -ltsvirt finds: libtsvirt.so, here a link to the library the runner loads.
    const libdir = join(ws.dir, 'lib');
    mkdirSync(libdir, { recursive: true });
    symlinkSync(nativeLibraryPath(), join(libdir, 'libtsvirt.so'));
    const linked = ws.buildForTsvirt('runner.c', [`-L${libdir}`, '-ltsvirt']);
    expect(await ws.runTsvirt(linked, ['copies'])).toMatchObject({ status: 0, stdout: 'TEST 1\n' });
    expect(await ws.runTsvirt(program(), ['copies'])).toMatchObject({ status: 0, stdout: 'TEST 1\n' });
  });

  it("writes stdout and stderr completely, interleaved as the program's own process would", async () => {
    const runner = await ws.runnerPath();
    const ours = await Workspace.merged(process.execPath, [runner, program(), 'output', '20000']);
    const plain = await Workspace.merged(ws.buildPlain('runner.c'), ['output', '20000']);
    expect(ours.stdout.length).toBeGreaterThan(150_000);
    expect(ours).toEqual(plain);
  });

  it('says why a program cannot run', async () => {
    const missing = await ws.runTsvirt('/nonexistent/program.so');
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/^tsvirt-run: \/nonexistent\/program\.so: cannot load the program: .*No such file/);
    const notProgram = await ws.runTsvirt(ws.buildForTsvirt('no-main.c'));
    expect(notProgram.status).toBe(127);
    expect(notProgram.stderr).toMatch(/: the program exports no main function\n$/);
    const usage = await ws.runTsvirt('');
    expect(usage).toMatchObject({ status: 2, stderr: 'usage: tsvirt-run PROGRAM.so [ARGS...]\n' });
  });
});
