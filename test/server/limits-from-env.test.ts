// `seige serve`'s limits from the environment: with no variable set, the idle
// timeout is the documented 600 s, not 600 ms (the default was returned without
// its seconds-to-milliseconds scale, so every idle WebSocket session was closed
// within a second or two: the web page's Play sessions and training clients).
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, limitsFromEnv } from "../../src/server/index.js";

describe("limitsFromEnv", () => {
  it("defaults to DEFAULT_LIMITS, the idle timeout in milliseconds", () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFromEnv({}).idleTimeoutMs).toBe(600_000);
    expect(limitsFromEnv({ SEIGE_SESSION_IDLE_S: "" }).idleTimeoutMs).toBe(600_000);
  });

  it("reads SEIGE_SESSION_IDLE_S in seconds", () => {
    expect(limitsFromEnv({ SEIGE_SESSION_IDLE_S: "5" }).idleTimeoutMs).toBe(5000);
  });
});
