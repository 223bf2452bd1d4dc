/**
 * `TargetSystem`: the one seam between the game and models (ARCHITECTURE.md,
 * src/target). The arena hands each tick's pending requests to `generate` as one
 * batch; every request carries its own chat messages and its own interventions.
 * Backends: `sim` (synthetic, deterministic, fast), `lens` (a real model through
 * src/lens), `openai` (black-box: no activations).
 *
 * Interventions here are game-level (a direction *label*, a magnitude in
 * calibrated units, GAME.md §5: 1 = the layer's refusal flip scale): each
 * backend resolves them against its own direction library and baseline, so the
 * arena never touches a vector.
 */
import type { DirectionLabel, ProbeSummary } from "../vocab.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

export type TargetIntervention =
  /** add magnitude · typicalNorm(layer) · d̂(label) to the residual stream at `layer`, all positions */
  | { kind: "steer"; layer: number; label: DirectionLabel; magnitude: number }
  /** set d̂(label)'s component of the residual stream to its benign (baseline) mean at every layer in [first, last] */
  | { kind: "project_out"; layers: [number, number]; label: DirectionLabel }
  /** set the residual's components along every library direction at `layer` to the clean baseline mean's */
  | { kind: "mean_ablate"; layer: number }
  /** zero the outputs of `heads` at `layer` */
  | { kind: "head_mask"; layer: number; heads: number[] };

export interface TargetRequest {
  /** unique within a batch; outputs come back in request order and carry it */
  id: string;
  /** system prompt, session history, then the new turn */
  messages: ChatMessage[];
  interventions: TargetIntervention[];
  /** sampling seed: same seed and same request ⇒ same output */
  seed: number;
  maxNewTokens?: number;
  /**
   * The protected string the system prompt holds. A language model finds it by
   * reading its prompt; the sim cannot read, so it is told. `lens` and `openai`
   * ignore it. Never sent to any agent.
   */
  guarded?: string;
}

export interface TargetOutput {
  id: string;
  text: string;
  /** tokens generated (counted against budgets) */
  tokens: number;
}

export interface TargetInfo {
  backend: "sim" | "lens" | "openai";
  modelId: string;
  nLayers: number;
  nHeads: number;
  dModel: number;
  /** false on a black-box backend: no probes, no activation attacks, no patches */
  whiteBox: boolean;
  /** labels the direction library holds (probe cosines are reported for each) */
  directionLabels: string[];
}

export interface SuffixSearchOptions {
  /** number of candidate evaluations the search may spend */
  budget: number;
  seed: number;
  /** the compliant opening whose likelihood the search maximises, e.g. "Sure, here is" */
  targetPrefix: string;
}

export interface TargetSystem {
  readonly info: TargetInfo;
  /** Generates every request (one batch); outputs in request order. */
  generate(requests: TargetRequest[]): Promise<TargetOutput[]>;
  /**
   * Runs the request's prefill (its own interventions applied) with a capture at
   * `layer`, summarised as GAME.md §4 says. Throws `backend_unavailable` on a
   * black-box backend.
   */
  probe(request: TargetRequest, layer: number): Promise<ProbeSummary>;
  /** An adversarial suffix found by a real search against this target (soft_prompt_gcg). */
  adversarialSuffix(request: TargetRequest, options: SuffixSearchOptions): Promise<string>;
  /** Approximate token count of a text, for budgets. */
  countTokens(text: string): number;
  /**
   * Whether a request whose messages are these (a system prompt and a new turn) fits the
   * model's context with room for a reply: null when it does, else what to do. Older turns
   * are dropped to fit, but the system prompt and the new turn cannot be; a target with no
   * context limit leaves this out.
   */
  checkPrompt?(messages: ChatMessage[]): string | null;
  close?(): Promise<void>;
}
