import type { NativeTask } from '../../../ffi/copy.js';
import { VirError } from '../../errors/index.js';
import type { JobControl } from '../../jobs/job.js';

/** How often a job publishes its native task's progress: ten updates a second, well above four. */
export const PROGRESS_INTERVAL_MS = 100;
/**
 * How long a cancelled job waits for its native task to stop. A task stops within one I/O step (~25 ms),
 * except in its final fsync, which nothing interrupts and which can take longer than the 100 ms a cancel
 * is allowed: then the job ends without it, and what the task leaves is discarded once it ends.
 */
export const CANCEL_GRACE_MS = 50;

/**
 * Runs a native task as the body of a job: its progress is published to the job while it runs and once
 * more when it completes. The task was started with the job's AbortSignal, so a cancel reaches the native
 * thread directly; this settles with the task's own outcome, or with the job's abort reason when the task
 * has not stopped CANCEL_GRACE_MS after the cancel. In that case the task is still running: use
 * `afterTask` to release what it uses and remove what it writes.
 */
export function followTask(control: JobControl, task: NativeTask): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const publish = () => {
      const { processed, total } = task.progress();
      // Before the worker has measured its work, the job keeps the estimate it started with.
      control.progress(processed, total > 0 ? total : undefined);
    };
    const timer = setInterval(publish, PROGRESS_INTERVAL_MS);
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      grace = setTimeout(() => {
        stop();
        reject(control.signal.reason);
      }, CANCEL_GRACE_MS);
    };
    const stop = () => {
      clearInterval(timer);
      clearTimeout(grace);
      control.signal.removeEventListener('abort', onAbort);
    };
    if (control.signal.aborted) onAbort();
    else control.signal.addEventListener('abort', onAbort, { once: true });
    task.done.then(
      () => {
        stop();
        publish();
        resolve();
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}

/** Runs `fn` once the task has ended, however it ends, whether or not anyone still waits for it. */
export function afterTask(task: NativeTask, fn: () => unknown): void {
  const run = () => {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // Cleanup after the fact has no one left to report to; the next driver start cleans what remains.
    }
  };
  task.done.then(run, run);
}

/**
 * A native task names the paths it was given in its messages: `/proc/self/fd/N` for a file this process
 * opened and checked, the partial name of a volume being built. Users should see the volume's path.
 */
export function renamePathInError(err: unknown, from: string, to: string): unknown {
  if (!(err instanceof VirError) || !err.message.includes(from)) return err;
  return new VirError(err.code, err.domain, err.message.replaceAll(`'${from}'`, `'${to}'`), {
    level: err.level,
    str1: err.str1,
    str2: err.str2,
    str3: err.str3,
    int1: err.int1,
    int2: err.int2,
  });
}
