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
  train: {
    summary: "train a role's policy in process (policy gradient) and report curves and cross-play",
    load: () => import("./commands/train.js"),
  },
  audit: {
    summary: "hunt for tricks that beat the skilled baselines without skill (GAME.md I1–I8)",
    load: () => import("./commands/audit.js"),
  },
  organism: {
    summary:
      "measure the model organism's behaviour table (refusal, leaks under steering, fluency)",
    load: () => import("./commands/organism.js"),
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
    const { message, code } = describeError(e);
    process.stderr.write(`seige ${name}: ${message}\n`);
    return code;
  }
}

/**
 * What the user sees for an error that reached the top: never a raw stack for
 * a usage error, a bad configuration or an environment problem (a taken port,
 * a missing file); a stack only with SEIGE_DEBUG=1, or as part of a short bug
 * report for an error nobody anticipated. Exit code 2 for usage and configuration
 * errors, 1 otherwise.
 */
export function describeError(e: unknown): { message: string; code: number } {
  if (e instanceof Error && e.name === "CliUsageError") return { message: e.message, code: 2 };
  if (e instanceof SeigeError)
    // Bad input and bad configuration (a missing artifact, a bad variable) are the
    // user's to fix, like a bad flag: exit 2. Anything else the env raised: 1.
    return {
      message: e.message,
      code: e.code === "validation_error" || e.code === "config_error" ? 2 : 1,
    };
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  const debug = process.env.SEIGE_DEBUG === "1" && err?.stack ? `\n${err.stack}` : "";
  switch (err?.code) {
    case "EADDRINUSE":
      return {
        message:
          `port ${err.port ?? "?"} is already in use on ${err.address ?? "this host"} ` +
          `(another seige serve?). Stop that process, or choose a free port with --port N (or PORT=N; 0 picks one).${debug}`,
        code: 1,
      };
    case "EACCES":
    case "EPERM":
      return {
        message: `permission denied${err.port !== undefined ? ` for port ${err.port} (ports below 1024 need privileges; try --port 8000)` : err.path ? `: ${err.path}` : ""}.${debug}`,
        code: 1,
      };
    case "ENOENT":
    case "ENOTDIR":
    case "EISDIR":
      return { message: `${err.message}${debug}`, code: 1 };
  }
  const text = e instanceof Error ? e.message : String(e);
  return {
    message:
      `unexpected error: ${text}` +
      (debug ||
        "\n(this is probably a bug: rerun with SEIGE_DEBUG=1 for the stack, and report it)"),
    code: 1,
  };
}
