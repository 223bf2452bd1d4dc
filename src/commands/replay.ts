/**
 * `seige replay FILE.jsonl`: re-runs every recorded episode on a target and checks
 * that each line reproduces byte for byte. The target is `--target`, else
 * SEIGE_TARGET_BACKEND, else the recording's own when that needs no configuration
 * (the sim, the organism), else the sim. Exit 0 when it does, 1 when not, naming the first differing line
 * and, inside it, the first differing JSON path with both values there.
 */
import { readFile } from "node:fs/promises";
import { parseRecording, replayEpisodes } from "../env/index.js";
import { backendOfRecording, createTarget } from "../target/create.js";
import { firstTextDifference, showValue } from "../util/json-diff.js";
import { CliUsageError, parseFlags } from "./args.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      ...TARGET_OPTION,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      `usage: seige replay FILE.jsonl [--json] [--target BACKEND]\n\n  --json    print the report as one JSON object\n${targetHelp(12, "the recording's\n            target when it is the sim or the organism, else sim")}\n`,
    );
    return 0;
  }
  if (positionals.length !== 1)
    throw new CliUsageError("give exactly one recording file (see seige replay --help)");
  let text: string;
  try {
    text = await readFile(positionals[0], "utf8");
  } catch (e) {
    throw new CliUsageError(
      `cannot read ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const recorded = parseRecording(text)[0]?.line;
  const backend =
    values.target ??
    process.env.SEIGE_TARGET_BACKEND ??
    (recorded?.type === "reset" && recorded.target
      ? backendOfRecording(recorded.target)
      : undefined);
  const target = await createTarget({ backend });
  const report = await replayEpisodes(target, text);
  await target.close?.();
  const d = report.mismatch
    ? firstTextDifference(report.mismatch.expected, report.mismatch.actual)
    : null;
  if (values.json)
    // `difference`: the first differing path and both values (absent ones as null).
    process.stdout.write(
      `${JSON.stringify(d ? { ...report, difference: { path: d.path, expected: d.expected ?? null, actual: d.actual ?? null } } : report)}\n`,
    );
  else if (report.ok)
    process.stdout.write(
      `replay ok: ${report.episodes} episode(s), ${report.steps} client step(s) reproduced exactly\n`,
    );
  else {
    const m = report.mismatch!;
    process.stdout.write(
      d
        ? `replay MISMATCH at line ${m.line}, first difference at ${d.path}\n` +
            `  recorded: ${showValue(d.expected)}\n  replayed: ${showValue(d.actual)}\n`
        : // Equal as JSON but not byte for byte (key order, number formatting).
          `replay MISMATCH at line ${m.line}: the same JSON, written differently\n` +
            `  recorded: ${m.expected.slice(0, 400)}\n  replayed: ${m.actual.slice(0, 400)}\n`,
    );
  }
  return report.ok ? 0 : 1;
}
