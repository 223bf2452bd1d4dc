import { describe, expect, it } from "vitest";
import { ActionSchema, BLUE_ACTIONS, jsonSchemas, RED_STRATEGIES } from "../../src/arena/schema.js";

describe("wire schemas", () => {
  it("accept every Red strategy and every Blue action, and reject unknown fields", () => {
    for (const strategy of RED_STRATEGIES)
      expect(ActionSchema.safeParse({ agent_type: "red", strategy, payload: "x" }).success).toBe(
        true,
      );
    for (const action_type of BLUE_ACTIONS)
      expect(
        ActionSchema.safeParse({ agent_type: "blue", action_type, session_id: "s0" }).success,
      ).toBe(true);
    expect(
      ActionSchema.safeParse({
        agent_type: "red",
        strategy: "persona_manipulation",
        payload: "x",
        extra: 1,
      }).success,
    ).toBe(false);
    expect(
      ActionSchema.safeParse({ agent_type: "red", strategy: "nope", payload: "x" }).success,
    ).toBe(false);
  });

  it("generate JSON Schema for actions, observations and reset options", () => {
    const s = jsonSchemas();
    expect(JSON.stringify(s.action)).toContain("steering_vector");
    expect(JSON.stringify(s.observation)).toContain("final_rewards");
    expect(JSON.stringify(s.reset)).toContain("black_box");
  });
});
