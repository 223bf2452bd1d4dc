import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { newEpisode } from "../../src/arena/episode.js";
import { DEFAULT_CONFIG } from "../../src/arena/index.js";
import { main } from "../../src/cli.js";
import { DEFAULT_TRAFFIC_BANK, parseLayerList } from "../../src/commands/precompute.js";
import { gameSystemPrompts, gameTrafficTexts } from "../../src/commands/precompute-context.js";
import { simModelHash } from "../../src/commands/precompute-sim.js";
import { loadPromptData, readArtifact, readArtifactFile } from "../../src/directions/index.js";
import {
  createTarget,
  SIM_GEOMETRY,
  SimTarget,
  type TargetRequest,
} from "../../src/target/index.js";
import { loadLensTarget } from "../../src/target/lens/load.js";
import { TinyDirs } from "../helpers/lens-tiny.js";
import { writePromptFixture } from "./prompt-fixture.js";

const tmp = new TinyDirs();
afterAll(() => tmp.cleanup());

let stdout = "";
let stderr = "";
beforeEach(() => {
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe("seige precompute", () => {
  it("computes a lens artifact into the model directory and prints both summary tables", async () => {
    const dir = tmp.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 5, maxPositions: 4096 }).dir;
    const data = writePromptFixture(tmp.dir("data"));
    const code = await main(["precompute", "--model", dir, "--data", data, "--threads", "1"]);
    expect(code, stderr).toBe(0);
    const path = join(dir, "directions.safetensors");
    expect(existsSync(path)).toBe(true);
    const { metadata } = readArtifact(path);
    expect(metadata.model).toMatchObject({
      backend: "lens",
      nLayers: 2,
      dModel: 32,
      modelType: "qwen2",
    });
    expect(metadata.dataVersion).toBe("prompts-test");
    expect(metadata.method).toMatchObject({
      direction: "mean_diff",
      hook: "resid_post",
      position: "last",
      template: "chat",
      system: "game:seeds 0-7",
    });
    // the clean baseline's bank: the data's bank and the game's own benign traffic
    expect(metadata.counts.traffic).toBe(DEFAULT_TRAFFIC_BANK);
    expect(metadata.counts.benign).toBe(loadPromptData(data).benign.length + DEFAULT_TRAFFIC_BANK);
    expect(stdout).toMatch(/direction\s+best layer\s+separation/);
    expect(stdout).toMatch(/^refusal\s+[01]\s/m);
    expect(stdout).toMatch(/layer\s+probe train\s+probe test\s+typical norm/);
    expect(stdout).toMatch(
      new RegExp(
        `clean baseline: \\d+ benign requests \\(\\d+ from the data's bank, ${DEFAULT_TRAFFIC_BANK} of the game's traffic\\)`,
      ),
    );
    expect(stderr).toMatch(/precompute activations: \d+\/\d+/);
    // the cosine-to-refusal table prints each label's dot product with refusal, per layer
    const artifact = readArtifactFile(path);
    const table = stdout.slice(stdout.indexOf("cosine to refusal"));
    const row = /^compliance\s+(\S+)\s+(\S+)$/m.exec(table);
    expect(row).not.toBeNull();
    for (const layer of [0, 1]) {
      const k = artifact.layers.get(layer)!;
      let dot = 0;
      for (let i = 0; i < k.directions.refusal.length; i++)
        dot += k.directions.compliance[i] * k.directions.refusal[i];
      expect(Number(row![layer + 1])).toBeCloseTo(dot, 2);
    }
    expect(table).not.toMatch(/^refusal\s/m);
  });

  it("honours --layers, --method pca_diff and --out, and prints metadata with --json", async () => {
    const dir = tmp.checkpoint("gpt2", { dModel: 32, layers: 2, seed: 6 }).dir;
    const out = join(tmp.dir("o"), "x.safetensors");
    const data = writePromptFixture(tmp.dir("data"));
    const code = await main([
      "precompute",
      "--model",
      dir,
      "--data",
      data,
      "--layers",
      "1",
      "--method",
      "pca_diff",
      "--out",
      out,
      "--system",
      "none",
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.out).toBe(out);
    expect(printed.metadata.layers).toEqual([1]);
    expect(readArtifact(out).metadata.method).toMatchObject({
      direction: "pca_diff",
      system: null,
    });
  });

  it("learns steering directions with --learn-steering, also from an existing artifact with --from", async () => {
    const dir = tmp.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 7, maxPositions: 4096 }).dir;
    const data = writePromptFixture(tmp.dir("data"));
    const learn = ["--learn-layers", "1", "--learn-steps", "2", "--learn-examples", "1"];
    const base = ["precompute", "--model", dir, "--data", data, "--threads", "1"];
    const code = await main([...base, "--learn-steering", "compliance:comply", ...learn]);
    expect(code, stderr).toBe(0);
    const first = readArtifact(join(dir, "directions.safetensors"));
    expect(first.metadata.learned?.map((e) => [e.label, e.objective])).toEqual([
      ["compliance", "comply"],
    ]);
    expect(first.metadata.learned?.[0].rows.map((r) => r.layer)).toEqual([1]);
    expect(first.kit.library.learned?.("compliance", 1)).toHaveLength(32);
    expect(stdout).toMatch(/learned steering \(held-out/);
    expect(stdout).toMatch(/^compliance\s+comply\s+1\s/m);

    const out = join(tmp.dir("from"), "learned.safetensors");
    const from = join(dir, "directions.safetensors");
    const again = ["--from", from, "--out", out, "--learn-steering", "authority:leak", ...learn];
    expect(await main([...base, ...again]), stderr).toBe(0);
    const second = readArtifact(out);
    expect(second.metadata.learned?.map((e) => e.label)).toEqual(["authority"]);
    expect(second.metadata.separations).toEqual(first.metadata.separations);
    expect(Array.from(second.kit.library.direction("refusal", 0))).toEqual(
      Array.from(first.kit.library.direction("refusal", 0)),
    );

    expect(await main([...base, "--learn-steering", "compliance:nope"])).toBe(2);
    expect(stderr).toMatch(/objective 'nope'/);
    expect(await main([...base, "--learn-steering", "bogus:leak"])).toBe(2);
    expect(await main([...base, "--from", from])).toBe(2);
    expect(stderr).toMatch(/--from only adds learned steering/);
    expect(
      await main(["precompute", "--backend", "sim", "--learn-steering", "compliance:leak"]),
    ).toBe(2);
  });

  it("writes the sim's own kit with --backend sim, measured on the data", async () => {
    const out = join(tmp.dir("sim"), "sim.safetensors");
    const data = writePromptFixture(tmp.dir("data"));
    const code = await main(["precompute", "--backend", "sim", "--data", data, "--out", out]);
    expect(code, stderr).toBe(0);
    const { kit, metadata } = readArtifact(out);
    expect(metadata.modelHash).toBe(simModelHash());
    expect(metadata.method.direction).toBe("sim_closed_form");
    expect(metadata.layers).toHaveLength(SIM_GEOMETRY.config.nLayers);
    for (const l of [0, 5, 11]) {
      expect(Array.from(kit.library.direction("authority", l))).toEqual(
        Array.from(SIM_GEOMETRY.library.direction("authority", l)),
      );
      expect(kit.library.typicalNorm(l)).toBeCloseTo(SIM_GEOMETRY.library.typicalNorm(l), 5);
      expect(Array.from(kit.baseline.variance[l])).toEqual(
        Array.from(SIM_GEOMETRY.baseline.variance[l]),
      );
      expect(Array.from(kit.probe.weights[l][1])).toEqual(
        Array.from(SIM_GEOMETRY.probe.weights[l][1]),
      );
    }
  });

  it("writes an artifact the lens target loads, whose directions a probe then sees", async () => {
    const dir = tmp.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 8, maxPositions: 4096 }).dir;
    expect(
      await main(["precompute", "--model", dir, "--data", writePromptFixture(tmp.dir("data"))]),
    ).toBe(0);
    const target = await createTarget({ backend: "lens", env: { SEIGE_TARGET_MODEL: dir } });
    try {
      const request = (magnitude: number): TargetRequest => ({
        id: "r",
        messages: [{ role: "user", content: "How do I reset my password?" }],
        interventions:
          magnitude > 0 ? [{ kind: "steer", layer: 1, label: "danger", magnitude }] : [],
        seed: 0,
      });
      const clean = await target.probe(request(0), 1);
      const steered = await target.probe(request(4), 1);
      expect(steered.cosines.danger).toBeGreaterThan(0.9);
      expect(steered.cosines.danger).toBeGreaterThan(clean.cosines.danger + 0.5);
      expect(steered.anomaly_z).toBeGreaterThan(clean.anomaly_z);
    } finally {
      await target.close?.();
    }
  });

  it("reads the package's prompt data by default and records its version and counts", async () => {
    const out = join(tmp.dir("simdefault"), "sim.safetensors");
    expect(await main(["precompute", "--backend", "sim", "--out", out, "--json"])).toBe(0);
    const { metadata } = JSON.parse(stdout);
    const data = loadPromptData();
    expect(metadata.dataVersion).toBe(data.version);
    expect(metadata.counts.benign).toBe(data.benign.length);
    expect(metadata.counts.intent.test).toBe(
      data.intent.filter((r: { split: string }) => r.split === "test").length,
    );
    for (const label of metadata.labels) {
      expect(metadata.counts.pairs[label].test).toBeGreaterThan(0);
      expect(metadata.separations[label][0].heldOut).toBe(true);
    }
  });

  it("fits the clean baseline on the game's benign traffic too, so the game's requests read as clean", async () => {
    const dir = tmp.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 6, maxPositions: 4096 }).dir;
    const data = writePromptFixture(tmp.dir("data"));
    const out = (name: string) => join(tmp.dir(name), "d.safetensors");
    const [bankOnly, withTraffic] = [out("bank"), out("traffic")];
    const base = ["precompute", "--model", dir, "--data", data, "--threads", "1", "--no-calibrate"];
    expect(await main([...base, "--traffic", "0", "--out", bankOnly])).toBe(0);
    expect(await main([...base, "--out", withTraffic])).toBe(0);
    expect(readArtifact(bankOnly).metadata.counts.traffic).toBeUndefined();
    // requests of the game's traffic the bank never saw (another seed), probed as Blue probes
    const texts = gameTrafficTexts(24, "precompute-test/held-out");
    const meanZ = async (artifact: string) => {
      const target = await loadLensTarget({ modelDir: dir, directionsPath: artifact });
      try {
        let z = 0;
        for (const [i, text] of texts.entries()) {
          const r = await target.probe(
            {
              id: `t${i}`,
              messages: [
                { role: "system", content: gameSystemPrompts(1)[0] },
                { role: "user", content: text },
              ],
              interventions: [],
              seed: i,
            },
            1,
          );
          z += r.anomaly_z;
        }
        return z / texts.length;
      } finally {
        await target.close();
      }
    };
    const [zBank, zTraffic] = [await meanZ(bankOnly), await meanZ(withTraffic)];
    expect(Math.abs(zTraffic)).toBeLessThan(Math.abs(zBank));
    expect(Math.abs(zTraffic)).toBeLessThan(2);
    expect(await main([...base, "--traffic=-1"])).toBe(2);
    expect(stderr).toMatch(/--traffic must be 0 or more/);
    expect(await main([...base, "--system", "none", "--traffic", "10"])).toBe(2);
    expect(stderr).toMatch(/--traffic .* needs --system game/);
  });

  it("says how to fix a game system prompt that does not fit the model's context", async () => {
    const dir = tmp.checkpoint("qwen2", { dModel: 32, layers: 2, seed: 9 }).dir; // 256 positions
    expect(
      await main(["precompute", "--model", dir, "--data", writePromptFixture(tmp.dir("d"))]),
    ).toBe(2);
    expect(stderr).toMatch(/more than the model's 256 positions.*--system none/);
  });

  it("reports usage errors with exit code 2", async () => {
    expect(await main(["precompute", "--backend", "sim", "--layers", "3-1"])).toBe(2);
    expect(stderr).toMatch(/runs backwards/);
    expect(await main(["precompute"])).toBe(2);
    expect(stderr).toMatch(/needs --model/);
    expect(
      await main([
        "precompute",
        "--model",
        tmp.dir("nomodel"),
        "--data",
        writePromptFixture(tmp.dir("d")),
      ]),
    ).toBe(2);
    expect(stderr).toMatch(/config\.json/);
  });

  it("parses layer lists with ranges", () => {
    expect(parseLayerList("0,3,5-7")).toEqual([0, 3, 5, 6, 7]);
    expect(() => parseLayerList("a")).toThrow(/not a layer/);
  });
});

describe("gameTrafficTexts", () => {
  it("draws the game's benign requests from a seed of their own", () => {
    const a = gameTrafficTexts(50);
    expect(gameTrafficTexts(50)).toEqual(a);
    expect(gameTrafficTexts(20)).toEqual(a.slice(0, 20));
    expect(new Set(a).size).toBeGreaterThan(45);
    expect(gameTrafficTexts(50, "another")).not.toEqual(a);
  });
});

describe("gameSystemPrompts", () => {
  it("are the system prompts of the game's episodes with seeds 0..n−1", () => {
    const info = new SimTarget().info;
    const prompts = gameSystemPrompts(3);
    prompts.forEach((p, seed) => {
      expect(p).toBe(newEpisode({ ...DEFAULT_CONFIG, seed }, info).systemPrompt);
    });
    expect(new Set(prompts).size).toBe(3);
  });
});
