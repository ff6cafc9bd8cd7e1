import { resolve } from 'node:path';
import koffi from 'koffi';
import { ProgramDoneType } from './abi-types.js';
import { installBridge } from './bridge.js';
import { holdEventLoop } from './keep-alive.js';
import { nativeAbi } from './native-abi.js';

/**
 * Runs a C program built as a shared object (`cc -shared -fPIC -Iinclude prog.c -o prog.so`, its vir*
 * symbols left undefined) against tsvirt's drivers: its main() runs on a thread of its own
 * (native/src/abi/abi_program.c) while this thread serves its calls. Resolves with main()'s return value; a
 * program that calls exit() ends the process itself, with its status. Rejects if the program cannot start.
 */
export function runProgram(program: string, args: readonly string[]): Promise<number> {
  installBridge();
  const abi = nativeAbi();
  // The program's thread calls in until it ends.
  const release = holdEventLoop();
  return new Promise((resolvePromise, reject) => {
    // Never unregistered: the program's thread is still returning from it when it has run (koffi rule 3).
    const done = koffi.register((status: number) => {
      release();
      resolvePromise(status);
    }, koffi.pointer(ProgramDoneType));
    const argv = [program, ...args];
    const error = Buffer.alloc(1024);
    // A path with a slash, so that dlopen() does not search the library path for it.
    if (abi.programStart(resolve(program), argv.length, argv, done, error, error.length) !== 0) {
      koffi.unregister(done);
      release();
      reject(new Error(`${program}: ${error.toString('utf8', 0, error.indexOf(0))}`));
    }
  });
}
