/**
 * `seige rollout`: episodes of one policy in one role against a built-in
 * opponent, written as rollout JSONL (docs/rollouts.md), G episodes per seed.
 * The person running the command names the opponent, so unlike a server it may
 * call the opponent's own `llm:` endpoint and read `replay:` files relative to
 * SEIGE_REPLAY_DIR (default: the current folder).
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { fallbacks, type LlmStats } from "../agents/llm/index.js";
import type { Role, Stage } from "../arena/schema.js";
import { opponentConfigFromEnv } from "../env/index.js";
import { parseSeeds, rolloutJsonSchema, runRollouts } from "../rollout/index.js";
import { createTarget } from "../target/create.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { checkOutputPath } from "./output-path.js";
import { Progress } from "./progress.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige rollout --role red|blue --policy <spec> --opponent <spec> --seeds A..B
                     [--group-size G] [--out FILE.jsonl] [--stage K] [--concurrency N]
                     [--max-ticks T] [--run-id ID] [--no-tools] [--format rollout|sft]
                     [--min-return R] [--target BACKEND]
       seige rollout --schema      (print the JSON Schema of one rollout line)

  --role         the role the policy plays (the opponent plays the other)
  --policy       scripted name, scripted:<name>, or llm:<url>#<model>[?tools=0&temperature=..]
  --opponent     scripted:<name> | replay:<file.jsonl> | llm:<url>#<model>
  --seeds        A..B (inclusive), A,B,C or a mix such as 0..9,100
  --group-size   episodes per seed (a GRPO group shares its seed; default 1)
  --out          rollout JSONL file (default stdout)
  --stage        curriculum stage 1-3 (default 1)
  --max-ticks    episode length in ticks (default the stage's)
  --concurrency  episodes in flight at once (default 1; raise it for llm: policies)
  --run-id       run id written on every line (default a random UUID)
  --no-tools     ask llm: policies for one JSON object instead of function calls
  --quiet        no progress on stderr
  --format       rollout (default) or sft: one TRL SFTTrainer chat example per decision
                 (messages with the tool call, tools), for training/sft_warmstart.py
  --min-return   with --format sft, keep only episodes whose return is at least R
${targetHelp(17)}
Schema: docs/rollouts.md.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...TARGET_OPTION,
      role: { type: "string" },
      policy: { type: "string" },
      opponent: { type: "string" },
      seeds: { type: "string" },
      "group-size": { type: "string" },
      out: { type: "string" },
      stage: { type: "string" },
      concurrency: { type: "string" },
      "max-ticks": { type: "string" },
      "run-id": { type: "string" },
      "no-tools": { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      format: { type: "string", default: "rollout" },
      "min-return": { type: "string" },
      schema: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.schema) {
    process.stdout.write(`${JSON.stringify(rolloutJsonSchema(), null, 2)}\n`);
    return 0;
  }
  const role = values.role as Role;
  if (role !== "red" && role !== "blue") throw new CliUsageError("--role must be red or blue");
  if (!values.policy) throw new CliUsageError("--policy is required");
  if (!values.opponent) throw new CliUsageError("--opponent is required");
  if (!values.seeds) throw new CliUsageError("--seeds is required (e.g. --seeds 0..99)");
  const stage = intFlag(values.stage, "stage", 1);
  if (![1, 2, 3].includes(stage)) throw new CliUsageError("--stage must be 1, 2 or 3");
  const groupSize = intFlag(values["group-size"], "group-size", 1);
  const concurrency = intFlag(values.concurrency, "concurrency", 1);
  if (groupSize < 1) throw new CliUsageError("--group-size must be at least 1");
  if (concurrency < 1) throw new CliUsageError("--concurrency must be at least 1");
  const seeds = parseSeeds(values.seeds);
  const maxTicks =
    values["max-ticks"] === undefined ? undefined : intFlag(values["max-ticks"], "max-ticks", 0);

  const base = opponentConfigFromEnv({ SEIGE_REPLAY_DIR: ".", ...process.env });
  const allow = [...base.llmAllowlist];
  if (values.opponent.startsWith("llm:")) {
    const url = values.opponent.slice(4).split("#")[0] ?? "";
    try {
      allow.push(new URL(url).origin);
    } catch {
      // parsed (and reported) properly by the opponent itself
    }
  }

  if (values.out) checkOutputPath(values.out, "out");
  if (values.format !== "rollout" && values.format !== "sft")
    throw new CliUsageError("--format must be rollout or sft");
  const minReturn = values["min-return"] === undefined ? undefined : Number(values["min-return"]);
  if (minReturn !== undefined && !Number.isFinite(minReturn))
    throw new CliUsageError("--min-return expects a number");

  const target = await createTarget({ backend: values.target });
  const out = values.out ? createWriteStream(values.out) : null;
  const write = (text: string) =>
    out
      ? new Promise<void>((r) => (out.write(text) ? r() : out.once("drain", r)))
      : process.stdout.write(text);
  const finish = async () => {
    if (out)
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    await target.close?.();
    return 0;
  };
  if (values.format === "sft") {
    const { exportSft } = await import("./rollout-sft.js");
    await exportSft({
      role,
      policy: values.policy,
      opponent: values.opponent,
      seeds,
      stage: stage as Stage,
      ...(maxTicks !== undefined ? { maxTicks } : {}),
      ...(minReturn !== undefined ? { minReturn } : {}),
      target,
      opponents: { ...base, llmAllowlist: allow },
      write,
    });
    return finish();
  }
  const total = seeds.length * groupSize;
  const progress = new Progress(`rollout ${role} ${values.policy} vs ${values.opponent}`, total, {
    mode: values.quiet ? "quiet" : "auto",
  });
  let n = 0;
  let returns = 0;
  let fell = 0;
  const lines = await runRollouts({
    role,
    policy: values.policy,
    opponent: values.opponent,
    seeds,
    groupSize,
    stage: stage as Stage,
    ...(maxTicks !== undefined ? { maxTicks } : {}),
    runId: values["run-id"] ?? randomUUID(),
    target,
    concurrency,
    opponents: { ...base, llmAllowlist: allow },
    llm: values["no-tools"] ? { tools: false } : {},
    onLine: async (line) => {
      await write(`${JSON.stringify(line)}\n`);
      n++;
      returns += line.return;
      fell += line.policy_stats ? fallbacks(line.policy_stats as LlmStats) : 0;
      progress.tick(n);
    },
  });
  progress.finish(`mean return ${(returns / Math.max(1, n)).toFixed(3)}`);
  if (fell > 0) {
    const last = lines
      .map((l) => l.policy_stats?.last_problem)
      .filter(Boolean)
      .at(-1);
    process.stderr.write(
      `seige rollout: ${fell} policy replies were malformed or failed and were replaced by the safe default (latest: ${last})\n`,
    );
  }
  return finish();
}
