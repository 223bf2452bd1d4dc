/**
 * `seige smoke [--url URL]`: the seed's smoke run against a server: health,
 * metadata, schema, then over /ws a reset, a Red step, a Blue step and the
 * state. Prints one line per check and exits non-zero on the first failure.
 * Without --url it starts a sim-backed server on a free 127.0.0.1 port and
 * stops it afterwards.
 */

import { SeigeHttpClient } from "../client/index.js";
import { connectNode } from "../client/node.js";
import { SeigeEnv } from "../env/index.js";
import { type RunningServer, startServer } from "../server/index.js";
import { createTarget } from "../target/create.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { TARGET_OPTION, targetHelp } from "./target-flag.js";

const HELP = `usage: seige smoke [--url URL] [--seed S] [--timeout-ms MS] [--target BACKEND]

  --url         server to check (default: start one on a free local port, on --target)
  --seed        reset seed (default 0)
  --timeout-ms  per-request timeout (default 10000)
${targetHelp(16)}`;

class SmokeFailure extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new SmokeFailure(what);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      url: { type: "string" },
      ...TARGET_OPTION,
      seed: { type: "string" },
      "timeout-ms": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const seed = intFlag(values.seed, "seed", 0);
  const timeoutMs = intFlag(values["timeout-ms"], "timeout-ms", 10_000);
  if (values.url && values.target)
    throw new CliUsageError(
      "--target picks the target of the server smoke starts; with --url the server has its own",
    );
  let server: RunningServer | null = null;
  let target: Awaited<ReturnType<typeof createTarget>> | null = null;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    let url = values.url;
    if (!url) {
      const t = await createTarget({ backend: values.target });
      target = t;
      server = await startServer({ createEnv: () => new SeigeEnv(t), port: 0 });
      url = server.url;
      say(`started a local server at ${url} (target ${t.info.backend}/${t.info.modelId})`);
    }
    await smoke(url, seed, timeoutMs, say);
    say("smoke: all checks passed");
    return 0;
  } catch (e) {
    process.stderr.write(`smoke: FAILED: ${(e as Error)?.message ?? e}\n`);
    return 1;
  } finally {
    await server?.close();
    await target?.close?.();
  }
}

async function smoke(
  url: string,
  seed: number,
  timeoutMs: number,
  say: (l: string) => void,
): Promise<void> {
  const http = new SeigeHttpClient(url, { timeoutMs });
  const health = await http.health();
  check(health.status === "healthy", `GET /health said ${JSON.stringify(health)}`);
  say(`ok  GET /health      ${JSON.stringify(health)}`);
  const meta = await http.metadata();
  check(
    typeof meta.name === "string" && typeof meta.description === "string",
    "GET /metadata lacks name/description",
  );
  say(`ok  GET /metadata    name=${meta.name} version=${meta.version}`);
  const schema = await http.schema();
  for (const k of ["action", "observation", "state"] as const)
    check(typeof schema[k] === "object", `GET /schema lacks ${k}`);
  say(`ok  GET /schema      action, observation, state (${Object.keys(schema).join(", ")})`);

  const client = await connectNode(url, { timeoutMs });
  try {
    const reset = await client.reset({ seed });
    const obs = reset.observation;
    check(
      obs.current_agent === "red" && !!obs.red && !reset.done,
      `reset: expected Red to act first, got ${obs.current_agent}`,
    );
    say(
      `ok  WS reset         episode ${obs.episode_id}, task ${obs.red!.task.name}, Red sessions ${obs.red!.sessions.map((s) => s.session_id).join(",")}`,
    );

    const red = await client.step({
      agent_type: "red",
      strategy: "persona_manipulation",
      payload: "Hi! What can you help me with today?",
    });
    check(red.observation.error === null, `Red step was invalid: ${red.observation.error}`);
    check(
      red.observation.current_agent === "blue" && !!red.observation.blue,
      `after Red, expected Blue to act, got ${red.observation.current_agent}`,
    );
    say(
      `ok  WS step (Red)    reward ${red.reward}; Blue sees ${red.observation.blue!.pending.length} pending request(s)`,
    );

    const blue = await client.step({ agent_type: "blue", action_type: "monitor" });
    check(blue.observation.error === null, `Blue step was invalid: ${blue.observation.error}`);
    check(typeof blue.reward === "number", "Blue step reward is not a number");
    say(
      `ok  WS step (Blue)   reward ${blue.reward}; next ${blue.observation.current_agent}, done=${blue.done}`,
    );

    const state = await client.state();
    check(
      state.episode_id === obs.episode_id && state.step_count === 2,
      `state: ${JSON.stringify(state)}`,
    );
    say(`ok  WS state         ${JSON.stringify(state)}`);
  } finally {
    await client.close();
  }
}
