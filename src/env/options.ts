/**
 * Reset options as clients send them: the arena's options plus who plays what.
 * `opponent: "none"` (default) is two-player over one connection; with
 * `opponent: "scripted:<name>"`, `"replay:<file>"` or `"llm:<url>#<model>"` the env
 * plays the other role itself (src/env/opponents.ts) and `role` names the client's
 * role (GAME.md §3, "Who plays").
 */
import { z } from "zod";
import { ResetOptionsSchema, ROLES } from "../arena/schema.js";

export const EnvResetOptionsSchema = ResetOptionsSchema.extend({
  role: z
    .enum(ROLES)
    .optional()
    .describe("the client's role when an opponent plays the other (default red)"),
  opponent: z
    .string()
    .max(200)
    .optional()
    .describe(
      '"none" (two-player, default), or the other role played inside the env: "scripted:<name>", "replay:<file.jsonl>" (from the server\'s replay folder), "llm:<url>#<model>" (allow-listed endpoints only) or "learned:<folder>" (a seige train output inside SEIGE_LEARNED_DIR)',
    ),
});
export type EnvResetOptions = z.infer<typeof EnvResetOptionsSchema>;
