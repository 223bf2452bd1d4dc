/**
 * Policies that play roles. `resolvePolicy(role, spec)` turns a spec string into
 * a policy: `<name>` or `scripted:<name>` for the baselines of src/agents/scripted,
 * `llm:<url>#<model>` for an LLM on an OpenAI-compatible endpoint (src/agents/llm).
 */
import type { Role } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";
import { llmPolicy } from "./llm/index.js";
import { SCRIPTED_BLUE, SCRIPTED_RED } from "./scripted/index.js";
import type { BluePolicy, PolicyFor, RedPolicy } from "./types.js";

export * from "./llm/index.js";
export * from "./scripted/index.js";
export {
  type DriverResult,
  paidComponents,
  policySeed,
  TwoPlayerEpisode,
} from "./two-player.js";
export type { BluePolicy, Policy, PolicyFor, RedPolicy } from "./types.js";

export function policyNames(role: Role): string[] {
  return Object.keys(role === "red" ? SCRIPTED_RED : SCRIPTED_BLUE);
}

export function resolvePolicy<R extends Role>(role: R, spec: string): PolicyFor<R> {
  if (spec.startsWith("llm:")) return llmPolicy(role, spec);
  const name = spec.startsWith("scripted:") ? spec.slice("scripted:".length) : spec;
  const table: Record<string, () => RedPolicy | BluePolicy> =
    role === "red" ? SCRIPTED_RED : SCRIPTED_BLUE;
  // Own keys only: `constructor` or `__proto__` must not reach Object.prototype.
  const make = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!make) {
    throw new SeigeError(
      "validation_error",
      `unknown ${role} policy '${spec}'; choose one of: ${policyNames(role).join(", ")} (optionally prefixed 'scripted:'), or llm:<url>#<model>`,
    );
  }
  return make() as PolicyFor<R>;
}
