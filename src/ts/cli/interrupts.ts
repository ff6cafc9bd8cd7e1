/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal going away) while jobs run. The shell arms this only while a job
 * is in flight: the first signal asks for the jobs to be cancelled (the shell then waits for them, so no
 * half-written file stays behind and the error is reported), a second one means "now" and the process exits
 * at once. With no job running the signals keep their default meaning, as in virsh.
 */
export type SignalName = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface SignalSource {
  on(signal: SignalName, listener: () => void): unknown;
  removeListener(signal: SignalName, listener: () => void): unknown;
}

const SIGNALS: readonly SignalName[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_NUMBERS: Record<SignalName, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export class Interrupts {
  private armed = 0;
  private received: SignalName | null = null;
  private readonly listeners = new Map<SignalName, () => void>();

  constructor(
    private readonly source: SignalSource,
    /** The first signal: cancel what runs. */
    private readonly onCancel: (signal: SignalName) => void,
    /** The second: leave immediately, with the shell's conventional status for death by that signal. */
    private readonly onForce: (status: number) => void,
  ) {
    for (const signal of SIGNALS) this.listeners.set(signal, () => this.handle(signal));
  }

  /** The signal that asked for cancellation, if one came since the shell last cleared it. */
  get signal(): SignalName | null {
    return this.received;
  }

  clear(): void {
    this.received = null;
  }

  /** Starts catching the signals; calls nest, and each arm() needs its disarm(). */
  arm(): void {
    if (this.armed++ === 0) for (const [signal, listener] of this.listeners) this.source.on(signal, listener);
  }

  disarm(): void {
    if (this.armed === 0) return;
    if (--this.armed === 0) for (const [signal, listener] of this.listeners) this.source.removeListener(signal, listener);
  }

  private handle(signal: SignalName): void {
    if (this.received) {
      this.onForce(128 + SIGNAL_NUMBERS[signal]);
      return;
    }
    this.received = signal;
    this.onCancel(signal);
  }
}
