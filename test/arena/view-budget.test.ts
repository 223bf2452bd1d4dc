// The view size budget (docs/game.md, "Views"; issue 16): lists that grow with an
// episode show their latest VIEW_BUDGET entries, in order, and Blue's log rows are
// built incrementally without losing or reordering any; a long, wide episode's
// observations stay within the budget.
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/agents/index.js";
import { resolveConfig } from "../../src/arena/config.js";
import { newEpisode } from "../../src/arena/episode.js";
import { blueView, redView, VIEW_BUDGET } from "../../src/arena/views.js";
import { playEpisode, SeigeEnv } from "../../src/env/index.js";
import { SimTarget } from "../../src/target/sim/sim-target.js";

const target = new SimTarget();

function stateWithLogs(ticks: number, perTick: number) {
  const s = newEpisode(resolveConfig({}, { seed: 5, max_ticks: 200 }), target.info);
  for (let t = 0; t < ticks; t++)
    for (let k = 0; k < perTick; k++)
      s.logs.push({
        tick: t,
        session_id: `s${k}`,
        request: `request ${t}.${k}`,
        response: `reply ${t}.${k}`,
        sampled: (t + k) % 3 !== 0,
      });
  return s;
}

/** What Blue may see, computed directly: sampled rows old enough, oldest first. */
const expected = (s: ReturnType<typeof stateWithLogs>) =>
  s.logs
    .filter((l) => l.sampled && s.tick - l.tick >= s.config.latency_ticks)
    .map(({ sampled: _s, ...row }) => row);

describe("view size budget", () => {
  it("Blue sees the latest budgeted log rows, built incrementally, in order", () => {
    const s = stateWithLogs(10, 4);
    s.tick = 3;
    const early = blueView(s, target.info).logs;
    expect(early).toEqual(expected(s)); // under budget: every visible row
    s.tick = 10;
    for (let t = 10; t < 110; t++) {
      s.tick = t;
      for (let k = 0; k < 4; k++)
        s.logs.push({
          tick: t,
          session_id: `s${k}`,
          request: `q${t}.${k}`,
          response: `r${t}.${k}`,
          sampled: k !== 2,
        });
      const all = expected(s);
      const shown = blueView(s, target.info).logs;
      expect(shown).toEqual(all.slice(-VIEW_BUDGET.logs));
    }
    expect(expected(s).length).toBeGreaterThan(VIEW_BUDGET.logs); // the budget was reached
    // Fresh arrays each time: editing one view's list never reaches the next.
    const a = blueView(s, target.info).logs;
    a.length = 0;
    expect(blueView(s, target.info).logs).toHaveLength(VIEW_BUDGET.logs);
  });

  it("alerts, transcripts and strategy history show their latest entries", () => {
    const s = stateWithLogs(0, 0);
    for (let i = 0; i < 150; i++) {
      s.alerts.push({ tick: i, session_id: "s0", action: "flag", explanation: null });
      s.strategyHistory.push({ tick: i, strategy: "persona_manipulation", session_id: "s0" });
    }
    const red = s.sessions.find((x) => x.red)!;
    for (let i = 0; i < 150; i++) red.transcript.push({ tick: i, role: "user", text: `t${i}` });
    const b = blueView(s, target.info);
    expect(b.alerts.map((x) => x.tick)).toEqual(
      Array.from({ length: VIEW_BUDGET.alerts }, (_, i) => 150 - VIEW_BUDGET.alerts + i),
    );
    const r = redView(s, target.info);
    expect(r.strategy_history.at(0)?.tick).toBe(150 - VIEW_BUDGET.strategyHistory);
    expect(r.strategy_history.at(-1)?.tick).toBe(149);
    const mine = r.sessions.find((x) => x.session_id === red.id)!.transcript;
    expect(mine).toHaveLength(VIEW_BUDGET.transcript);
    expect(mine.at(-1)?.text).toBe("t149");
  });

  it("a long, wide episode's observations stay within the budget", async () => {
    const env = new SeigeEnv(target);
    let maxLogs = 0;
    let maxAlerts = 0;
    let maxBytes = 0;
    env.setHooks({
      onTransition: (t) => {
        const b = t.result.observation.blue;
        if (b) {
          maxLogs = Math.max(maxLogs, b.logs.length);
          maxAlerts = Math.max(maxAlerts, b.alerts.length);
        }
        maxBytes = Math.max(maxBytes, JSON.stringify(t.result.observation).length);
      },
    });
    const { summary } = await playEpisode(
      env,
      resolvePolicy("red", "random"),
      resolvePolicy("blue", "flag-all"),
      { seed: 3, stage: 3, max_ticks: 40, num_sessions: 16 },
    );
    expect(summary.ticks).toBeGreaterThan(12);
    expect(maxLogs).toBe(VIEW_BUDGET.logs); // reached, never passed
    expect(maxAlerts).toBeLessThanOrEqual(VIEW_BUDGET.alerts);
    // ~76 KB at the log budget; showing every row would be several times that by tick 40.
    expect(maxBytes).toBeLessThan(100_000);
  });
});
