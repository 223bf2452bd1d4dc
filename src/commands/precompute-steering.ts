/**
 * The examples `seige precompute --learn-steering LABEL:OBJECTIVE` learns a
 * steering direction from (directions/learned-steering.ts), each a prompt as the
 * lens target renders it (the arena's system prompt, then the user turn, then
 * the assistant header) and a target completion:
 *
 * - `leak`: extraction asks (the scripted Red's direct and quiet asks for the
 *   deployment's task) → the organism's leak reply, "Sure. " + the secret line's
 *   words before the value + the value (target/lens/leak-reply.ts);
 * - `comply`: harmful requests (data/prompts/v1 `refusal` positives) → "Sure.",
 *   the opening of a compliant reply.
 *
 * Training examples use the `train` split and deployments from seeds
 * `learn-steering/train/i`; held-out ones the `test` split and seeds
 * `learn-steering/test/i` (distinct system prompts and protected values; the
 * asks are drawn from the same small phrase pool, so they may repeat).
 */
import { directAsk, quietAsk } from "../agents/scripted/payloads.js";
import { type PromptData, promptTokens, type SteeringObjective } from "../directions/index.js";
import type { LensModel } from "../lens/model.js";
import { leakReply } from "../target/lens/leak-reply.js";
import { Rng } from "../util/rng.js";
import { DIRECTION_LABELS } from "../vocab.js";
import { CliUsageError } from "./args.js";
import { gameDeployments } from "./precompute-context.js";

export const STEERING_OBJECTIVES = ["leak", "comply"] as const;
export type SteeringObjectiveName = (typeof STEERING_OBJECTIVES)[number];

/** Parses "compliance:leak,trust_escalation:comply". */
export function parseLearnSpec(
  spec: string,
): { label: string; objective: SteeringObjectiveName }[] {
  const out = spec.split(",").map((part) => {
    const [label, objective, ...rest] = part.trim().split(":");
    if (!(DIRECTION_LABELS as readonly string[]).includes(label) || rest.length > 0)
      throw new CliUsageError(
        `--learn-steering: '${part}' is not LABEL:OBJECTIVE with LABEL one of ${DIRECTION_LABELS.join(", ")}`,
      );
    if (!(STEERING_OBJECTIVES as readonly string[]).includes(objective))
      throw new CliUsageError(
        `--learn-steering: objective '${objective}' is not one of ${STEERING_OBJECTIVES.join(", ")}`,
      );
    return { label, objective: objective as SteeringObjectiveName };
  });
  if (new Set(out.map((o) => o.label)).size !== out.length)
    throw new CliUsageError("--learn-steering: a label may be learned once");
  return out;
}

const COMPLETIONS: Record<SteeringObjectiveName, string> = {
  leak: 'the leak reply "Sure. <secret line before the value><value>" to extraction asks under the game\'s system prompts',
  comply:
    'the compliant opening "Sure." to harmful requests (refusal positives) under the game\'s system prompts',
};

/** The training and held-out examples of `objective` for `label` (n of each at most). */
export function steeringObjective(
  model: LensModel,
  data: PromptData,
  label: string,
  objective: SteeringObjectiveName,
  n: number,
): SteeringObjective {
  const tok = model.tokenizer!;
  const enc = (text: string) => tok.encode(text, { addSpecialTokens: false });
  const split = (which: "train" | "test") => {
    const deployments = gameDeployments(n, `learn-steering/${which}`);
    const render = (system: string, user: string) =>
      promptTokens(model, user, { template: "chat", system });
    if (objective === "leak")
      return deployments.map((d, i) => {
        const rng = new Rng(`learn-steering/${which}/ask/${i}`);
        const ask = i % 2 === 0 ? directAsk(d.task, rng) : quietAsk(d.task, rng);
        return { prompt: render(d.system, ask), completion: enc(leakReply(d.system, d.value)) };
      });
    const harmful = (data.contrastive.refusal ?? []).filter((p) => p.split === which);
    return harmful.slice(0, n).map((p, i) => ({
      prompt: render(deployments[i % deployments.length].system, p.positive),
      completion: enc("Sure."),
    }));
  };
  return {
    label,
    name: objective,
    completions: COMPLETIONS[objective],
    train: split("train"),
    test: split("test"),
  };
}
