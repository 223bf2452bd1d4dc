// GAME.md I7 (seeds stay with the driver): episode ids are random, not made from
// the seed; Red's choices never change benign traffic (each session draws from its
// own stream per tick).
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { TwoPlayerEpisode } from "../../src/agents/two-player.js";
import { Arena } from "../../src/arena/arena.js";
import type { Stage } from "../../src/arena/schema.js";
import { SimTarget } from "../../src/target/index.js";
import { sharedEnv } from "./helpers.js";

describe("I7 seeds stay with the driver", () => {
  it("gives a fresh random episode_id on every reset, holding no seed", () => {
    const arena = new Arena(new SimTarget());
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      arena.reset({ seed: 7700, stage: 2 });
      const id = arena.state().episode_id;
      expect(id).not.toMatch(/7700/);
      ids.add(id);
    }
    expect(ids.size).toBe(20);
  });

  it("shows Blue the same benign traffic whatever Red does (stage 3, five Reds)", async () => {
    const env = await sharedEnv();
    for (const seed of [7710, 7711, 7712]) {
      const stage: Stage = 3;
      const traces: string[] = [];
      let redSessions: string[] = [];
      for (const red of ["idle", "random", "text", "steer", "idle"]) {
        const episode = new TwoPlayerEpisode(
          resolvePolicy("red", red),
          resolvePolicy("blue", "allow-all"),
          seed,
        );
        let r = await env.reset({ seed, stage, opponent: "none" });
        const seen: string[] = [];
        while (!r.done) {
          const b = r.observation.blue;
          if (b)
            for (const p of b.pending)
              if (!redSessions.includes(p.session_id) || redSessions.length === 0)
                seen.push(`${b.tick}/${p.session_id}/${p.request}`);
          r = await env.step(await episode.act(r));
        }
        redSessions = env.summary()!.red_sessions;
        traces.push(
          seen
            .filter((x) => !redSessions.includes(x.split("/")[1]))
            .sort()
            .join("\n"),
        );
      }
      // Episodes end at different ticks (a leak ends them): compare the common ticks.
      const ticks = (t: string) => new Set(t.split("\n").map((x) => x.split("/")[0]));
      const common = [...ticks(traces[0])].filter((k) => traces.every((t) => ticks(t).has(k)));
      const cut = (t: string) =>
        t
          .split("\n")
          .filter((x) => common.includes(x.split("/")[0]))
          .join("\n");
      for (const t of traces.slice(1)) expect(cut(t)).toBe(cut(traces[0]));
    }
  });
});
