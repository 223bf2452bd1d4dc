/**
 * Starting and stopping `seige lens serve`: loads a checkpoint with the lens
 * runtime and puts the OpenAI-compatible app (app.ts) on node's HTTP server.
 * `startOpenAIServer` resolves once listening (port 0 picks a free port); tests
 * and the command start it the same way. `close()` ends connections and
 * releases the model's ORT sessions when this server loaded it.
 *
 * It deliberately serves one model per process: a second model is a second
 * process on another port, as with vLLM.
 */

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, resolve } from "node:path";
import { createAdaptorServer } from "@hono/node-server";
import { type ExecutionProvider, type LensModel, loadModel } from "../../lens/index.js";
import type { HostPolicy } from "../host.js";
import { createOpenAIApp } from "./app.js";
import { type BatcherOptions, type BatcherStats, GenerationBatcher } from "./batcher.js";

export interface OpenAIServeOptions extends BatcherOptions {
  /** a checkpoint directory, or an already loaded model (kept open on close) */
  model: string | LensModel;
  /** the id clients pass as `model` (default: the directory's name) */
  modelId?: string;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** ORT intra-op threads when loading from a directory */
  threads?: number;
  /** ORT execution providers when loading from a directory (default ["cpu"]; docs/lens.md) */
  executionProviders?: ExecutionProvider[];
  /** max_tokens when a request gives none (default 256) */
  defaultMaxTokens?: number;
  log?: (line: string) => void;
  /** browser origins allowed to POST besides the server's own (default none; the command reads SEIGE_ALLOWED_ORIGINS) */
  allowedOrigins?: readonly string[];
  /** Host names answered besides loopback ones when bound to loopback (default none; the command reads SEIGE_ALLOWED_HOSTS) */
  allowedHosts?: readonly string[];
}

export interface RunningOpenAIServer {
  /** http://host:port; clients use `${url}/v1` or the bare URL */
  url: string;
  port: number;
  modelId: string;
  stats: BatcherStats;
  close(): Promise<void>;
}

export async function startOpenAIServer(opts: OpenAIServeOptions): Promise<RunningOpenAIServer> {
  const owned = typeof opts.model === "string";
  const model =
    typeof opts.model === "string"
      ? await loadModel(opts.model, {
          threads: opts.threads,
          executionProviders: opts.executionProviders,
        })
      : opts.model;
  const dir = typeof opts.model === "string" ? opts.model : undefined;
  const modelId = opts.modelId ?? (dir ? basename(resolve(dir)) : "lens");
  const batcher = new GenerationBatcher(model, opts);
  const host = opts.host ?? "127.0.0.1";
  // the port is filled in once listening (port 0 picks one); no request arrives before
  const hostPolicy: HostPolicy = { bound: host, port: 0, allowList: opts.allowedHosts ?? [] };
  const app = createOpenAIApp({
    model,
    batcher,
    modelId,
    aliases: dir ? [dir, resolve(dir)] : [],
    defaultMaxTokens: opts.defaultMaxTokens,
    log: opts.log,
    allowedOrigins: opts.allowedOrigins ?? [],
    hostPolicy,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", fail);
        ok();
      });
    });
  } catch (e) {
    if (owned) await model.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  hostPolicy.port = port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${port}`,
    port,
    modelId,
    stats: batcher.stats,
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }).then(() => (owned ? model.close() : undefined));
      return closing;
    },
  };
}
