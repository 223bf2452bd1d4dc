import { describe, expect, it } from "vitest";
import type { LensTokenizer } from "../../src/lens/tokenizer.js";
import { chatTokens, normaliseRoles, requestTokens } from "../../src/target/lens/prompt.js";
import type { ChatMessage } from "../../src/target/types.js";

/** A fake tokenizer: one token per character; its template raises on system/tool roles when `strict`. */
function fakeTokenizer(
  strict: boolean,
  hasChatTemplate = true,
): LensTokenizer & { rendered: ChatMessage[][] } {
  const rendered: ChatMessage[][] = [];
  const render = (ms: readonly { role: string; content: string }[]) => {
    if (strict && ms.some((m) => m.role === "system" || m.role === "tool"))
      throw new Error("System role not supported");
    rendered.push(ms.map((m) => ({ ...m }) as ChatMessage));
    return `${ms.map((m) => `<${m.role}>${m.content}`).join("")}<assistant>`;
  };
  const encode = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  return {
    rendered,
    encode,
    decode: (ids) => String.fromCharCode(...ids),
    applyChatTemplate: render,
    encodeChat: (ms) => encode(render(ms)),
    tokenToId: () => undefined,
    idToToken: () => undefined,
    bosTokenId: null,
    eosTokenIds: [],
    padTokenId: null,
    hasChatTemplate,
  };
}

const CONVO: ChatMessage[] = [
  { role: "system", content: "SYS" },
  { role: "user", content: "u1" },
  { role: "assistant", content: "a1" },
  { role: "user", content: "u2" },
  { role: "assistant", content: "a2" },
  { role: "tool", content: "payload" },
];

describe("lens target prompts", () => {
  it("renders messages as they are when the template accepts them", () => {
    const tok = fakeTokenizer(false);
    const ids = chatTokens(tok, CONVO);
    expect(tok.rendered[0].map((m) => m.role)).toEqual(CONVO.map((m) => m.role));
    expect(tok.decode(ids)).toContain("<tool>payload<assistant>");
  });

  it("falls back to normalised roles when the template raises (Gemma-style)", () => {
    const tok = fakeTokenizer(true);
    const text = tok.decode(chatTokens(tok, CONVO));
    expect(text).toBe(
      "<user>SYS\n\nu1<assistant>a1<user>u2<assistant>a2<user>Tool output:\npayload<assistant>",
    );
  });

  it("normaliseRoles merges the system prompt into the first user turn and joins same-role runs", () => {
    expect(
      normaliseRoles([
        { role: "system", content: "S" },
        { role: "assistant", content: "A" },
        { role: "user", content: "U" },
        { role: "tool", content: "T" },
      ]),
    ).toEqual([
      { role: "user", content: "S" },
      { role: "assistant", content: "A" },
      { role: "user", content: "U\n\nTool output:\nT" },
    ]);
  });

  it("uses plain role lines for a checkpoint without a chat template", () => {
    const tok = fakeTokenizer(false, false);
    expect(tok.decode(chatTokens(tok, CONVO.slice(0, 2)))).toBe(
      "system: SYS\nuser: u1\nassistant:",
    );
  });

  it("drops the oldest history turns to fit the context, keeping system prompt and new turn", () => {
    const tok = fakeTokenizer(false);
    const full = chatTokens(tok, CONVO).length;
    const ids = requestTokens(tok, CONVO, full - 1);
    const text = tok.decode(ids);
    expect(text).toBe("<system>SYS<user>u2<assistant>a2<tool>payload<assistant>");
    expect(requestTokens(tok, CONVO, full)).toHaveLength(full);
    expect(() => requestTokens(tok, CONVO, 10)).toThrow(
      expect.objectContaining({ code: "validation_error" }),
    );
  });
});
