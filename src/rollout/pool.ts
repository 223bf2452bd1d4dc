/**
 * Runs jobs with at most `workers` at a time, each worker owning its own state
 * (an env and fresh policies: policies are stateful, so two episodes must never
 * share one). Results come back in job order whatever order they finish in, so a
 * rollout file or an eval matrix does not depend on timing.
 */
export async function runPool<J, W, R>(
  jobs: readonly J[],
  workers: number,
  makeWorker: () => W,
  run: (worker: W, job: J, index: number) => Promise<R>,
  onResult?: (result: R, index: number) => void | Promise<void>,
): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  const done: boolean[] = new Array(jobs.length).fill(false);
  let next = 0;
  let flushed = 0;
  // Hand results to onResult in job order, as soon as every earlier one is done.
  let flushing: Promise<void> = Promise.resolve();
  const flush = async () => {
    while (flushed < jobs.length && done[flushed]) {
      await onResult?.(results[flushed] as R, flushed);
      flushed++;
    }
  };
  const worker = async () => {
    const w = makeWorker();
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(w, jobs[i] as J, i);
      done[i] = true;
      flushing = flushing.then(flush);
      await flushing;
    }
  };
  const n = Math.max(1, Math.min(workers, jobs.length));
  await Promise.all(Array.from({ length: n }, worker));
  await flushing;
  return results;
}
