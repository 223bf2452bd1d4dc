// `seige lens serve` on a tiny random checkpoint made by the test (make-tiny into a
// temp dir), on 127.0.0.1 and a free port: real HTTP, real generation. Shared by
// the OpenAI-server, black-box-target and LLM-agent tests. `stop()` closes the
// server, releases the model and removes the directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTinyCheckpoint, type TinyArch } from "../../src/lens/tiny.js";
import {
  type OpenAIServeOptions,
  type RunningOpenAIServer,
  startOpenAIServer,
} from "../../src/server/openai/index.js";

export interface TinyLensServer {
  server: RunningOpenAIServer;
  /** the base URL clients use (http://127.0.0.1:PORT) */
  url: string;
  modelId: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startTinyLensServer(
  opts: { arch?: TinyArch; maxPositions?: number; seed?: number } & Partial<
    Omit<OpenAIServeOptions, "model">
  > = {},
): Promise<TinyLensServer> {
  const root = mkdtempSync(join(tmpdir(), "seige-lens-serve-"));
  const dir = join(root, "tiny");
  // Long enough for the game's prompts: the tiny byte-level tokenizer spends
  // about one token per character.
  makeTinyCheckpoint({
    arch: opts.arch ?? "qwen2",
    outDir: dir,
    seed: opts.seed ?? 3,
    maxPositions: opts.maxPositions ?? 4096,
  });
  const server = await startOpenAIServer({
    threads: 1,
    ...opts,
    model: dir,
    modelId: opts.modelId ?? "tiny",
  });
  return {
    server,
    url: server.url,
    modelId: server.modelId,
    dir,
    async stop() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
