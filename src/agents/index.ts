/**
 * Policies that play roles. `resolvePolicy(role, spec)` turns a spec string into
 * a policy: `<name>` or `scripted:<name>` for the baselines of src/agents/scripted.
 */
import type { Role } from "../arena/schema.js";
import { SeigeError } from "../util/errors.js";
import { SCRIPTED_BLUE, SCRIPTED_RED } from "./scripted/index.js";
import type { BluePolicy, PolicyFor, RedPolicy } from "./types.js";

export * from "./scripted/index.js";
export type { BluePolicy, Policy, PolicyFor, RedPolicy } from "./types.js";

export function policyNames(role: Role): string[] {
  return Object.keys(role === "red" ? SCRIPTED_RED : SCRIPTED_BLUE);
}

export function resolvePolicy<R extends Role>(role: R, spec: string): PolicyFor<R> {
  const name = spec.startsWith("scripted:") ? spec.slice("scripted:".length) : spec;
  const table: Record<string, () => RedPolicy | BluePolicy> =
    role === "red" ? SCRIPTED_RED : SCRIPTED_BLUE;
  const make = table[name];
  if (!make) {
    throw new SeigeError(
      "validation_error",
      `unknown ${role} policy '${spec}'; choose one of: ${policyNames(role).join(", ")} (optionally prefixed 'scripted:')`,
    );
  }
  return make() as PolicyFor<R>;
}
