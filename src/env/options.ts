/**
 * Reset options as clients send them: the arena's options plus who plays what.
 * `opponent: "none"` (default) is two-player over one connection; with
 * `opponent: "scripted:<name>"` the env plays the other role itself and `role`
 * names the client's role (GAME.md §3, "Who plays").
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
      '"none" (two-player, default) or "scripted:<name>" to have the env play the other role',
    ),
});
export type EnvResetOptions = z.infer<typeof EnvResetOptionsSchema>;
