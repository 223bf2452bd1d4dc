// loadModel from a checkpoint directory: tokenizer and chat template wired in,
// hook names listed, and loading errors that say what is wrong.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { allHookNames } from "../../src/lens/hooks.js";
import { loadModel } from "../../src/lens/model.js";
import { makeTinyCheckpoint } from "../../src/lens/tiny.js";
import { removeFixtures, tinyDir } from "./ort-fixtures.js";

afterAll(removeFixtures);

describe("loadModel", () => {
  it("loads a tiny checkpoint with its tokenizer, chat template and hook names", async () => {
    const model = await loadModel(tinyDir("qwen2"), { threads: 1 });
    try {
      expect(model.config.arch).toBe("qwen2");
      expect(model.hookNames).toEqual(allHookNames(model.config.nLayers));
      const { text, tokens } = model.chat([{ role: "user", content: "hi there" }]);
      expect(text).toContain("hi there");
      expect(model.tokenizer!.decode(tokens)).toBe(text);
      const [out] = await model.generate(["hello"], { maxNewTokens: 4 });
      expect(out.promptTokens).toEqual(
        model.tokenizer!.encode("hello", { addSpecialTokens: true }),
      );
      expect(out.text).toBe(model.tokenizer!.decode(out.tokens, { skipSpecialTokens: true }));
      expect(model.decodeWeightBytes).toBeGreaterThan(0);
    } finally {
      await model.close();
    }
  });

  it("stop strings cut the text before the first match", async () => {
    const model = await loadModel(tinyDir("smollm2"), { threads: 1 });
    try {
      const [free] = await model.generate(["abc"], { maxNewTokens: 8, temperature: 30, seed: 5 });
      const needle = free.text.slice(2, 4);
      expect(needle.length).toBe(2);
      const [cut] = await model.generate(["abc"], {
        maxNewTokens: 8,
        temperature: 30,
        seed: 5,
        stop: [needle],
      });
      expect(cut.finishReason).toBe("stop");
      expect(cut.text).toBe(free.text.slice(0, free.text.indexOf(needle)));
    } finally {
      await model.close();
    }
  });

  it("rejects an unsupported compute dtype", async () => {
    await expect(loadModel(tinyDir("gpt2"), { dtype: "bf16" as "f32" })).rejects.toThrow(/f32/);
  });

  it("explains a missing tensor, a bad shape, an unknown architecture and a missing directory", async () => {
    const dir = join(tinyDir("llama"), "..", "broken");
    makeTinyCheckpoint({ arch: "llama", outDir: dir, seed: 1 });
    const configPath = join(dir, "config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));

    writeFileSync(configPath, JSON.stringify({ ...config, num_hidden_layers: 3 }));
    await expect(loadModel(dir)).rejects.toThrow(/layers\.2\..*missing/);

    writeFileSync(
      configPath,
      JSON.stringify({ ...config, intermediate_size: config.intermediate_size + 1 }),
    );
    await expect(loadModel(dir)).rejects.toThrow(/shape/);

    writeFileSync(configPath, JSON.stringify({ ...config, model_type: "mamba" }));
    await expect(loadModel(dir)).rejects.toThrow(/mamba/);

    await expect(loadModel(join(dir, "nope"))).rejects.toThrow(/no such checkpoint/);
  });
});
