import koffi from 'koffi';
import { RingWakerType } from './abi-types.js';
import type { NativeAbi } from './native-abi.js';

/**
 * Serves the ring of calls from other threads (native/src/abi/abi_ring.h). A caller that finds this thread
 * asleep wakes it once; from then on it serves the ring in turns, each between two passes of the event
 * loop (setImmediate), so timers and I/O keep running: a turn serves what comes for at most
 * TURN_BUDGET_NS, and waits at most TURN_SPIN_NS for the next call. Once IDLE_NS passed without a call,
 * the thread sleeps again and stops using the CPU.
 *
 * Figures: a call served on this thread takes 1-5 µs; waking the thread costs 20-170 µs (more on an idle
 * virtual machine). A program that calls in a loop comes back within microseconds, so spinning a little
 * catches its next call without a wake; 2 ms of polling after the last one is a small price, paid once
 * per burst.
 */
const TURN_SPIN_NS = 50_000;
const TURN_BUDGET_NS = 1_000_000;
const IDLE_NS = 2_000_000n;

export function installRing(abi: NativeAbi): void {
  let lastServed = 0n;
  const turn = (): void => {
    const served = abi.ringServe(TURN_SPIN_NS, TURN_BUDGET_NS);
    const now = process.hrtime.bigint();
    if (served > 0) lastServed = now;
    if (now - lastServed < IDLE_NS || abi.ringSleep() === 0) setImmediate(turn);
  };
  // Never unregistered: C may wake this thread at any time (ENGINEERING.md, koffi rule 3).
  const waker = koffi.register(() => {
    abi.ringAwake();
    lastServed = process.hrtime.bigint();
    // The waker's own call is queued: serve it and what came with it, then go on between loop passes.
    abi.ringServe(0, TURN_BUDGET_NS);
    setImmediate(turn);
  }, koffi.pointer(RingWakerType));
  if (abi.ringInit(waker) !== 0) {
    // C never saw this one, so it may go.
    koffi.unregister(waker);
    throw new Error('tsvirt: another bridge already serves the C ABI in this process');
  }
  // Past this point the loop will not run again: no caller may start a wake that could not complete
  // (ENGINEERING.md, koffi rule 2). A precaution: ring.test.ts's exits with callers waking this thread
  // did not crash without it either.
  process.once('exit', () => abi.ringClose());
}
