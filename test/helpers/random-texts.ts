import { Rng } from "../../src/util/rng.js";

/**
 * `count` seeded texts of up to `maxPieces` pieces drawn from `pieces`, for tests
 * that check a fast text routine against the regex it replaces.
 */
export function randomTexts(
  pieces: readonly string[],
  count: number,
  maxPieces: number,
  seed: string,
): string[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: rng.int(maxPieces + 1) }, () => rng.pick(pieces)).join(""),
  );
}
