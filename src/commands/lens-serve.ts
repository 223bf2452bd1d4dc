/**
 * `seige lens serve --model DIR [--port P] [--host H]`: an OpenAI-compatible chat
 * endpoint over the lens runtime (docs/lens-serve.md), so agents, `llm:`
 * opponents and the black-box target run locally on any lens checkpoint. Host
 * 127.0.0.1 and port 8080 by default. Runs until SIGINT/SIGTERM, then exits 0.
 */
import { allowedHostsFromEnv, allowedOriginsFromEnv } from "../server/index.js";
import { startOpenAIServer } from "../server/openai/index.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { stopSignal } from "./stop-signal.js";

export const LENS_SERVE_HELP = `usage: seige lens serve --model DIR [--port P] [--host H] [--model-id ID]
                        [--threads N] [--device cpu|cuda|webgpu] [--batch-window-ms MS]
                        [--max-batch N] [--max-tokens N]
  --model            a HuggingFace checkpoint directory the lens runtime loads
  --port             port (default 8080; 0 picks a free one)
  --host             interface to bind (default 127.0.0.1; 0.0.0.0 to serve others)
  --model-id         the name clients pass as "model" (default: the directory's name)
  --threads          ORT intra-op threads
  --device           ORT execution provider (default cpu; see docs/lens.md for cuda and webgpu)
  --batch-window-ms  how long a request waits for others to batch with (default 5)
  --max-batch        most sequences per generate call (default 8; raise it on a GPU)
  --max-tokens       max_tokens when a request gives none (default 256)
Routes: POST /v1/chat/completions (messages, tools, tool_choice, stream, seed,
temperature, top_p, max_tokens, stop, n), GET /v1/models, GET /health.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      "model-id": { type: "string" },
      threads: { type: "string" },
      device: { type: "string", default: "cpu" },
      "batch-window-ms": { type: "string" },
      "max-batch": { type: "string" },
      "max-tokens": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${LENS_SERVE_HELP}\n`);
    return 0;
  }
  if (!values.model) throw new CliUsageError(`serve needs --model DIR\n${LENS_SERVE_HELP}`);
  const port = intFlag(values.port, "port", 8080);
  if (port < 0 || port > 65535) throw new CliUsageError(`--port must be in 0..65535, got ${port}`);
  const positive = (v: string | undefined, name: string, fallback: number) => {
    const n = intFlag(v, name, fallback);
    if (n < 1) throw new CliUsageError(`--${name} must be at least 1, got ${n}`);
    return n;
  };
  const device = values.device;
  if (device !== "cpu" && device !== "cuda" && device !== "webgpu")
    throw new CliUsageError(`--device must be cpu, cuda or webgpu, got '${device}'`);
  const windowMs = intFlag(values["batch-window-ms"], "batch-window-ms", 5);
  if (windowMs < 0) throw new CliUsageError("--batch-window-ms must be 0 or more");
  const server = await startOpenAIServer({
    model: values.model,
    modelId: values["model-id"],
    host: values.host,
    port,
    threads: values.threads ? positive(values.threads, "threads", 1) : undefined,
    executionProviders: [device],
    windowMs,
    maxBatch: positive(values["max-batch"], "max-batch", 8),
    defaultMaxTokens: positive(values["max-tokens"], "max-tokens", 256),
    allowedOrigins: allowedOriginsFromEnv(),
    allowedHosts: allowedHostsFromEnv(),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const stopped = stopSignal(); // before the line that says it is up
  process.stderr.write(
    `seige lens serving '${server.modelId}' on ${server.url}/v1 (OpenAI-compatible chat completions)\n`,
  );
  await stopped;
  process.stderr.write("seige lens serve: shutting down\n");
  await server.close();
  return 0;
}
