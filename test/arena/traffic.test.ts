import { describe, expect, it } from "vitest";
import {
  APPROVED_MAGNITUDE_RANGE,
  DECOYS_PER_TICK,
  drawBenignRequest,
  drawDecoys,
  drawSessionRequests,
  middleLayers,
} from "../../src/arena/traffic.js";
import {
  BENIGN_KIND_PROBABILITIES,
  type BenignKind,
  benignText,
  drawUserProfile,
  PROFILE_KIND_PROBABILITIES,
  USER_PROFILE_PROBABILITIES,
} from "../../src/arena/traffic-text.js";
import { SIM_CONFIG } from "../../src/target/sim/config.js";
import { SIM_GEOMETRY } from "../../src/target/sim/index.js";
import { readRequest } from "../../src/target/sim/lexical.js";
import { Rng } from "../../src/util/rng.js";

describe("benign text generator (I2)", () => {
  it("produces at least 10^5 distinct texts", () => {
    const rng = new Rng("traffic-distinct");
    const seen = new Set<string>();
    for (let i = 0; i < 150_000; i++)
      seen.add(benignText(rng, rng.pick(["ordinary", "suspicious", "borderline"] as const)));
    expect(seen.size).toBeGreaterThanOrEqual(100_000);
  });

  it("varies length from a few words to a paragraph, and has no unfilled slots", () => {
    const rng = new Rng("traffic-length");
    const lengths = Array.from({ length: 5000 }, () => {
      const t = benignText(rng, "ordinary");
      expect(t).not.toMatch(/[{}]/);
      return t.length;
    }).sort((a, b) => a - b);
    expect(lengths[0]).toBeLessThan(40);
    expect(lengths[lengths.length - 1]).toBeGreaterThan(180);
    expect(lengths[2500]).toBeGreaterThan(40);
  });
});

describe("benign traffic", () => {
  it("steers about a quarter of requests with approved directions at middle layers, only when enabled", () => {
    const rng = new Rng("traffic");
    const draws = Array.from({ length: 2000 }, () =>
      drawBenignRequest(rng, { approvedSteering: true, nLayers: 12 }),
    );
    const steered = draws.filter((d) => d.steer);
    expect(steered.length / draws.length).toBeGreaterThan(0.2);
    expect(steered.length / draws.length).toBeLessThan(0.3);
    const [lo, hi] = middleLayers(12);
    for (const d of steered) {
      expect(["formality", "brevity", "positivity"]).toContain(d.steer!.label);
      expect(d.steer!.magnitude).toBeGreaterThanOrEqual(APPROVED_MAGNITUDE_RANGE[0]);
      expect(d.steer!.magnitude).toBeLessThanOrEqual(APPROVED_MAGNITUDE_RANGE[1]);
      expect(d.steer!.layer).toBeGreaterThanOrEqual(lo);
      expect(d.steer!.layer).toBeLessThanOrEqual(hi);
    }
    // Without a profile, kinds follow benign traffic's overall mix.
    const share = (k: BenignKind) => draws.filter((d) => d.kind === k).length / draws.length;
    for (const k of ["ordinary", "suspicious", "borderline"] as const)
      expect(Math.abs(share(k) - BENIGN_KIND_PROBABILITIES[k]), k).toBeLessThan(0.04);
    const off = Array.from({ length: 200 }, () =>
      drawBenignRequest(rng, { approvedSteering: false, nLayers: 12 }),
    );
    expect(off.every((d) => d.steer === null)).toBe(true);
  });

  // GAME.md I2: a refusal in a session's logs must not single Red out, so some users
  // keep asking things the target may refuse, as an attacker does.
  it("gives sessions user profiles: persistent users send mostly borderline requests", () => {
    const rng = new Rng("traffic-profiles");
    const profiles = Array.from({ length: 4000 }, () => drawUserProfile(rng));
    const persistent = profiles.filter((p) => p === "persistent").length / profiles.length;
    expect(Math.abs(persistent - USER_PROFILE_PROBABILITIES.persistent)).toBeLessThan(0.03);
    const borderline = (profile: "usual" | "persistent") =>
      Array.from(
        { length: 2000 },
        () => drawBenignRequest(rng, { approvedSteering: false, nLayers: 12, profile }).kind,
      ).filter((k) => k === "borderline").length / 2000;
    expect(borderline("persistent")).toBeGreaterThan(0.75);
    expect(borderline("usual")).toBeLessThan(0.35);
    expect(PROFILE_KIND_PROBABILITIES.persistent.borderline).toBeGreaterThan(
      2 * PROFILE_KIND_PROBABILITIES.usual.borderline,
    );
  });

  it("lets a session send several requests in a tick now and then", () => {
    const rng = new Rng("traffic-multi");
    const counts = Array.from(
      { length: 2000 },
      () => drawSessionRequests(rng, { approvedSteering: false, nLayers: 12 }).length,
    );
    const several = counts.filter((n) => n >= 2).length / counts.length;
    expect(several).toBeGreaterThan(0.12);
    expect(several).toBeLessThan(0.3);
    expect(Math.max(...counts)).toBe(3);
  });

  it("draws coalition decoys from the same generator", () => {
    const d = drawDecoys(new Rng("decoys"));
    expect(d).toHaveLength(DECOYS_PER_TICK);
    for (const t of d) expect(t.length).toBeGreaterThan(10);
  });
});

describe("benign traffic on the sim", () => {
  it("never reads as an attempt to extract the guarded value, so benign traffic cannot leak", () => {
    const rng = new Rng("traffic-sim");
    for (let i = 0; i < 6000; i++) {
      const t = benignText(rng, (["ordinary", "suspicious", "borderline"] as const)[i % 3]);
      const r = readRequest([{ role: "user", content: t }], SIM_GEOMETRY.vocab);
      expect(r.features.extraction, t).toBeLessThan(SIM_CONFIG.intentGate);
    }
  });
});
