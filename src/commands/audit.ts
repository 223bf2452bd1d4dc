/**
 * `seige audit`: the adversary of GAME.md §1.2 — cheap policies fitted on
 * training seeds and a black-box search, played on held-out seeds against every
 * scripted opponent and judged property by property (src/audit). Prints the
 * table (or one JSON object with --json) and exits 1 when a property fails.
 * Progress goes to stderr.
 */
import type { Stage } from "../arena/schema.js";
import {
  auditSettings,
  exitCode,
  failedProperties,
  formatTable,
  runAudit,
} from "../audit/index.js";
import { SeigeEnv } from "../env/index.js";
import { parseSeeds } from "../rollout/index.js";
import { createTarget } from "../target/create.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { formatDuration, Progress, progressMode } from "./progress.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige audit [--quick] [--stage K[,K...]] [--episodes N | --seeds A..B]
                   [--train-seeds A..B] [--json] [--target BACKEND]

  --quick        the test suite's size: stage 3 only (unless --stage), 6 held-out and 4
                 training seeds, a short search; finds gross failures, not small margins
  --stage        stages to audit (default 1,2,3; with --quick, 3)
  --episodes     held-out episodes per cell (default 60), seeds 30000...
  --seeds        held-out seeds instead: A..B, A,B,C or a mix
  --train-seeds  seeds the cheap policies are fitted on (default 20000..20011; quick 20000..20003)
  --json         print one JSON object on stdout instead of the table (progress on
                 stderr as JSON lines)
  --quiet        no progress on stderr
${targetHelp(17)}
Exit code 1 when a property fails.`;

function parseStages(text: string): Stage[] {
  const stages = text.split(",").map((s) => Number(s.trim()));
  if (stages.some((s) => ![1, 2, 3].includes(s)))
    throw new CliUsageError(`--stage expects stages 1, 2 or 3 (e.g. 2 or 1,3), got '${text}'`);
  return [...new Set(stages)].sort() as Stage[];
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...TARGET_OPTION,
      quick: { type: "boolean", default: false },
      stage: { type: "string" },
      episodes: { type: "string" },
      seeds: { type: "string" },
      "train-seeds": { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.episodes !== undefined && values.seeds !== undefined)
    throw new CliUsageError("give --episodes or --seeds, not both");
  const episodes =
    values.episodes === undefined ? undefined : intFlag(values.episodes, "episodes", 0);
  if (episodes !== undefined && episodes < 2)
    throw new CliUsageError("--episodes must be at least 2");
  const settings = auditSettings({
    quick: values.quick,
    stages: values.stage ? parseStages(values.stage) : values.quick ? [3] : undefined,
    episodes,
    seeds: values.seeds ? parseSeeds(values.seeds) : undefined,
    trainSeeds: values["train-seeds"] ? parseSeeds(values["train-seeds"]) : undefined,
  });

  const target = await createTarget({ backend: values.target });
  const started = performance.now();
  const elapsed = () => formatDuration((performance.now() - started) / 1000);
  // The search adapts, so the number of episodes is not known ahead: a count and the
  // time per episode (an organism episode takes seconds; phases run for minutes).
  const progress = new Progress("audit episodes", null, { mode: progressMode(values) });
  let phase = "";
  const report = await runAudit(new SeigeEnv(target), settings, {
    log: (m) => {
      phase = m;
      progress.print(`audit [${elapsed()}] ${m}`);
    },
    onEpisode: (n) => progress.tick(n, phase),
  });
  progress.finish(`on ${target.info.backend}/${target.info.modelId}`);
  await target.close?.();
  const failed = failedProperties(report.rows);
  if (values.json) {
    const out = {
      target: `${target.info.backend}/${target.info.modelId}`,
      settings,
      episodes: report.episodes,
      failed,
      rows: report.rows,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else process.stdout.write(formatTable(report.rows));
  return exitCode(report.rows);
}
