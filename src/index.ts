/**
 * seige: a multi-agent RL environment for AI oversight at the mechanistic level.
 *
 * The package's public surface, one namespace per layer (ARCHITECTURE.md), so
 * names never collide across layers:
 *
 *   import { arena, env, target, lens } from "seige";
 *   const e = new env.SeigeEnv(await target.createTarget());
 *
 * Everything here is also reachable through the CLI (`seige --help`) and, for
 * other languages, through the OpenEnv server (`seige serve`).
 */
export * as agents from "./agents/index.js";
export * as arena from "./arena/index.js";
export * as client from "./client/index.js";
export * as directions from "./directions/index.js";
export * as env from "./env/index.js";
export * as lens from "./lens/index.js";
export * as rollout from "./rollout/index.js";
export * as server from "./server/index.js";
export * as target from "./target/index.js";
