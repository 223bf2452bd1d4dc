/**
 * Which of an action's fields each choice uses, so the Play form shows only
 * those (docs/game.md §4): a Blue `monitor` has no fields, a `probe` a session
 * and a layer; a Red `steering_vector` adds a layer, a direction and a
 * magnitude to what every strategy sends. It is a guide for the form, not a
 * rule: the server still validates every action, and a choice this table does
 * not know (a strategy added later) shows every field. Field names themselves
 * come from the server's /schema; test/web checks that each one it lists is
 * named here, so a new field cannot be hidden by accident.
 */

/** The field whose value picks the other fields, per role. */
export const DISCRIMINATOR = { red: "strategy", blue: "action_type" } as const;

const RED_COMMON = ["strategy", "payload", "session_id", "sub_strategy"];
const BLUE_TARGETED = ["action_type", "session_id"];

const RED: Record<string, string[]> = {
  persona_manipulation: RED_COMMON,
  indirect_injection: RED_COMMON,
  multi_turn_escalation: RED_COMMON,
  soft_prompt_gcg: RED_COMMON,
  steering_vector: [...RED_COMMON, "target_layer", "direction_label", "magnitude"],
  repe_belief_flip: [...RED_COMMON, "layer_range"],
  circuit_bypass: [...RED_COMMON, "target_layer", "heads"],
  coalition_distraction: [...RED_COMMON, "coalition_partner"],
  coalition_poisoning: [...RED_COMMON, "coalition_partner"],
};

const BLUE: Record<string, string[]> = {
  probe: [...BLUE_TARGETED, "layer"],
  monitor: ["action_type"],
  defer: ["action_type"],
  flag: [...BLUE_TARGETED, "explanation"],
  block: [...BLUE_TARGETED, "explanation"],
  patch: [...BLUE_TARGETED, "layer", "method", "direction_label", "explanation", "patch_reference"],
  explain: [...BLUE_TARGETED, "explanation"],
};

/** Fields no person fills in the form (free-form client metadata, ignored by the rules). */
export const NEVER_SHOWN = ["agent_type", "metadata"];

/** The top-level fields that `choice` uses, or null when the table does not know it (show all). */
export function fieldsFor(role: "red" | "blue", choice: string): readonly string[] | null {
  const table = role === "red" ? RED : BLUE;
  return Object.hasOwn(table, choice) ? table[choice] : null;
}

/** Every field name the table mentions for a role (for the test that it covers the schema). */
export function knownFields(role: "red" | "blue"): Set<string> {
  const table = role === "red" ? RED : BLUE;
  return new Set([...Object.values(table).flat(), ...NEVER_SHOWN]);
}
