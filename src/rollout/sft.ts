/**
 * `seige rollout --format sft`: a policy's decisions as supervised chat examples
 * in the conversational tool-calling format of TRL's `SFTTrainer` — one JSON line
 * per decision, `{"messages": [system, user, assistant-with-tool_call], "tools":
 * [...]}` — so that a language model can be warm-started to call seige's tools
 * before GRPO (training/sft_warmstart.py). The system and user messages are
 * exactly what an `llm:` policy is sent for that view (src/agents/llm/prompt.ts,
 * function-calling mode), and the tool call is the teacher's action as that
 * role's tool (the strategy or action type as the name, the other fields as
 * arguments), so an example is a call the `llm:` agent would have to make.
 *
 * The teacher is any policy spec (scripted, `learned:DIR`); episodes run against a
 * built-in opponent through the env, as rollouts do. With `minReturn`, only
 * episodes whose return reaches it are written (filtered behaviour cloning).
 */
import { buildMessages, legalTools, toolSpecs } from "../agents/llm/index.js";
import { policySeed } from "../agents/two-player.js";
import type { Action, Role, Stage } from "../arena/schema.js";
import { type OpponentConfig, SeigeEnv } from "../env/index.js";
import type { TargetSystem } from "../target/types.js";
import type { ChatMessage, ToolSpec } from "../util/openai.js";
import { makePolicy } from "./run.js";

export interface SftExample {
  messages: ChatMessage[];
  tools: ToolSpec[];
  /** where it came from, for filtering and audit (SFTTrainer ignores extra columns) */
  seed: number;
  tick: number;
  episode_return: number;
}

/** The tool call that expresses `action` in its role's tool vocabulary. */
export function toolCallOf(action: Action): { name: string; arguments: Record<string, unknown> } {
  if (action.agent_type === "red") {
    const { agent_type: _a, strategy, metadata: _m, ...args } = action;
    return { name: strategy, arguments: args };
  }
  const { agent_type: _a, action_type, metadata: _m, ...args } = action;
  return { name: action_type, arguments: args };
}

export interface SftOptions {
  role: Role;
  policy: string;
  opponent: string;
  seed: number;
  stage: Stage;
  maxTicks?: number;
  target: TargetSystem;
  opponents?: OpponentConfig;
}

/** One episode of the teacher, as SFT examples (one per decision). */
export async function sftEpisode(o: SftOptions): Promise<SftExample[]> {
  const env = new SeigeEnv(o.target, {}, o.opponents);
  const policy = makePolicy(o.role, o.policy);
  policy.reset(policySeed(o.role, o.seed));
  let result = await env.reset({
    seed: o.seed,
    stage: o.stage,
    role: o.role,
    opponent: o.opponent,
    ...(o.maxTicks ? { max_ticks: o.maxTicks } : {}),
  });
  const examples: Omit<SftExample, "episode_return">[] = [];
  let total = 0;
  let calls = 0;
  while (!result.done) {
    const view = result.observation[o.role];
    if (!view) throw new Error(`${o.role}'s turn without its view`);
    // biome-ignore lint/suspicious/noExplicitAny: the view is the policy's role's view
    const action = (await policy.act(view as any)) as Action;
    const tools = legalTools(o.role, view);
    const call = toolCallOf(action);
    examples.push({
      messages: [
        ...buildMessages(o.role, view, tools, false),
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: `call_${calls++}`,
              type: "function",
              function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            },
          ],
        },
      ],
      tools: toolSpecs(tools),
      seed: o.seed,
      tick: view.tick,
    });
    result = await env.step(action);
    total += result.reward;
  }
  return examples.map((e) => ({ ...e, episode_return: Math.round(total * 1e6) / 1e6 }));
}
