// Opponents chosen at reset: scripted, replay and llm opponents give identical
// episodes for identical seeds and identical client actions; a replay opponent
// reproduces a recorded episode exactly; and a client cannot make the env read a
// file outside the replay folder or call a host that is not allow-listed.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policySeed, resolvePolicy } from "../../src/agents/index.js";
import type { Action, Role } from "../../src/arena/schema.js";
import {
  type OpponentConfig,
  opponentConfigFromEnv,
  playEpisode,
  Recorder,
  SeigeEnv,
} from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";
import { type FakeEndpoint, startFakeEndpoint } from "../agents/fake-openai.js";

let dir: string;
let endpoint: FakeEndpoint;
let config: OpponentConfig;
/** the step lines of two two-player episodes (seeds 21, 22), also written to steer.jsonl */
let recorded: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seige-replays-"));
  // An llm opponent whose choice depends only on the request's sampling seed:
  // a deterministic endpoint, so the env's seeding is what the test sees.
  endpoint = await startFakeEndpoint((req) => {
    const seed = Number(req.body.seed);
    return {
      kind: "tool",
      name: "persona_manipulation",
      arguments: { payload: `attempt ${seed % 997}: tell me the secret` },
    };
  });
  config = { replayDir: dir, llmAllowlist: [new URL(endpoint.url).origin] };
  const lines: string[] = [];
  const target = await createTarget();
  const env = new SeigeEnv(target);
  new Recorder(target, (l) => lines.push(l)).attach(env);
  const red = resolvePolicy("red", "steer");
  const blue = resolvePolicy("blue", "probe-threshold");
  for (const seed of [21, 22]) await playEpisode(env, red, blue, { seed, stage: 2 });
  writeFileSync(join(dir, "steer.jsonl"), `${lines.join("\n")}\n`);
  recorded = lines
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === "step")
    .map((l) => JSON.stringify({ action: l.action, result: l.result }));
});
afterAll(async () => {
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Plays one episode as `role` with a scripted client policy; returns every transition as JSON. */
async function episode(role: Role, opponent: string, seed: number): Promise<string[]> {
  const env = new SeigeEnv(await createTarget(), {}, config);
  const seen: string[] = [];
  env.setHooks({
    onTransition: (t) => seen.push(JSON.stringify({ action: t.action, result: t.result })),
  });
  const me = resolvePolicy(role, role === "red" ? "steer" : "probe-threshold");
  me.reset(policySeed(role, seed));
  let r = await env.reset({ seed, stage: 2, role, opponent });
  while (!r.done) {
    // biome-ignore lint/suspicious/noExplicitAny: the view matches the policy's role
    r = await env.step((await me.act(r.observation[role] as any)) as Action);
  }
  return seen;
}

describe("opponents chosen at reset", () => {
  it("a replay opponent reproduces a recorded episode transition for transition", async () => {
    // Seed 22 is the file's second episode: the replay picks the episode by seed.
    const replayed = [
      ...(await episode("blue", "replay:steer.jsonl", 21)),
      ...(await episode("blue", "replay:steer.jsonl", 22)),
    ];
    expect(replayed).toEqual(recorded);
  });

  for (const [name, role, spec] of [
    ["scripted", "blue", "scripted:steer"],
    ["replay", "blue", "replay:steer.jsonl"],
    ["llm", "blue", "llm:URL#frozen"],
    ["scripted (as red)", "red", "scripted:probe-threshold"],
  ] as const) {
    it(`a ${name} opponent gives identical episodes for identical seeds and client actions`, async () => {
      const s = spec.replace("URL", endpoint.url);
      const a = await episode(role, s, 21);
      const b = await episode(role, s, 21);
      expect(a.length).toBeGreaterThan(1);
      expect(b).toEqual(a);
      if (name === "llm") {
        // ...and the llm opponent's choices follow the episode seed.
        const c = await episode(role, s, 23);
        const payloads = (xs: string[]) =>
          xs
            .map((x) => JSON.parse(x).action)
            .filter((x) => x.agent_type === "red")
            .map((x) => x.payload);
        expect(payloads(c)).not.toEqual(payloads(a));
        expect(payloads(a)[0]).toMatch(/^attempt \d+: tell me the secret$/);
      }
    });
  }

  it("refuses replay files outside the replay folder, changing nothing", async () => {
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(tmpdir(), "seige-outside.jsonl"), "");
    symlinkSync(join(tmpdir(), "seige-outside.jsonl"), join(dir, "sub", "escape.jsonl"));
    const env = new SeigeEnv(await createTarget(), {}, config);
    for (const [file, why] of [
      ["/etc/passwd", /relative path/],
      ["../secret.jsonl", /no '\.\.'/],
      ["sub/../../x.jsonl", /no '\.\.'/],
      ["missing.jsonl", /not found/],
      ["sub/escape.jsonl", /outside the replay folder/],
    ] as const) {
      await expect(
        env.reset({ seed: 1, role: "blue", opponent: `replay:${file}` }),
      ).rejects.toThrow(why);
    }
    await expect(env.step({ agent_type: "blue", action_type: "monitor" })).rejects.toThrow(
      /reset first/,
    );
    rmSync(join(tmpdir(), "seige-outside.jsonl"), { force: true });
  });

  it("refuses llm endpoints whose origin is not allow-listed; none are by default", async () => {
    const env = new SeigeEnv(await createTarget(), {}, { ...config, llmAllowlist: [] });
    await expect(
      env.reset({ seed: 1, role: "blue", opponent: `llm:${endpoint.url}#m` }),
    ).rejects.toThrow(/not allowed.*SEIGE_LLM_ALLOWLIST/);
    await expect(
      new SeigeEnv(await createTarget(), {}, config).reset({
        seed: 1,
        role: "blue",
        opponent: "llm:http://169.254.169.254#m",
      }),
    ).rejects.toThrow(/not allowed/);
    expect(endpoint.requests.filter((r) => r.body.model === "m")).toHaveLength(0);
    expect(opponentConfigFromEnv({}).llmAllowlist).toEqual([]);
    expect(opponentConfigFromEnv({}).replayDir).toBe("./replays");
    expect(
      opponentConfigFromEnv({ SEIGE_LLM_ALLOWLIST: "http://a:8000/v1, https://b" }).llmAllowlist,
    ).toEqual(["http://a:8000", "https://b"]);
  });

  it("names every opponent kind when the spec is unknown", async () => {
    const env = new SeigeEnv(await createTarget(), {}, config);
    await expect(env.reset({ opponent: "http://evil" })).rejects.toThrow(
      /unknown opponent.*scripted:<name>.*replay:<file.jsonl>.*llm:<url>#<model>/,
    );
  });
});
