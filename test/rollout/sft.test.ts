// `seige rollout --format sft` examples: each is one decision of the teacher as a
// TRL SFTTrainer chat example — the exact messages an `llm:` policy is sent for
// that view, then the teacher's action as a call of one of the offered tools,
// whose arguments the tool turns back into a valid action.
import { describe, expect, it } from "vitest";
import { ActionSchema } from "../../src/arena/schema.js";
import { findTool } from "../../src/arena/tools.js";
import { sftEpisode, toolCallOf } from "../../src/rollout/sft.js";
import { createTarget } from "../../src/target/index.js";

describe("SFT export", () => {
  it("writes one tool-calling chat example per decision, round-tripping to the action", async () => {
    const target = await createTarget();
    for (const [role, policy, opponent] of [
      ["blue", "probe-threshold", "scripted:steer"],
      ["red", "steer", "scripted:probe-threshold"],
    ] as const) {
      const examples = await sftEpisode({
        role,
        policy,
        opponent,
        seed: 1000,
        stage: 2,
        maxTicks: 3,
        target,
      });
      expect(examples.length).toBeGreaterThanOrEqual(1);
      for (const e of examples) {
        expect(e.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
        const call = e.messages[2]!.tool_calls![0]!.function;
        expect(e.tools.map((t) => t.function.name)).toContain(call.name);
        const action = findTool(call.name)!.toAction!(JSON.parse(call.arguments));
        expect(ActionSchema.safeParse(action).success).toBe(true);
        expect(toolCallOf(action).name).toBe(call.name);
        expect(e.messages[1]!.content).not.toContain("red_sessions");
      }
      expect(new Set(examples.map((e) => e.episode_return)).size).toBe(1);
    }
  });
});
