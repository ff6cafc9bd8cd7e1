import { runProgram } from '../../ffi/program.js';

/**
 * tsvirt-run PROGRAM.so [ARGS...]: runs a C program written against libvirt's API on tsvirt's drivers and
 * exits with its status. The program is compiled unchanged as a shared object exporting its main:
 *
 *   cc -shared -fPIC -Iinclude prog.c -o prog.so     (vir* symbols left for tsvirt-run to provide)
 *
 * Its stdout and stderr are its own stdio streams, complete and in order.
 */
const USAGE = 'usage: tsvirt-run PROGRAM.so [ARGS...]\n';

const [program, ...args] = process.argv.slice(2);
if (!program || program === '--help' || program === '-h') {
  process.stderr.write(USAGE);
  process.exit(program ? 0 : 2);
}

runProgram(program, args).then(
  (status) => process.exit(status),
  (err: unknown) => {
    process.stderr.write(`tsvirt-run: ${err instanceof Error ? err.message : String(err)}\n`);
    // What a shell answers for a command it cannot run.
    process.exit(127);
  },
);
