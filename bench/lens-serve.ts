/**
 * Throughput of `seige lens serve` with batching of requests in flight: a tiny
 * random checkpoint (make-tiny, configurable size) served on 127.0.0.1, and C
 * concurrent clients each sending chat completions of a fixed prompt length
 * and max_tokens (sampled, distinct seeds), through the real HTTP client. Prints
 * requests/s, generated tokens/s, mean latency and mean batch size per
 * concurrency; the concurrency-1 row is the unbatched baseline of the same run.
 *
 *   npx tsx bench/lens-serve.ts [--requests 48] [--concurrency 1,8,32] [--max-tokens 32]
 *                               [--d-model 64] [--layers 2] [--threads 2] [--max-batch 8]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeTinyCheckpoint } from "../src/lens/tiny.js";
import { startOpenAIServer } from "../src/server/openai/index.js";
import { chatCompletion } from "../src/util/openai.js";
import { benchHeader } from "./env-info.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "48" },
    concurrency: { type: "string", default: "1,8,32" },
    "max-tokens": { type: "string", default: "32" },
    "d-model": { type: "string", default: "64" },
    layers: { type: "string", default: "2" },
    threads: { type: "string", default: "2" },
    "max-batch": { type: "string", default: "8" },
  },
});
const requests = Number(values.requests);
const levels = values.concurrency.split(",").map(Number);
const maxTokens = Number(values["max-tokens"]);
const dModel = Number(values["d-model"]);
const layers = Number(values.layers);
const threads = Number(values.threads);
const maxBatch = Number(values["max-batch"]);

const root = mkdtempSync(join(tmpdir(), "seige-bench-lens-serve-"));
const dir = join(root, "tiny");
makeTinyCheckpoint({ arch: "qwen2", outDir: dir, seed: 1, dModel, layers, maxPositions: 2048 });
const server = await startOpenAIServer({ model: dir, modelId: "tiny", threads, maxBatch });

const prompt = "You are a helpful assistant. Summarise the following request politely. ".repeat(3);
async function run(concurrency: number) {
  const before = { ...server.stats };
  let next = 0;
  let tokens = 0;
  let latency = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const r = await chatCompletion({
          baseUrl: server.url,
          model: "tiny",
          messages: [{ role: "user", content: `${prompt} #${i}` }],
          maxTokens,
          temperature: 1,
          seed: i,
        });
        tokens += r.usage?.completionTokens ?? 0;
        latency += r.latencyMs;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const batches = server.stats.batches - before.batches;
  return {
    concurrency,
    "req/s": (requests / s).toFixed(1),
    "tok/s": (tokens / s).toFixed(0),
    "latency ms": (latency / requests).toFixed(0),
    "mean batch": (requests / batches).toFixed(1),
  };
}

try {
  await run(4); // warm-up
  const rows = [];
  for (const c of levels) rows.push(await run(c));
  console.log(
    benchHeader(`npx tsx bench/lens-serve.ts ${process.argv.slice(2).join(" ")}`.trim(), {
      model: `make-tiny qwen2, d_model ${dModel}, ${layers} layers`,
      requests,
      "max tokens": maxTokens,
      threads,
      "max batch": maxBatch,
    }),
  );
  console.table(rows);
} finally {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
