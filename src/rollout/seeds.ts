/**
 * Seed lists as the commands take them: `A..B` (inclusive), `A,B,C`, or a mix
 * such as `0..9,100`. Kept apart so `seige rollout`, `seige eval` and the Python
 * side's documentation agree on one syntax.
 */
import { SeigeError } from "../util/errors.js";

const MAX_SEEDS = 100_000;

export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(part);
    if (!m) {
      throw new SeigeError(
        "validation_error",
        `seeds '${text}': '${part}' is not a seed or a range; use A..B, A,B,C or a mix (e.g. 0..9,100)`,
      );
    }
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a)
      throw new SeigeError("validation_error", `seeds '${part}': the range runs backwards`);
    if (b > 2 ** 31 - 1) throw new SeigeError("validation_error", `seeds '${part}': above 2^31-1`);
    if (seeds.length + (b - a + 1) > MAX_SEEDS)
      throw new SeigeError("validation_error", `seeds '${text}': more than ${MAX_SEEDS} seeds`);
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  return seeds;
}
