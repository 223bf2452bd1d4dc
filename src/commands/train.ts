/**
 * `seige train`: the built-in learner (src/learn) trains one role against a fixed
 * opponent on the sim (or whatever SEIGE_TARGET_BACKEND names), in process, then
 * measures it. An output folder holds:
 *   policy.json       the checkpoint (`learned:DIR` anywhere a policy name is taken)
 *   metrics.jsonl     one line per update (return, win rate, components, entropy)
 *   baselines.json    the role's scripted policies against the same opponent, held-out seeds
 *   crossplay.json    learned and scripted policies of the role against every scripted
 *                     opponent (and the training opponent), held-out seeds
 *   report.html       SVG curves with the baselines as lines, and the cross-play tables
 *   return.svg        the return curve alone, for a README
 *   run.json          what this run was asked (role, opponent, stage, seed, episodes,
 *                     batch), written first, so a watcher (the web page's Training tab)
 *                     can show progress while metrics.jsonl grows
 * With --alternate R it runs R rounds of alternating best responses instead
 * (src/commands/train-alternate.ts). Progress goes to stderr.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { policyNames } from "../agents/index.js";
import type { Role, Stage } from "../arena/schema.js";
import {
  policyFromSpec,
  readCheckpoint,
  saveCheckpoint,
  train,
  type UpdateMetrics,
} from "../learn/index.js";
import { type Baseline, renderTrainReport, trainCharts } from "../learn/report.js";
import { RUN_FILE, RUN_FORMAT, STALE_OUTPUTS } from "../learn/run-files.js";
import {
  type CrossPlayReport,
  crossPlay,
  formatCrossPlay,
  parseSeeds,
  renderCrossPlayHtml,
} from "../rollout/index.js";
import { createTarget } from "../target/create.js";
import type { TargetSystem } from "../target/types.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige train --role blue|red --opponent <spec> --out DIR
                   [--stage N] [--seed S] [--episodes N] [--minutes M] [--batch B]
                   [--eval-seeds A..B] [--mix SPEC[,SPEC]] [--alternate ROUNDS [--population]]
                   [--target BACKEND]

  --role        the role to train
  --opponent    the other role's fixed policy: scripted:<name> or learned:DIR
                (default scripted:steer for --role blue, scripted:probe-threshold for red)
  --out         output folder (policy.json, metrics.jsonl, report.html, ...)
  --stage       curriculum stage 1-3 (default 2)
  --seed        training seed: initial weights, sampling, training episodes (default 0)
  --episodes    training episodes (default 3000)
  --minutes     stop training after this many minutes, whatever --episodes says
  --batch       episodes per update (default 16)
  --lr          Adam step size of the policy (default 0.003)
  --entropy     entropy bonus per decision (default 0.03)
  --eval-seeds  held-out seeds for baselines and cross-play (default 1000..1099;
                training seeds start at 10^9, so they never overlap)
  --mix         more opponents to train against, taken in turn with --opponent
                (one per episode), e.g. scripted:idle so that a Blue also sees
                traffic without an attack; the report still measures --opponent
  --alternate   R rounds of alternating best responses: round r trains --role
                against the other role's round r-1 policy (round 0: --opponent),
                then the other role against it; each leg gets --episodes
  --population  with --alternate: each leg trains against every policy of the
                other role so far (--opponent and each earlier round, taken in
                turn, one per episode) instead of the latest one alone, so that
                a later round does not forget how to beat an earlier one
${targetHelp(16)}`;

const other = (r: Role): Role => (r === "red" ? "blue" : "red");

export interface LegOptions {
  role: Role;
  opponent: string;
  out: string;
  stage: Stage;
  seed: number;
  episodes: number;
  minutes?: number;
  batch: number;
  lr?: number;
  entropy?: number;
  evalSeeds: number[];
  target: TargetSystem;
  command: string;
  /** continue from this folder's checkpoint */
  init?: string;
  /** extra policies of the other role for the cross-play table */
  extraOpponents?: string[];
  /**
   * train against all of these in turn (episode i plays population[i mod n]) instead
   * of `opponent` alone; `opponent` stays the one the report measures against
   */
  population?: string[];
}

