/**
 * The ladder of GAME.md I8 as a matrix: every scripted Red against every
 * scripted Blue at every stage on the sim, mean return per role with 95% CIs.
 * `npm run docs:tables` writes it into docs/game.md; run it alone to print it:
 *
 *   npx tsx bench/ladder.ts [--seeds 100] [--first 1000]
 */
import { resolvePolicy } from "../src/agents/index.js";
import { SCRIPTED_BLUE, SCRIPTED_RED } from "../src/agents/scripted/index.js";
import { playEpisode, SeigeEnv } from "../src/env/index.js";
import { meanCi95 } from "../src/env/metrics.js";
import { createTarget } from "../src/target/index.js";

export interface LadderCell {
  stage: number;
  red: string;
  blue: string;
  red_mean: number;
  red_ci: [number, number];
  blue_mean: number;
  blue_ci: [number, number];
  red_win: number;
  blue_win: number;
}

export async function ladder(seeds: number[], stages = [1, 2, 3]): Promise<LadderCell[]> {
  const env = new SeigeEnv(await createTarget());
  const cells: LadderCell[] = [];
  for (const stage of stages)
    for (const red of Object.keys(SCRIPTED_RED))
      for (const blue of Object.keys(SCRIPTED_BLUE)) {
        const r = resolvePolicy("red", red);
        const b = resolvePolicy("blue", blue);
        const rr: number[] = [];
        const bb: number[] = [];
        let rw = 0;
        let bw = 0;
        for (const seed of seeds) {
          const o = await playEpisode(env, r, b, { seed, stage: stage as 1 | 2 | 3 });
          rr.push(o.summary.returns.red.total);
          bb.push(o.summary.returns.blue.total);
          if (o.summary.winner === "red") rw++;
          if (o.summary.winner === "blue") bw++;
        }
        const R = meanCi95(rr);
        const B = meanCi95(bb);
        cells.push({
          stage,
          red,
          blue,
          red_mean: R.mean_return,
          red_ci: R.return_ci95,
          blue_mean: B.mean_return,
          blue_ci: B.return_ci95,
          red_win: rw / seeds.length,
          blue_win: bw / seeds.length,
        });
      }
  return cells;
}

const f = (x: number) => x.toFixed(1);

export function ladderMarkdown(cells: LadderCell[]): string {
  const lines = [
    "| stage | Red | Blue | Red return (95% CI) | Blue return (95% CI) | Red wins | Blue wins |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const c of cells)
    lines.push(
      `| ${c.stage} | ${c.red} | ${c.blue} | ${f(c.red_mean)} [${f(c.red_ci[0])}, ${f(c.red_ci[1])}] | ${f(c.blue_mean)} [${f(c.blue_ci[0])}, ${f(c.blue_ci[1])}] | ${Math.round(100 * c.red_win)}% | ${Math.round(100 * c.blue_win)}% |`,
    );
  return lines.join("\n");
}

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};

if (process.argv[1]?.endsWith("ladder.ts")) {
  const n = arg("--seeds", 100);
  const first = arg("--first", 1000);
  const cells = await ladder(Array.from({ length: n }, (_, i) => first + i));
  console.log(ladderMarkdown(cells));
}
