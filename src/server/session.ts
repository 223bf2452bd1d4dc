/**
 * One session: one environment instance and what the protocol needs around it
 * (ARCHITECTURE.md, src/server). It parses reset options and actions with the
 * arena's zod schemas at the edge (STYLE.md §5), serialises requests so replies
 * stay paired even if a client pipelines, and encodes results in the wire shape
 * `{observation, reward, done}` with the episode's id in the observation.
 *
 * It holds no transport: /ws, /mcp and HTTP all call the same methods.
 */
import { randomUUID } from "node:crypto";
import { ActionSchema, type StepResult } from "../arena/schema.js";
import { EnvResetOptionsSchema } from "../env/options.js";
import { SeigeError } from "../util/errors.js";
import type { JsonObject } from "./envelope.js";
import { findTool, toolAction } from "./mcp/tools.js";
import type { ServerEnv } from "./types.js";
import { type Loc, RequestValidationError, zodToDetails } from "./validation-errors.js";

/** `ws`: a WebSocket connection (/ws or /mcp); `mcp`: made by openenv/session/create; `http`: an HTTP episode */
export type SessionKind = "ws" | "mcp" | "http";

export interface WireStepResult {
  observation: StepResult["observation"] & { episode_id: string };
  reward: number;
  done: boolean;
}

const RESET_KEYS = new Set(Object.keys(EnvResetOptionsSchema.shape));

/** Resolves after the event loop has polled for I/O once more. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The env's own validation failures (an unknown opponent, `role` without one)
 * in the same list shape as the schema's, at the option they name; any other
 * error passes through unchanged.
 */
function asValidationError(e: unknown, options: JsonObject, prefix: Loc): unknown {
  if (!(e instanceof SeigeError) || e.code !== "validation_error") return e;
  const where = (e.details as { loc?: Loc } | undefined)?.loc ?? [];
  const key = where[0];
  return new RequestValidationError([
    {
      type: "value_error",
      loc: [...prefix, ...where],
      msg: e.message,
      input: typeof key === "string" && Object.hasOwn(options, key) ? options[key] : options,
    },
  ]);
}

export class Session {
  lastUsed: number;
  episodeId: string | null = null;
  stepCount = 0;
  closed = false;
  /** settles when the env exists; rejects if the factory failed */
  readonly ready: Promise<void>;
  private env: ServerEnv | null = null;
  private chain: Promise<unknown>;
  private queued = 0;

  constructor(
    readonly id: string,
    readonly kind: SessionKind,
    envReady: Promise<ServerEnv>,
    now: number,
  ) {
    this.lastUsed = now;
    this.ready = envReady.then((env) => {
      this.env = env;
    });
    this.ready.catch(() => {}); // observed by run() and by the transports, never unhandled
    this.chain = this.ready;
  }

  /** Whether the episode has ended (an env not yet made, or closed, counts as not done). */
  get done(): boolean {
    return this.env?.done ?? false;
  }

  /** Requests waiting or running (for back-pressure on pipelining clients). */
  get depth(): number {
    return this.queued;
  }

  /**
   * Runs `fn` after every earlier request of this session has finished. A
   * request queued behind this session's own earlier ones first waits one turn
   * of the event loop: a client that pipelines a burst then takes one frame per
   * turn, and other sessions' frames, read in between, are answered meanwhile
   * rather than after the whole burst (fair latency, issue 16). A client with
   * one request in flight never waits.
   */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const behind = this.queued > 0;
    this.queued++;
    const start = behind ? this.chain.then(nextTurn) : this.chain;
    const next = start.then(() => {
      if (this.closed)
        throw new SeigeError("execution_error", "the session is closed; open a new one");
      return fn();
    });
    this.chain = next.then(
      () => this.queued--,
      () => this.queued--,
    );
    return next;
  }

  private get live(): ServerEnv {
    if (!this.env) throw new SeigeError("execution_error", "the session is closed; open a new one");
    return this.env;
  }

  /**
   * Starts an episode. Keys the env does not know are dropped, as OpenEnv filters
   * reset kwargs by the env's signature (PROTOCOL.md §1.2); known keys are
   * checked by `EnvResetOptionsSchema`. `forceEpisodeId` fixes the id (HTTP).
   */
  async reset(raw: JsonObject, locPrefix: Loc, forceEpisodeId?: string): Promise<WireStepResult> {
    const known: JsonObject = {};
    for (const [k, v] of Object.entries(raw)) if (RESET_KEYS.has(k) && v !== null) known[k] = v;
    if (forceEpisodeId !== undefined) known.episode_id = forceEpisodeId;
    known.episode_id ??= randomUUID();
    const parsed = EnvResetOptionsSchema.safeParse(known);
    if (!parsed.success)
      throw new RequestValidationError(zodToDetails(parsed.error, known, locPrefix));
    let result: StepResult;
    try {
      result = await this.live.reset(parsed.data);
    } catch (e) {
      throw asValidationError(e, known, locPrefix);
    }
    this.episodeId = parsed.data.episode_id!;
    this.stepCount = 0;
    return this.wire(result);
  }

  /** One action; a malformed one never reaches the episode (GAME.md §3). */
  async step(raw: unknown): Promise<WireStepResult> {
    const parsed = ActionSchema.safeParse(raw);
    if (!parsed.success) throw new RequestValidationError(zodToDetails(parsed.error, raw));
    if (this.episodeId === null) {
      throw new SeigeError("execution_error", "no episode yet: send a reset first");
    }
    const result = await this.live.step(parsed.data);
    this.stepCount++;
    return this.wire(result);
  }

  /** OpenEnv's State: `episode_id`, `step_count`, then the env's public state. */
  state(): JsonObject {
    const env = this.live;
    let extra: JsonObject = {};
    try {
      extra = { ...(env.state() as JsonObject) };
    } catch {
      // An env that was never reset may have no state yet; the base fields still answer.
    }
    return { ...extra, episode_id: this.episodeId, step_count: this.stepCount };
  }

  /**
   * An MCP tool call. With no episode running, one starts with default options
   * first: MCP has no reset method, and tool names `reset`/`step` are reserved.
   */
  async callTool(name: string, args: JsonObject): Promise<unknown> {
    const tool = findTool(name);
    if (!tool) throw new SeigeError("not_found", `Unknown tool: '${name}'`);
    const action = toolAction(tool, args);
    if (this.episodeId === null) await this.reset({}, []);
    if (action === null) return this.live.observe();
    return this.step(action);
  }

  close(): void {
    this.closed = true;
    this.env = null; // the env and its episode become garbage once in-flight work ends
  }

  private wire(result: StepResult): WireStepResult {
    return {
      observation: { ...result.observation, episode_id: this.episodeId! },
      reward: result.reward,
      done: result.done,
    };
  }
}
