/**
 * The `--format sft` branch of `seige rollout`: plays the teacher policy over the
 * seeds, one episode after another, and writes its decisions as TRL SFTTrainer
 * chat examples (src/rollout/sft.ts), with a summary line on stderr.
 */
import type { Role, Stage } from "../arena/schema.js";
import type { OpponentConfig } from "../env/index.js";
import { sftEpisode } from "../rollout/sft.js";
import type { TargetSystem } from "../target/types.js";
import { Progress } from "./progress.js";

export async function exportSft(o: {
  role: Role;
  policy: string;
  opponent: string;
  seeds: number[];
  stage: Stage;
  maxTicks?: number;
  minReturn?: number;
  target: TargetSystem;
  opponents: OpponentConfig;
  write: (text: string) => unknown;
}): Promise<void> {
  const progress = new Progress(`sft ${o.role} ${o.policy} vs ${o.opponent}`, o.seeds.length);
  let kept = 0;
  let examples = 0;
  for (const [i, seed] of o.seeds.entries()) {
    const episode = await sftEpisode({ ...o, seed });
    const ret = episode[0]?.episode_return ?? 0;
    if (o.minReturn === undefined || ret >= o.minReturn) {
      kept++;
      for (const e of episode) {
        await o.write(`${JSON.stringify(e)}\n`);
        examples++;
      }
    }
    progress.tick(i + 1);
  }
  progress.finish(`${examples} examples from ${kept} of ${o.seeds.length} episodes`);
}
