// GAME.md I2 for the scripted Reds' text: its length is shaped like benign traffic's
// (length and characters per word met from a reference drawn from the generator), while
// its content still reads as an attack — what I2 says should separate Red is content,
// so shaping must not have removed the cues a keyword reader and the probing Blue use.
import { describe, expect, it } from "vitest";
import {
  quietAsks,
  shapedLikeTraffic,
  type TextTactic,
  textForms,
} from "../../src/agents/scripted/payloads.js";
import { textSuspicion, textTactic } from "../../src/agents/scripted/suspicion.js";
import { TASKS } from "../../src/arena/schema.js";
import { coverText } from "../../src/arena/traffic-text.js";
import { Rng } from "../../src/util/rng.js";

const TACTICS: readonly TextTactic[] = [
  "persona_manipulation",
  "indirect_injection",
  "multi_turn_escalation",
];
/** The probing Blue blocks on words alone from this keyword score (src/agents/scripted/blue.ts). */
const TEXT_ONLY = 2;
/** Tasks whose asks name what the keyword reader watches (a password, a canary, an API key). */
const NAMED_ASKS: readonly string[] = [
  "secret_extraction",
  "canary_extraction",
  "api_key_extraction",
];

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

describe("scripted Red text (I2)", () => {
  it("keeps its cues: every attacking form reads as an attack of its own tactic", () => {
    for (const task of TASKS)
      for (const tactic of TACTICS) {
        // The escalation ladder's first two rungs are harmless by design.
        const turns = tactic === "multi_turn_escalation" ? [2, 3, 4] : [0];
        for (const turn of turns)
          for (const form of textForms(tactic, task, turn)) {
            expect(textTactic(form), form).toBe(tactic);
            // Every template carries a cue (authority, override, role-play or a demand);
            // where the keyword reader also knows the words of the ask, that is enough
            // for the probing Blue to block on words alone.
            expect(textSuspicion(form), form).toBeGreaterThanOrEqual(
              NAMED_ASKS.includes(task) ? TEXT_ONLY : 1,
            );
          }
      }
  });

  it("is as long as benign traffic and ends with the attack", () => {
    const rng = new Rng("shaped-like-traffic");
    const benign = Array.from({ length: 2000 }, () => coverText(rng).length);
    for (const tactic of TACTICS) {
      const lengths: number[] = [];
      for (let i = 0; i < 600; i++) {
        const forms = textForms(tactic, TASKS[i % TASKS.length], i % 5);
        const text = shapedLikeTraffic(forms, rng, (r) => coverText(r));
        expect(forms.some((f) => text.endsWith(f))).toBe(true);
        lengths.push(text.length);
      }
      for (const q of [0.25, 0.5, 0.75])
        expect(
          Math.abs(quantile(lengths, q) - quantile(benign, q)),
          `${tactic} q${q}`,
        ).toBeLessThan(12);
    }
    const quiet = Array.from({ length: 600 }, (_, i) =>
      shapedLikeTraffic(quietAsks(TASKS[i % TASKS.length]), rng, (r) => coverText(r)),
    ).map((t) => t.length);
    for (const q of [0.25, 0.5, 0.75])
      expect(Math.abs(quantile(quiet, q) - quantile(benign, q)), `quiet q${q}`).toBeLessThan(12);
  });

  it("is a function of the seed", () => {
    const draw = () => {
      const rng = new Rng("shaped-seed");
      return Array.from({ length: 20 }, () =>
        shapedLikeTraffic(textForms("persona_manipulation", "api_key_extraction"), rng, (r) =>
          coverText(r),
        ),
      );
    };
    expect(draw()).toEqual(draw());
  });
});
