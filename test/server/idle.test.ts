// Sessions live as long as documented (issue 11, item 1): with SEIGE_SESSION_IDLE_S
// unset the idle timeout is 600 s, and a client that thinks for a few seconds
// (an LLM policy, a person, the Python trainer) keeps its /ws session and its
// HTTP episode. The server runs as `seige serve` does, in a child process with
// the variable removed from its environment, so the default is the one shipped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, limitsFromEnv } from "../../src/server/index.js";
import { type CliProcess, startCli } from "../helpers/cli-process.js";
import { BLUE_MONITOR, http, owner, RawSocket, RED_ACTION, type Wire } from "./helpers.js";

describe("the idle timeout's default", () => {
  it("is 600 s when SEIGE_SESSION_IDLE_S is unset or empty, and seconds when set", () => {
    expect(limitsFromEnv({}).idleTimeoutMs).toBe(600_000);
    expect(limitsFromEnv({ SEIGE_SESSION_IDLE_S: "" }).idleTimeoutMs).toBe(600_000);
    expect(DEFAULT_LIMITS.idleTimeoutMs).toBe(600_000);
    expect(limitsFromEnv({ SEIGE_SESSION_IDLE_S: "5" }).idleTimeoutMs).toBe(5_000);
  });
});

describe("a client that idles for seconds under the default config", () => {
  let server: CliProcess;
  beforeAll(async () => {
    const env = { ...process.env };
    delete env.SEIGE_SESSION_IDLE_S;
    server = await startCli(
      ["serve", "--port", "0"],
      /serving on (http:\/\/[\d.]+:\d+)/,
      30_000,
      env,
    );
  }, 40_000);
  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  it("keeps its /ws session and its HTTP episode after 3 s of silence", async () => {
    const ws = await RawSocket.open(server.url);
    const r0 = await ws.sendJson({ type: "reset", data: { seed: 5 } });
    expect(r0.type).toBe("observation");
    const reset = (await http(server.url, "POST", "/reset", '{"seed":5}')).body as Wire;
    const auth = owner(reset.owner_token);

    await new Promise((r) => setTimeout(r, 3_000)); // both clients think, at once

    const r1 = await ws.sendJson({ type: "step", data: RED_ACTION });
    expect(r1.type).toBe("observation");
    expect(r1.data.observation.current_agent).toBe("blue");
    const r2 = await ws.sendJson({ type: "step", data: BLUE_MONITOR });
    expect(r2.type).toBe("observation");
    expect(ws.closeCode).toBeNull();
    ws.close();

    const body = JSON.stringify({ action: RED_ACTION, episode_id: reset.observation.episode_id });
    const step = await http(server.url, "POST", "/step", body, undefined, auth);
    expect(step.status).toBe(200);
    expect((step.body as Wire).observation.current_agent).toBe("blue");
  }, 20_000);
});
