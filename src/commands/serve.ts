/**
 * `seige serve`: the OpenEnv-compatible server (docs/server.md). Host 127.0.0.1
 * (this machine only; containers pass `--host 0.0.0.0`) and port 8000 by default (PORT or --port override), the target from
 * SEIGE_TARGET_BACKEND (default sim), limits from SEIGE_* variables. One target
 * is shared by every session; each session gets its own SeigeEnv. Runs until
 * SIGINT/SIGTERM, then closes every session and exits 0.
 */
import { opponentConfigFromEnv, SeigeEnv } from "../env/index.js";
import {
  allowedHostsFromEnv,
  allowedOriginsFromEnv,
  limitsFromEnv,
  startServer,
} from "../server/index.js";
import { createTarget } from "../target/create.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { stopSignal } from "./stop-signal.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige serve [--host HOST] [--port PORT] [--target BACKEND]

  --host    interface to bind (default 127.0.0.1, this machine only; 0.0.0.0 in containers)
  --port    port (default $PORT, else 8000)
${targetHelp(12)}
Environment: SEIGE_TARGET_BACKEND (sim | lens | organism | openai; default sim) with SEIGE_TARGET_MODEL,
SEIGE_DIRECTIONS, SEIGE_TARGET_URL, SEIGE_TARGET_API_KEY; SEIGE_REPLAY_DIR and
SEIGE_LLM_ALLOWLIST for replay:/llm: opponents; SEIGE_LEARNED_DIR (./runs) for
learned: opponents, also served read-only under /runs for the web Training tab; SEIGE_MAX_SESSIONS (64),
SEIGE_MAX_HTTP_EPISODES (256), SEIGE_SESSION_IDLE_S (600), SEIGE_MAX_FRAME_BYTES and
SEIGE_MAX_BODY_BYTES (1048576); SEIGE_ALLOWED_ORIGINS (browser origins allowed besides
the server's own /web page; none by default); SEIGE_ALLOWED_HOSTS (Host names answered
besides localhost, 127.x, [::1] when bound to loopback; none by default). Protocol and security model: docs/server.md.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string" },
      ...TARGET_OPTION,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const port = intFlag(values.port ?? process.env.PORT, "port", 8000);
  if (port < 0 || port > 65535) throw new CliUsageError(`--port must be in 0..65535, got ${port}`);
  const limits = limitsFromEnv();
  const allowedOrigins = allowedOriginsFromEnv();
  const allowedHosts = allowedHostsFromEnv();
  // Read the opponent limits once, now: a bad SEIGE_LLM_ALLOWLIST is a start-up
  // error with its own message, not a failure of every session later.
  const opponents = opponentConfigFromEnv();
  const target = await createTarget({ backend: values.target });
  const server = await startServer({
    createEnv: () => new SeigeEnv(target, {}, opponents),
    host: values.host,
    port,
    limits,
    allowedOrigins,
    allowedHosts,
    // the folder learned: opponents are read from, also served read-only under /runs
    runsRoot: process.env.SEIGE_LEARNED_DIR || "./runs",
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const stopped = stopSignal(); // before the line that says it is up
  process.stderr.write(
    `seige serving on http://${values.host}:${server.port} (target ${target.info.backend}/${target.info.modelId}, ` +
      `max ${limits.maxSessions} sessions); docs at ${server.url}/docs, web arena at ${server.url}/web/\n`,
  );
  await stopped;
  process.stderr.write("seige: shutting down\n");
  await server.close();
  await target.close?.();
  return 0;
}
