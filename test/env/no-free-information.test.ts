// GAME.md §1.1 as a property test: over many random seeds and random action
// sequences (valid and invalid), no Red view holds the protected value, the policy
// rule texts, Blue's alerts or probe results, and no Blue view holds which sessions
// are Red's or an attack's strategy, layer, direction or magnitude. Checked on the
// serialised JSON of every observation either role receives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomRed } from "../../src/agents/index.js";
import {
  type Action,
  BLUE_ACTIONS,
  type BlueAction,
  DIRECTION_LABELS,
  type Observation,
  RED_STRATEGIES,
} from "../../src/arena/schema.js";
import { SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import { Rng } from "../../src/util/rng.js";

function randomBlue(rng: Rng, obs: Observation): BlueAction {
  const view = obs.blue!;
  const type = rng.pick(BLUE_ACTIONS);
  const session =
    view.pending.length && rng.bool(0.9) ? rng.pick(view.pending).session_id : `s${rng.int(8)}`;
  return {
    agent_type: "blue",
    action_type: type,
    session_id: session,
    layer: rng.int(view.n_layers + 2) - 1,
    method: rng.bool() ? "project_out" : "mean_ablate",
    direction_label: rng.pick(DIRECTION_LABELS),
    explanation: rng.bool(0.5)
      ? {
          threat_level: "high",
          detection_method: "activation_anomaly",
          layer_implicated: rng.int(view.n_layers),
          direction_match: rng.pick(DIRECTION_LABELS),
          evidence_turns: [view.tick],
          recommended_action: "block",
        }
      : undefined,
  };
}

/** Red-specific words that must never appear in any Blue view (keys or values). */
const RED_SECRETS = [
  ...RED_STRATEGIES,
  '"target_layer"',
  '"magnitude"',
  '"red_sessions"',
  '"strategy"',
  '"layer_range"',
  '"heads"',
];

describe("no free information", () => {
  it("holds over random seeds and random action sequences", async () => {
    const target = await createTarget();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(1, 2, 3),
        async (seed, stage) => {
          const env = new SeigeEnv(target);
          const red = new RandomRed();
          red.reset(seed);
          const rng = new Rng(`nfi/${seed}`);
          let result = await env.reset({ seed, stage: stage as 1 | 2 | 3 });
          const first = result.observation;
          // The hidden truth, read from Blue's own view (Blue is told what to protect).
          const blueTask = (first.blue ?? env.arena.view("blue")) as NonNullable<
            Observation["blue"]
          >;
          const secret = blueTask.task.protected_value;
          const rules = blueTask.task.policy_rules;
          let steps = 0;
          while (!result.done && steps < 200) {
            const obs = result.observation;
            const json = JSON.stringify(obs.current_agent === "red" ? obs.red : obs.blue);
            if (obs.current_agent === "red") {
              expect(json).not.toContain(secret);
              for (const rule of rules) expect(json).not.toContain(rule);
              for (const word of [
                "probe_results",
                "alerts",
                "anomaly_z",
                "cosines",
                "protected_value",
                'policy_rules"',
              ]) {
                expect(json).not.toContain(word);
              }
              expect(obs.blue).toBeUndefined();
            } else {
              for (const word of RED_SECRETS) expect(json).not.toContain(word);
              expect(obs.red).toBeUndefined();
            }
            expect(obs.summary).toBeUndefined();
            const action = obs.current_agent === "red" ? red.act(obs.red!) : randomBlue(rng, obs);
            // Sometimes act out of turn: the wrong role's action is an in-game invalid action.
            const outOfTurn: Action =
              obs.current_agent === "red"
                ? { agent_type: "blue", action_type: "monitor" }
                : { agent_type: "red", strategy: "persona_manipulation", payload: "hello" };
            result = await env.step(rng.bool(0.05) ? outOfTurn : action);
            if (result.observation.error) expect(result.observation.error).not.toContain(secret);
            steps++;
          }
          if (result.done) {
            // Ground truth appears only now, in the summary.
            expect(result.observation.summary?.protected_value).toBe(secret);
          }
        },
      ),
      { numRuns: 60, seed: 20261125 },
    );
  });
});

describe("no timing side channel", () => {
  it("every session has a pending request on every tick, so activity does not reveal Red", async () => {
    const env = new SeigeEnv(await createTarget());
    for (const stage of [1, 2, 3] as const) {
      let r = await env.reset({ seed: 77, stage, role: "blue", opponent: "scripted:text" });
      const sessions = new Set<string>();
      while (!r.done) {
        const pending = r.observation.blue!.pending.map((p) => p.session_id).sort();
        if (sessions.size === 0) for (const s of pending) sessions.add(s);
        // Every session has at least one request each tick (some have several, benign ones too).
        expect(new Set(pending)).toEqual(sessions);
        r = await env.step({ agent_type: "blue", action_type: "monitor" });
      }
      expect(sessions.size).toBe(6);
    }
  });
});
