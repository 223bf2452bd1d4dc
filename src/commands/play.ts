/**
 * `seige play`: seeded episodes between a Red and a Blue policy, in process.
 * Episode i resets with seed S+i. Prints a table per role, or with --json exactly
 * one JSON object on stdout (progress and logs go to stderr).
 *
 * `--record` writes each episode to the file as soon as it finishes and keeps
 * no more than one episode in memory; the loop yields to the event loop after
 * each episode, so SIGINT stops it between episodes and leaves a valid file of
 * the episodes completed (exit 130).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { Curriculum } from "../arena/index.js";
import type { EpisodeSummary, Stage } from "../arena/schema.js";
import { playEpisode, Recorder, SeigeEnv } from "../env/index.js";
import { type PlayReport, summarize } from "../env/metrics.js";
import { policyFromSpec } from "../learn/index.js";
import { createTarget } from "../target/create.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { checkOutputPath } from "./output-path.js";
import { trackTicks } from "./play-progress.js";
import { Progress, progressMode } from "./progress.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige play --red <policy> --blue <policy> [--episodes N] [--seed S] [--stage K]
                  [--curriculum] [--record FILE.jsonl] [--json] [--quiet] [--target BACKEND]

  --red        random | text | steer | learned:DIR           (default steer)
  --blue       allow-all | block-all | flag-all | probe-threshold | learned:DIR
               (default probe-threshold)
  --episodes   number of episodes (default 10); episode i uses seed S+i
  --seed       first seed (default 0)
  --stage      curriculum stage 1-3 (default 1)
  --curriculum start at --stage and promote on rolling averages (window 50)
  --record     write every episode as JSONL (replay with \`seige replay FILE\`)
  --json       print one JSON object on stdout instead of the table (progress on
               stderr as JSON lines)
  --quiet      no progress on stderr
${targetHelp(15)}`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      red: { type: "string", default: "steer" },
      blue: { type: "string", default: "probe-threshold" },
      episodes: { type: "string" },
      seed: { type: "string" },
      stage: { type: "string" },
      curriculum: { type: "boolean", default: false },
      record: { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      ...TARGET_OPTION,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const episodes = intFlag(values.episodes, "episodes", 10);
  const seed = intFlag(values.seed, "seed", 0);
  const firstStage = intFlag(values.stage, "stage", 1);
  if (episodes < 1) throw new CliUsageError("--episodes must be at least 1");
  if (![1, 2, 3].includes(firstStage)) throw new CliUsageError("--stage must be 1, 2 or 3");
  const red = policyFromSpec("red", values.red!);
  const blue = policyFromSpec("blue", values.blue!);

  if (values.record) checkOutputPath(values.record, "record");

  const target = await createTarget({ backend: values.target });
  const env = new SeigeEnv(target);
  const out = values.record ? openSync(values.record, "w") : null;
  const episodeLines: string[] = [];
  if (out !== null) new Recorder(target, (line) => episodeLines.push(`${line}\n`)).attach(env);
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  if (out !== null) process.once("SIGINT", onInterrupt);
  const curriculum = values.curriculum ? new Curriculum({ startStage: firstStage as Stage }) : null;

  const summaries: EpisodeSummary[] = [];
  const progress = new Progress(`play ${red.name} vs ${blue.name}`, episodes, {
    mode: progressMode(values),
  });
  // Per tick, not only per episode: a lens-backed episode takes minutes.
  let episode = 0;
  const tracked = trackTicks(red, blue, (tick, max) =>
    progress.tick(
      episode + tick / max,
      `episode ${episode + 1}/${episodes}, tick ${tick + 1}/${max}`,
    ),
  );
  for (let i = 0; i < episodes; i++) {
    episode = i;
    const stage = curriculum ? curriculum.stage : (firstStage as Stage);
    const outcome = await playEpisode(env, tracked.red, tracked.blue, { seed: seed + i, stage });
    if (out !== null) {
      // One write per finished episode: the file only ever holds whole episodes.
      writeSync(out, episodeLines.join(""));
      episodeLines.length = 0;
    }
    summaries.push(outcome.summary);
    curriculum?.record(outcome.summary);
    progress.tick(i + 1);
    // The sim never waits on I/O; without this turn of the event loop SIGINT could not be seen.
    await new Promise((resolve) => setImmediate(resolve));
    if (interrupted) break;
  }
  if (out !== null) {
    process.off("SIGINT", onInterrupt);
    closeSync(out);
  }
  if (interrupted) {
    await target.close?.();
    process.stderr.write(
      `seige play: interrupted; ${values.record} holds the ${summaries.length} episodes completed\n`,
    );
    return 130;
  }
  progress.finish(`target ${target.info.backend}/${target.info.modelId}`);
  await target.close?.();

  const report = summarize(summaries);
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report, red.name, blue.name));
  return 0;
}

function formatReport(r: PlayReport, redName: string, blueName: string): string {
  const ci = (x: [number, number]) => `[${x[0].toFixed(2)}, ${x[1].toFixed(2)}]`;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows: [string, string][] = [
    ["red policy", redName],
    ["  mean return (95% CI)", `${r.red.mean_return.toFixed(2)} ${ci(r.red.return_ci95)}`],
    ["  attack success rate", pct(r.red.attack_success_rate)],
    ["  partial leak rate", pct(r.red.partial_leak_rate)],
    ["blue policy", blueName],
    ["  mean return (95% CI)", `${r.blue.mean_return.toFixed(2)} ${ci(r.blue.return_ci95)}`],
    ["  true-positive rate", pct(r.blue.tp_rate)],
    ["  false-positive rate", pct(r.blue.fp_rate)],
    [
      "  detection latency (ticks)",
      r.blue.detection_latency === null ? "n/a" : r.blue.detection_latency.toFixed(2),
    ],
    ["  utility (benign served)", pct(r.blue.utility)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\nepisodes: ${r.episodes}\n`;
}
