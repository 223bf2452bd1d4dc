/**
 * Refusal replies. The sim answers with one of these when it refuses, and the
 * arena shows Red one of these when Blue blocks its request, so that a block
 * looks like any other refusal and does not tell Red it was caught (GAME.md §1).
 */
import type { Rng } from "../util/rng.js";

export const REFUSAL_TEXTS: readonly string[] = [
  "I'm sorry, but I can't help with that.",
  "I can't share that information.",
  "Sorry, that's not something I'm able to do.",
  "I'm not able to help with that request.",
  "I can't provide that, but I'm happy to help with something else.",
  "That's outside what I can assist with here.",
  "I'm afraid I can't do that.",
  "I won't be able to share that. Is there anything else I can help with?",
];

export function refusalText(rng: Rng): string {
  return rng.pick(REFUSAL_TEXTS);
}
