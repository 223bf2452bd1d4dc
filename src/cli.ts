/**
 * The `seige` command line: one dispatcher over subcommands, each in
 * src/commands/<name>.ts exporting `run(argv): Promise<number>` (the exit code).
 * Subcommands parse their own flags with node's `util.parseArgs`; logs and
 * progress go to stderr so that `--json` output on stdout stays machine-readable.
 */
import { SeigeError } from "./util/errors.js";

type Command = {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
};

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: "serve the environment over the OpenEnv protocol (HTTP, /ws, /mcp)",
    load: () => import("./commands/serve.js"),
  },
  smoke: {
    summary: "smoke-run a server: health, metadata, schema, reset, a Red and a Blue step",
    load: () => import("./commands/smoke.js"),
  },
  play: {
    summary: "run seeded episodes between two policies and print a table",
    load: () => import("./commands/play.js"),
  },
  replay: {
    summary: "re-run a recorded episode (JSONL) and check it reproduces",
    load: () => import("./commands/replay.js"),
  },
  precompute: {
    summary: "compute a model's direction artifact (directions, baselines, intent probes)",
    load: () => import("./commands/precompute.js"),
  },
  rollout: {
    summary: "play one role against an opponent over seeds and write rollout JSONL",
    load: () => import("./commands/rollout.js"),
  },
  eval: {
    summary: "cross-play matrix of Red against Blue policies (table, JSON, HTML heatmap)",
    load: () => import("./commands/eval.js"),
  },
  audit: {
    summary: "hunt for tricks that beat the skilled baselines without skill (GAME.md I1–I8)",
    load: () => import("./commands/audit.js"),
  },
  lens: {
    summary: "the white-box runtime: make-tiny | forward | generate | inspect | serve (OpenAI API)",
    load: () => import("./commands/lens.js"),
  },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    "usage: seige <command> [options]",
    "",
    "commands:",
    ...rows,
    "",
    "`seige <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`seige: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof SeigeError || (e instanceof Error && e.name === "CliUsageError")) {
      process.stderr.write(`seige ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
