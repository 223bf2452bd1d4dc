// `seige audit` end to end on the sim: the quick audit's table has a row for
// every property, policy and opponent it promises, its exit code follows its
// verdicts, a deliberately broken rule (a queue that lists Red first) is caught
// as an I2 failure, and the same settings give the same table.
import { afterEach, describe, expect, it, vi } from "vitest";
import { SCRIPTED_BLUE } from "../../src/agents/index.js";
import type { Action, StepResult } from "../../src/arena/schema.js";
import {
  attackingReds,
  auditSettings,
  DEGENERATE_BLUES,
  exitCode,
  PROPERTIES,
  type Row,
  runAudit,
} from "../../src/audit/index.js";
import { main } from "../../src/cli.js";
import { type EnvResetOptions, SeigeEnv } from "../../src/env/index.js";
import { createTarget } from "../../src/target/index.js";

async function cli(args: string[]): Promise<{ rc: number; stdout: string }> {
  let stdout = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { rc: await main(["audit", ...args]), stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("seige audit --quick", () => {
  // About 15 s of CPU; the generous limit is for a machine shared with other jobs.
  it("plays every property against every scripted opponent and exits by its verdicts", {
    timeout: 300_000,
  }, async () => {
    const { rc, stdout } = await cli(["--quick", "--json"]);
    const report = JSON.parse(stdout) as { rows: Row[]; failed: string[]; episodes: number };
    const rows = report.rows;
    expect(rc).toBe(exitCode(rows));
    expect(rc).toBe(report.failed.length ? 1 : 0);
    expect(new Set(rows.map((r) => r.property))).toEqual(new Set(Object.keys(PROPERTIES)));
    expect(new Set(rows.map((r) => r.stage))).toEqual(new Set([3]));
    for (const r of rows) {
      expect(Number.isFinite(r.value.mean), `${r.property} ${r.policy}`).toBe(true);
      expect(["PASS", "FAIL"]).toContain(r.verdict);
    }
    const has = (property: string, policy: string, opponent: string) =>
      rows.some((r) => r.property === property && r.policy === policy && r.opponent === opponent);
    for (const red of attackingReds()) {
      for (const blue of DEGENERATE_BLUES)
        expect(has("I8", blue, red), `${blue} vs ${red}`).toBe(true);
      for (const trick of ["whitelist", "length", "refusal", "search", "surface-classifier"])
        expect(has("I2", trick, red), `${trick} vs ${red}`).toBe(true);
      expect(has("I1", "farm(probe-threshold)", red)).toBe(true);
      expect(has("I3", "noop-patch(probe-threshold)", red)).toBe(true);
      expect(has("I5", "quit-invalid", red)).toBe(true);
      // The farm of the best cheap detector, whichever family won the fit.
      expect(rows.filter((r) => r.property === "I1" && r.opponent === red).length).toBe(2);
    }
    for (const blue of Object.keys(SCRIPTED_BLUE)) {
      for (const red of ["idle", "random", "mimic(steer)"]) expect(has("I8", red, blue)).toBe(true);
      for (const quit of ["quit-invalid", "quit-burn"]) expect(has("I5", quit, blue)).toBe(true);
      expect(has("I4", "idle", blue)).toBe(true);
    }
    expect(rows.filter((r) => r.property === "I6").map((r) => r.metric)).toEqual([
      "mean score over strategies",
      "2nd-best strategy score",
    ]);
    // Every return row is judged against a bar played on the same seeds.
    for (const r of rows.filter((r) => r.metric === "return")) expect(r.diff!.n).toBe(6);
  });

  it("rejects bad flags with exit code 2", async () => {
    expect((await cli(["--stage", "4"])).rc).toBe(2);
    expect((await cli(["--episodes", "5", "--seeds", "1..5"])).rc).toBe(2);
    expect((await cli(["--seeds", "20000..20005", "--quick"])).rc).toBe(2); // overlaps training
  });
});

/**
 * A deliberately broken rule: Blue's queue lists Red's requests first, so a
 * request's position gives Red away. It reads the arena's hidden state, which
 * is exactly the leak being simulated.
 */
class RedFirstEnv extends SeigeEnv {
  private redFirst(result: StepResult): StepResult {
    const blue = result.observation.blue;
    if (blue) {
      const red = (this.arena as unknown as { s: { redSessions: string[] } }).s.redSessions;
      const rank = (s: string) => (red.includes(s) ? 0 : 1);
      blue.pending.sort((a, b) => rank(a.session_id) - rank(b.session_id));
    }
    return result;
  }
  override async reset(options?: EnvResetOptions) {
    return this.redFirst(await super.reset(options));
  }
  override async step(action: Action) {
    return this.redFirst(await super.step(action));
  }
}

/** The smallest plan that still runs every part: stage 1, 4 held-out seeds, no explanation sweep. */
const tiny = () => ({
  ...auditSettings({ quick: true, stages: [1], episodes: 4, trainSeeds: [20000, 20001] }),
  quantiles: [0.9],
  cemIterations: 1,
  cemPopulation: 2,
  explanationRounds: 0,
});

describe("the audit against a broken rule", () => {
  it("reports a position leak as an I2 failure and exits 1", { timeout: 120_000 }, async () => {
    const report = await runAudit(new RedFirstEnv(await createTarget()), tiny());
    const auc = report.rows.filter((r) => r.policy === "surface-classifier");
    expect(auc.length).toBe(attackingReds().length);
    for (const r of auc) {
      expect(r.verdict).toBe("FAIL");
      expect(r.value.mean).toBeGreaterThan(0.9);
    }
    expect(exitCode(report.rows)).toBe(1);
  });
});

describe("determinism", () => {
  it("the same settings give the same rows", { timeout: 120_000 }, async () => {
    const a = await runAudit(new SeigeEnv(await createTarget()), tiny());
    const b = await runAudit(new SeigeEnv(await createTarget()), tiny());
    expect(b.rows).toEqual(a.rows);
    expect(b.episodes).toBe(a.episodes);
  });
});
