/**
 * Batches generation requests in flight into one `model.generate` call. Before
 * each batch the worker waits `windowMs` (the collection window) so concurrent
 * requests can join; then every queued request with the same sampling settings
 * (temperature, top_p, max_tokens, stop), up to `maxBatch`, runs as one batch.
 * The lens runtime gives each sequence its own position ids and RNG stream, so
 * a request's tokens do not depend on its batch neighbours: batching changes
 * throughput, not answers (tested).
 *
 * One worker runs batches one after another, because one set of ORT sessions
 * serves the model; requests that arrive during a batch form the next one.
 * It deliberately does not stream tokens or preempt: a batch runs to its longest
 * member's end.
 */

import type { GenerateOptions, GenerateResult } from "../../lens/index.js";

/** The part of LensModel the batcher needs (tests may pass a fake). */
export interface Generator {
  generate(
    prompts: (string | readonly number[])[],
    opts?: GenerateOptions,
  ): Promise<GenerateResult[]>;
}

export interface GenJob {
  tokens: number[];
  seed: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  stop: string[];
}

export interface BatcherOptions {
  /** collection window in ms (default 5) */
  windowMs?: number;
  /** most sequences in one generate call (default 8) */
  maxBatch?: number;
}

export interface BatcherStats {
  /** generate calls made */
  batches: number;
  /** sequences generated */
  sequences: number;
  /** largest batch so far */
  largestBatch: number;
}

interface Pending {
  job: GenJob;
  key: string;
  resolve: (r: GenerateResult) => void;
  reject: (e: unknown) => void;
}

export class GenerationBatcher {
  private readonly queue: Pending[] = [];
  private running = false;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  readonly stats: BatcherStats = { batches: 0, sequences: 0, largestBatch: 0 };

  constructor(
    private readonly model: Generator,
    opts: BatcherOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 5;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 8);
  }

  /** Queues one sequence; resolves with its own result. */
  submit(job: GenJob): Promise<GenerateResult> {
    const key = JSON.stringify([job.temperature, job.topP, job.maxNewTokens, job.stop]);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, key, resolve, reject });
      if (!this.running) void this.work();
    });
  }

  private async work(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // The collection window: let concurrent requests join before the first batch.
        await new Promise((r) => setTimeout(r, this.windowMs));
        const key = this.queue[0].key;
        const batch: Pending[] = [];
        for (let i = 0; i < this.queue.length && batch.length < this.maxBatch; ) {
          if (this.queue[i].key === key) batch.push(...this.queue.splice(i, 1));
          else i++;
        }
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const j = batch[0].job;
    this.stats.batches++;
    this.stats.sequences += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    try {
      const results = await this.model.generate(
        batch.map((p) => p.job.tokens),
        {
          temperature: j.temperature,
          topP: j.topP,
          maxNewTokens: j.maxNewTokens,
          stop: j.stop,
          seed: batch.map((p) => p.job.seed),
        },
      );
      batch.forEach((p, i) => {
        p.resolve(results[i]);
      });
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}
