/**
 * `seige eval`: the cross-play matrix of Red policies against Blue policies on
 * the same seeds (src/rollout/crossplay.ts), printed as text tables, as one JSON
 * object with --json, and as a self-contained HTML heatmap page with --html.
 */
import { writeFileSync } from "node:fs";
import type { Stage } from "../arena/schema.js";
import { crossPlay, formatCrossPlay, parseSeeds, renderCrossPlayHtml } from "../rollout/index.js";
import { createTarget } from "../target/create.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { checkOutputPath } from "./output-path.js";
import { Progress, progressMode } from "./progress.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige eval --red <spec,...> --blue <spec,...> --seeds A..B
                  [--stage K] [--concurrency N] [--json] [--html FILE.html] [--no-tools] [--quiet]
                  [--target BACKEND]

  --red, --blue  comma-separated policy specs: scripted names, scripted:<name>,
                 learned:DIR (a seige train output folder),
                 llm:<url>#<model>[?tools=0&...]
  --seeds        held-out seeds: A..B (inclusive), A,B,C or a mix
  --stage        curriculum stage 1-3 (default 1)
  --concurrency  episodes in flight at once per cell (default 1)
  --json         print one JSON object on stdout instead of the tables
  --html         also write a self-contained heatmap page to FILE
  --no-tools     ask llm: policies for one JSON object instead of function calls
  --quiet        no progress on stderr (with --json, progress is JSON lines)
${targetHelp(17)}`;

const list = (s: string | undefined, flag: string) => {
  const items = (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  if (items.length === 0) throw new CliUsageError(`--${flag} needs at least one policy`);
  return items;
};

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...TARGET_OPTION,
      red: { type: "string" },
      blue: { type: "string" },
      seeds: { type: "string" },
      stage: { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean", default: false },
      html: { type: "string" },
      "no-tools": { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const red = list(values.red, "red");
  const blue = list(values.blue, "blue");
  if (!values.seeds) throw new CliUsageError("--seeds is required (e.g. --seeds 1000..1049)");
  const seeds = parseSeeds(values.seeds);
  const stage = intFlag(values.stage, "stage", 1);
  if (![1, 2, 3].includes(stage)) throw new CliUsageError("--stage must be 1, 2 or 3");
  const concurrency = intFlag(values.concurrency, "concurrency", 1);
  if (concurrency < 1) throw new CliUsageError("--concurrency must be at least 1");

  // Before the run, not after it: a bad path must not cost the whole matrix.
  if (values.html) checkOutputPath(values.html, "html");

  const target = await createTarget({ backend: values.target });
  const progress = new Progress("eval", red.length * blue.length, { mode: progressMode(values) });
  let cells = 0;
  const report = await crossPlay({
    red,
    blue,
    seeds,
    stage: stage as Stage,
    target,
    concurrency,
    llm: values["no-tools"] ? { tools: false } : {},
    onCell: () => progress.tick(++cells),
  });
  progress.finish(`target ${target.info.backend}/${target.info.modelId}`);
  await target.close?.();
  if (values.html) {
    writeFileSync(values.html, renderCrossPlayHtml(report, `seige eval ${argv.join(" ")}`));
    process.stderr.write(`seige eval: heatmap written to ${values.html}\n`);
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatCrossPlay(report));
  return 0;
}