/** Trains one role against one opponent and writes the folder described above. */
export async function trainLeg(o: LegOptions): Promise<CrossPlayReport> {
  const opponentRole = other(o.role);
  const pool = o.population?.length ? o.population : [o.opponent];
  for (const spec of pool) policyFromSpec(opponentRole, spec); // a bad spec fails before anything runs
  mkdirSync(o.out, { recursive: true });
  // A folder reused for a new run must not look finished while it trains.
  for (const f of STALE_OUTPUTS) rmSync(join(o.out, f), { force: true });
  const asked = {
    format: RUN_FORMAT,
    role: o.role,
    opponent: o.opponent,
    ...(o.population?.length ? { population: pool } : {}),
    stage: o.stage,
    seed: o.seed,
    episodes: o.episodes,
    batch: o.batch,
    command: o.command,
  };
  writeFileSync(join(o.out, RUN_FILE), `${JSON.stringify(asked)}\n`);
  const log = (s: string) => process.stderr.write(`seige train: ${s}\n`);
  const scripted = policyNames(o.role).map((n) => `scripted:${n}`);
  const baseline = await crossPlay({
    red: o.role === "red" ? scripted : [o.opponent],
    blue: o.role === "blue" ? scripted : [o.opponent],
    seeds: o.evalSeeds,
    stage: o.stage,
    target: o.target,
  });
  const baselines: Baseline[] = scripted.map((name, i) => {
    const cell = o.role === "red" ? baseline.cells[i][0] : baseline.cells[0][i];
    const mine = o.role === "red" ? cell.red_return : cell.blue_return;
    const win = o.role === "red" ? cell.red_win_rate : cell.blue_win_rate;
    return { name, mean_return: mine.mean, win_rate: win.mean, components: {} };
  });
  writeFileSync(join(o.out, "baselines.json"), `${JSON.stringify(baselines, null, 1)}\n`);
  log(
    `${o.role} vs ${o.opponent}, stage ${o.stage}: baselines ${baselines.map((b) => `${b.name} ${b.mean_return.toFixed(1)}`).join(", ")}`,
  );

  const metricsPath = join(o.out, "metrics.jsonl");
  writeFileSync(metricsPath, "");
  const metrics: UpdateMetrics[] = [];
  const started = Date.now();
  const checkpoint = await train({
    role: o.role,
    opponentName: pool.join(" + "),
    makeOpponent: (episode) => policyFromSpec(opponentRole, pool[episode % pool.length]),
    target: o.target,
    stage: o.stage,
    seed: o.seed,
    episodes: o.episodes,
    batch: o.batch,
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    ...(o.entropy !== undefined ? { entropy: o.entropy } : {}),
    ...(o.minutes !== undefined ? { seconds: o.minutes * 60 } : {}),
    ...(o.init ? { init: readCheckpoint(o.init) } : {}),
    onUpdate: (m) => {
      metrics.push(m);
      writeFileSync(metricsPath, `${JSON.stringify(m)}\n`, { flag: "a" });
      if (m.update % 10 === 0 || m.episodes >= o.episodes) {
        const recent = metrics.slice(-10);
        const mean = (f: (x: UpdateMetrics) => number) =>
          recent.reduce((s, x) => s + f(x), 0) / recent.length;
        log(
          `${m.episodes}/${o.episodes} episodes, ${m.seconds}s: return ${mean((x) => x.mean_return).toFixed(2)}, win ${(100 * mean((x) => x.win_rate)).toFixed(0)}%, entropy ${mean((x) => x.entropy).toFixed(2)}`,
        );
      }
    },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  saveCheckpoint(o.out, checkpoint);
  log(
    `trained ${checkpoint.trained.episodes} episodes in ${seconds}s; checkpoint ${join(o.out, "policy.json")}`,
  );

  const learned = `learned:${o.out}`;
  const mine = [learned, ...scripted];
  const theirs = [
    ...new Set([
      ...policyNames(opponentRole).map((n) => `scripted:${n}`),
      o.opponent,
      ...pool,
      ...(o.extraOpponents ?? []),
    ]),
  ];
  const report = await crossPlay({
    red: o.role === "red" ? mine : theirs,
    blue: o.role === "blue" ? mine : theirs,
    seeds: o.evalSeeds,
    stage: o.stage,
    target: o.target,
  });
  writeFileSync(join(o.out, "crossplay.json"), `${JSON.stringify(report)}\n`);
  writeFileSync(join(o.out, "crossplay.html"), renderCrossPlayHtml(report, o.command));
  const charts = trainCharts(metrics, baselines, o.role);
  writeFileSync(join(o.out, "return.svg"), `${charts[0]}\n`);
  const vs = (spec: string) => {
    const i = o.role === "red" ? report.red.indexOf(spec) : report.blue.indexOf(spec);
    const j = o.role === "red" ? report.blue.indexOf(o.opponent) : report.red.indexOf(o.opponent);
    const cell = o.role === "red" ? report.cells[i][j] : report.cells[j][i];
    return o.role === "red" ? cell.red_return.mean : cell.blue_return.mean;
  };
  const summary = [
    `${checkpoint.trained.episodes} training episodes in ${seconds} s (${checkpoint.trained.updates} updates of ${o.batch})`,
    `held-out seeds ${o.evalSeeds[0]}..${o.evalSeeds.at(-1)} (${o.evalSeeds.length}), stage ${o.stage}, target ${o.target.info.backend}/${o.target.info.modelId}`,
    ...mine.map((s) => `${s} against ${o.opponent}: mean ${o.role} return ${vs(s).toFixed(2)}`),
  ];
  writeFileSync(
    join(o.out, "report.html"),
    renderTrainReport({
      title: `seige train: ${o.role} against ${o.opponent}`,
      command: o.command,
      summary,
      charts,
      crossPlayHtml: `<pre>${formatCrossPlay(report).replace(/&/g, "&amp;").replace(/</g, "&lt;")}</pre>`,
    }),
  );
  for (const s of summary) log(s);
  log(`report ${join(o.out, "report.html")}`);
  return report;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...TARGET_OPTION,
      role: { type: "string" },
      opponent: { type: "string" },
      out: { type: "string" },
      stage: { type: "string" },
      seed: { type: "string" },
      episodes: { type: "string" },
      minutes: { type: "string" },
      batch: { type: "string" },
      lr: { type: "string" },
      entropy: { type: "string" },
      "eval-seeds": { type: "string" },
      alternate: { type: "string" },
      population: { type: "boolean", default: false },
      mix: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const role = values.role;
  if (role !== "red" && role !== "blue") throw new CliUsageError("--role must be blue or red");
  if (!values.out) throw new CliUsageError("--out DIR is required");
  const stage = intFlag(values.stage, "stage", 2);
  if (![1, 2, 3].includes(stage)) throw new CliUsageError("--stage must be 1, 2 or 3");
  const episodes = intFlag(values.episodes, "episodes", 3000);
  if (episodes < 1) throw new CliUsageError("--episodes must be at least 1");
  const batch = intFlag(values.batch, "batch", 16);
  if (batch < 1) throw new CliUsageError("--batch must be at least 1");
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  if (minutes !== undefined && !(minutes > 0))
    throw new CliUsageError("--minutes must be a positive number");
  const num = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!(x >= 0) || !Number.isFinite(x))
      throw new CliUsageError(`--${flag} must be a non-negative number`);
    return x;
  };
  const lr = num(values.lr, "lr");
  const entropy = num(values.entropy, "entropy");
  const rounds = intFlag(values.alternate, "alternate", 0);
  if (rounds < 0) throw new CliUsageError("--alternate must be at least 1");
  if (values.population && rounds === 0)
    throw new CliUsageError("--population needs --alternate ROUNDS");
  const mix = values.mix?.split(",").filter((x) => x !== "") ?? [];
  if (mix.length > 0 && rounds > 0)
    throw new CliUsageError("--mix trains one leg; --alternate takes --population instead");
  const leg = {
    role: role as Role,
    opponent: values.opponent ?? (role === "blue" ? "scripted:steer" : "scripted:probe-threshold"),
    out: values.out,
    stage: stage as Stage,
    seed: intFlag(values.seed, "seed", 0),
    episodes,
    batch,
    evalSeeds: parseSeeds(values["eval-seeds"] ?? "1000..1099"),
    ...(minutes !== undefined ? { minutes } : {}),
    ...(lr !== undefined ? { lr } : {}),
    ...(entropy !== undefined ? { entropy } : {}),
    command: `seige train ${argv.join(" ")}`,
  };
  const target = await createTarget({ backend: values.target });
  try {
    if (rounds > 0) {
      const { alternate } = await import("./train-alternate.js");
      await alternate({ ...leg, target }, rounds, values.population === true);
    } else {
      const opponent = leg.opponent;
      await trainLeg({ ...leg, target, ...(mix.length ? { population: [opponent, ...mix] } : {}) });
    }
  } finally {
    await target.close?.();
  }
  return 0;
}
