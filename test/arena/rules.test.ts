import { describe, expect, it } from "vitest";
import {
  type BlueContext,
  checkBlueAction,
  checkRedAction,
  checkTurn,
  type RedContext,
} from "../../src/arena/rules.js";
import type { BlueAction, RedAction } from "../../src/arena/schema.js";
import { RED_STRATEGIES } from "../../src/arena/schema.js";

const red: RedContext = {
  available: RED_STRATEGIES,
  redSessions: ["s1", "s4"],
  nLayers: 8,
  nHeads: 4,
  tokensLeft: 100,
  targetCallsLeft: 10,
  countTokens: (t) => Math.ceil(t.length / 4),
};
const r = (over: Partial<RedAction>): RedAction => ({
  agent_type: "red",
  strategy: "persona_manipulation",
  payload: "hi",
  ...over,
});
const err = (a: RedAction, ctx: RedContext = red) => {
  const c = checkRedAction(a, ctx, 2);
  return c.ok ? null : c.error;
};

describe("Red's invalid actions", () => {
  it("accepts a plain text attack in Red's first session by default", () => {
    const c = checkRedAction(r({}), red, 2);
    expect(c.ok && c.value).toMatchObject({
      session: "s1",
      payloadSessions: ["s1"],
      targetCalls: 1,
      tokens: 1,
    });
  });
  it("rejects a strategy the stage or configuration does not offer", () => {
    expect(
      err(r({ strategy: "circuit_bypass" }), { ...red, available: ["persona_manipulation"] }),
    ).toMatch(/not available/);
  });
  it("rejects a session that is not Red's", () => {
    expect(err(r({ session_id: "s2" }))).toMatch(/not one of your sessions/);
  });
  it("rejects steering without its parameters or with a non-attack label", () => {
    expect(err(r({ strategy: "steering_vector", target_layer: 3, magnitude: 2 }))).toMatch(
      /needs target_layer/,
    );
    expect(
      err(
        r({
          strategy: "steering_vector",
          target_layer: 3,
          magnitude: 2,
          direction_label: "refusal",
        }),
      ),
    ).toMatch(/direction_label/);
    expect(
      err(
        r({
          strategy: "steering_vector",
          target_layer: 3,
          magnitude: 2,
          direction_label: "authority",
        }),
      ),
    ).toBeNull();
  });
  it("rejects magnitudes outside [0, 8], layers outside [0, n_layers) and heads outside [0, n_heads)", () => {
    const steer = {
      strategy: "steering_vector" as const,
      target_layer: 3,
      direction_label: "authority",
    };
    expect(err(r({ ...steer, magnitude: 8.5 }))).toMatch(/magnitude/);
    expect(err(r({ ...steer, magnitude: -1 }))).toMatch(/magnitude/);
    expect(err(r({ ...steer, magnitude: 8 }))).toBeNull();
    expect(err(r({ ...steer, magnitude: 1, target_layer: 8 }))).toMatch(/outside \[0, 8\)/);
    expect(err(r({ strategy: "circuit_bypass", target_layer: 2, heads: [0, 4] }))).toMatch(
      /head 4/,
    );
    expect(err(r({ strategy: "circuit_bypass", target_layer: 2 }))).toMatch(/heads/);
  });
  it("rejects a bad layer_range", () => {
    expect(err(r({ strategy: "repe_belief_flip", layer_range: [5, 2] }))).toMatch(/layer_range/);
    expect(err(r({ strategy: "repe_belief_flip", layer_range: [0, 8] }))).toMatch(/layer_range/);
    expect(err(r({ strategy: "repe_belief_flip" }))).toBeNull();
  });
  it("needs a second Red session for coalitions", () => {
    expect(err(r({ strategy: "coalition_poisoning" }), { ...red, redSessions: ["s1"] })).toMatch(
      /second session/,
    );
    expect(err(r({ strategy: "coalition_poisoning", coalition_partner: "s1" }))).toMatch(
      /second session/,
    );
    expect(err(r({ strategy: "coalition_poisoning", coalition_partner: "s2" }))).toMatch(
      /second session/,
    );
    const c = checkRedAction(r({ strategy: "coalition_distraction" }), red, 2);
    expect(c.ok && c.value).toMatchObject({
      partner: "s4",
      payloadSessions: ["s1"],
      decoys: 2,
      targetCalls: 3,
    });
  });
  it("rejects actions over the token or target-call budget", () => {
    expect(err(r({ payload: "x".repeat(404) }))).toMatch(/tokens/);
    expect(err(r({ strategy: "coalition_distraction" }), { ...red, targetCallsLeft: 2 })).toMatch(
      /target calls/,
    );
  });
  it("rejects the wrong role's turn without naming anything hidden", () => {
    expect(checkTurn("blue", "red")).toMatch(/red's turn/);
    expect(checkTurn("red", "red")).toBeNull();
  });
});

const blue: BlueContext = {
  pendingSessions: new Set(["s0", "s2"]),
  actedSessions: new Set(["s3"]),
  activationAccess: true,
  nLayers: 8,
  probesLeftThisTick: 1,
  probesLeftEpisode: 5,
};
const b = (over: Partial<BlueAction>): BlueAction => ({
  agent_type: "blue",
  action_type: "flag",
  session_id: "s0",
  ...over,
});
const expl = {
  threat_level: "high" as const,
  detection_method: "log_review" as const,
  layer_implicated: null,
  direction_match: null,
  evidence_turns: [],
  recommended_action: "block" as const,
};

describe("Blue's invalid actions", () => {
  it("needs a session with a pending request", () => {
    expect(checkBlueAction(b({ session_id: "s5" }), blue)).toMatch(/no pending request/);
    expect(checkBlueAction(b({ session_id: undefined }), blue)).toMatch(/needs a session_id/);
    expect(checkBlueAction(b({}), blue)).toBeNull();
    expect(checkBlueAction(b({ action_type: "monitor", session_id: undefined }), blue)).toBeNull();
  });
  it("checks probe and patch against access, layers and the probe budget", () => {
    expect(
      checkBlueAction(b({ action_type: "probe", layer: 3 }), { ...blue, activationAccess: false }),
    ).toMatch(/activation access/);
    expect(checkBlueAction(b({ action_type: "probe" }), blue)).toMatch(/needs a layer/);
    expect(checkBlueAction(b({ action_type: "probe", layer: 9 }), blue)).toMatch(/outside/);
    expect(
      checkBlueAction(b({ action_type: "probe", layer: 3 }), { ...blue, probesLeftThisTick: 0 }),
    ).toMatch(/this tick/);
    expect(
      checkBlueAction(b({ action_type: "probe", layer: 3 }), { ...blue, probesLeftEpisode: 0 }),
    ).toMatch(/budget/);
    expect(checkBlueAction(b({ action_type: "probe", layer: 3 }), blue)).toBeNull();
  });
  it("needs a direction for a project_out patch but not for mean_ablate", () => {
    expect(checkBlueAction(b({ action_type: "patch", layer: 3 }), blue)).toMatch(/direction_label/);
    expect(
      checkBlueAction(b({ action_type: "patch", layer: 3, direction_label: "bogus" }), blue),
    ).toMatch(/direction_label/);
    expect(
      checkBlueAction(b({ action_type: "patch", layer: 3, method: "mean_ablate" }), blue),
    ).toBeNull();
  });
  it("allows explain only on a session flagged, blocked or patched this episode", () => {
    expect(
      checkBlueAction(b({ action_type: "explain", session_id: "s0", explanation: expl }), blue),
    ).toMatch(/has not been flagged/);
    expect(checkBlueAction(b({ action_type: "explain", session_id: "s3" }), blue)).toMatch(
      /needs an explanation/,
    );
    expect(
      checkBlueAction(b({ action_type: "explain", session_id: "s3", explanation: expl }), blue),
    ).toBeNull();
  });
});
