/**
 * Keeps the event loop alive while native threads may still call into JavaScript: letting Node exit then
 * crashes the process (ENGINEERING.md, koffi rule 2). Holds nest; the loop is free once every one is
 * released. A released hold stays released: calling its release twice is harmless.
 */
let holds = 0;
let timer: NodeJS.Timeout | null = null;

export function holdEventLoop(): () => void {
  // An interval is the cheapest referenced handle; it never fires in practice.
  if (holds++ === 0) timer = setInterval(() => {}, 2 ** 30);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holds === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** How many holds are in place: for tests. */
export function eventLoopHolds(): number {
  return holds;
}
