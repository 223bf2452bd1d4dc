/**
 * A concurrency limiter: at most `n` wrapped tasks run at once, the rest wait in
 * arrival order (FIFO, so a burst of calls is served fairly). Used to bound the
 * number of requests in flight to one endpoint.
 *
 * It deliberately does not time out or cancel tasks: the task itself owns its
 * timeout (e.g. `chatCompletion`'s `timeoutMs`), and a failing task frees its slot
 * like a succeeding one.
 */

import { SeigeError } from "./errors.js";

export interface Limiter {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
}

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SeigeError(
      "config_error",
      `concurrency limit must be a positive integer, got ${concurrency}.`,
    );
  }
  let active = 0;
  const queue: (() => void)[] = [];

  const release = (): void => {
    active--;
    const next = queue.shift();
    if (next) next();
  };

  const run = <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = (): void => {
        active++;
        // Promise.resolve().then so a task that throws synchronously still releases.
        Promise.resolve().then(task).then(resolve, reject).finally(release);
      };
      if (active < concurrency) start();
      else queue.push(start);
    });

  Object.defineProperties(run, {
    active: { get: () => active },
    pending: { get: () => queue.length },
  });
  return run as Limiter;
}
