import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTinyCheckpoint, type TinyArch } from "../../src/lens/tiny.js";
import { loadTokenizer } from "../../src/lens/tokenizer.js";
import { TinyDirs } from "../helpers/lens-tiny.js";

const dirs = new TinyDirs();
afterAll(() => dirs.cleanup());

const tok = (arch: TinyArch) => loadTokenizer(dirs.checkpoint(arch).dir);
const convo = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Hello there" },
];

describe("loadTokenizer on make-tiny checkpoints", () => {
  it("round-trips text exactly, including unicode, spaces and newlines", () => {
    const text = "Hello, the world!  Double  spaces\nand a newline: é, 日本語, 🙂.";
    for (const arch of ["llama", "qwen2", "gpt2", "gemma3"] as const) {
      const t = tok(arch);
      const ids = t.encode(text, { addSpecialTokens: false });
      expect(t.decode(ids), arch).toBe(text);
      // The merges are used: fewer tokens than bytes.
      expect(ids.length).toBeLessThan(Buffer.byteLength(text));
    }
  });

  it("adds BOS with special tokens only where the family does (Llama, Gemma; not Qwen)", () => {
    const llama = tok("llama");
    expect(llama.encode("Hi")[0]).toBe(llama.bosTokenId);
    expect(llama.encode("Hi", { addSpecialTokens: false })[0]).not.toBe(llama.bosTokenId);
    const gemma = tok("gemma2");
    expect(gemma.encode("Hi")[0]).toBe(gemma.tokenToId("<bos>"));
    const qwen = tok("qwen2");
    expect(qwen.bosTokenId).toBeNull();
    expect(qwen.encode("Hi")).toEqual(qwen.encode("Hi", { addSpecialTokens: false }));
  });

  it("encodes special tokens in text as single ids and can skip them when decoding", () => {
    const t = tok("qwen3");
    const ids = t.encode("<|im_start|>user\nHi<|im_end|>");
    expect(ids[0]).toBe(t.tokenToId("<|im_start|>"));
    expect(ids[ids.length - 1]).toBe(t.tokenToId("<|im_end|>"));
    expect(t.decode(ids, { skipSpecialTokens: true })).toBe("user\nHi");
  });

  it("collects every eos id from config, generation config and tokenizer config", () => {
    const q = tok("qwen2");
    expect(new Set(q.eosTokenIds)).toEqual(
      new Set([q.tokenToId("<|im_end|>"), q.tokenToId("<|endoftext|>")]),
    );
    const g = tok("gemma3");
    expect(new Set(g.eosTokenIds)).toEqual(
      new Set([g.tokenToId("<eos>"), g.tokenToId("<end_of_turn>")]),
    );
    expect(g.padTokenId).toBe(g.tokenToId("<pad>"));
  });

  it("renders ChatML for Qwen and SmolLM2", () => {
    for (const arch of ["qwen2", "smollm2"] as const) {
      expect(tok(arch).applyChatTemplate(convo)).toBe(
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n",
      );
    }
    expect(tok("qwen2").applyChatTemplate(convo, { addGenerationPrompt: false })).not.toContain(
      "assistant",
    );
  });

  it("renders Llama-3 headers with BOS", () => {
    expect(tok("llama").applyChatTemplate(convo)).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nHello there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    );
  });

  it("renders Gemma turns, merging the system prompt into the first user turn", () => {
    expect(
      tok("gemma3").applyChatTemplate([
        ...convo,
        { role: "assistant", content: "Hi." },
        { role: "user", content: "Again" },
      ]),
    ).toBe(
      "<bos><start_of_turn>user\nBe brief.\n\nHello there<end_of_turn>\n<start_of_turn>model\nHi.<end_of_turn>\n" +
        "<start_of_turn>user\nAgain<end_of_turn>\n<start_of_turn>model\n",
    );
  });

  it("renders GPT-2's plain template", () => {
    expect(tok("gpt2").applyChatTemplate(convo)).toBe(
      "system: Be brief.\nuser: Hello there\nassistant:",
    );
  });

  it("encodes a chat with exactly one BOS (the template's)", () => {
    for (const arch of ["llama", "gemma2"] as const) {
      const t = tok(arch);
      const ids = t.encodeChat(convo);
      expect(ids[0]).toBe(t.bosTokenId);
      expect(ids.filter((i) => i === t.bosTokenId)).toHaveLength(1);
      expect(t.decode(ids)).toBe(t.applyChatTemplate(convo));
    }
  });

  it("reads chat_template.jinja when present and says when there is no template", () => {
    const dir = dirs.dir("tpl");
    makeTinyCheckpoint({ arch: "qwen2", outDir: dir });
    writeFileSync(
      join(dir, "chat_template.jinja"),
      "{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}",
    );
    expect(loadTokenizer(dir).applyChatTemplate(convo)).toBe("[system]Be brief.[user]Hello there");
    rmSync(join(dir, "chat_template.jinja"));
    const tc = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    delete tc.chat_template;
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tc));
    const t = loadTokenizer(dir);
    expect(t.hasChatTemplate).toBe(false);
    expect(() => t.applyChatTemplate(convo)).toThrow(/no chat template/);
  });

  it("says when tokenizer.json is missing", () => {
    const dir = dirs.dir("notok");
    makeTinyCheckpoint({ arch: "gpt2", outDir: dir });
    rmSync(join(dir, "tokenizer.json"));
    expect(() => loadTokenizer(dir)).toThrow(/tokenizer\.json: missing/);
  });
});

describe("decoding nothing", () => {
  it("decodes an empty token list to the empty string (a generation that stops at once)", () => {
    expect(tok("qwen2").decode([])).toBe("");
  });
});
