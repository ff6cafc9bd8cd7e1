import type { NativeTask } from '../../native/copy.js';
import { VirError } from '../../errors/index.js';
import type { JobControl } from '../../jobs/job.js';

/** How often a job publishes its native task's progress: ten updates a second, well above four. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Runs a native task as the body of a job: its progress is published to the job while it runs and once
 * more when it completes. The task was started with the job's AbortSignal, so a cancel reaches the native
 * thread directly. This settles with the task's own outcome, and only once the task has ended: a task stops
 * within one I/O step of a cancel, but not in its final fsync, and a job that ended before its task would
 * be reported CANCELLED or FAILED while the task still writes (a clone's partial file would outlive it).
 */
export function followTask(control: JobControl, task: NativeTask): Promise<void> {
  const publish = () => {
    const { processed, total } = task.progress();
    // Before the worker has measured its work, the job keeps the estimate it started with.
    control.progress(processed, total > 0 ? total : undefined);
  };
  const timer = setInterval(publish, PROGRESS_INTERVAL_MS);
  return task.done.then(
    () => {
      clearInterval(timer);
      publish();
    },
    (err: unknown) => {
      clearInterval(timer);
      throw err;
    },
  );
}

/** Runs `fn` once the task has ended, however it ends. */
export function afterTask(task: NativeTask, fn: () => unknown): void {
  const run = () => {
    try {
      fn();
    } catch {
      // Releasing what a task used has no one left to report to.
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
