// Tool calls in `seige lens serve`, without a socket (Hono's app.request) and with
// a scripted generator, so the model's text is known: JSON objects naming a
// declared tool become `tool_calls` (bare or in <tool_call> tags), unknown names
// and malformed JSON stay text, tool_choice narrows or disables parsing, streaming
// carries the calls; templates that render `tools` get them natively (also a real
// tiny checkpoint with a Qwen2.5-style template).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type GenerateOptions,
  type GenerateResult,
  loadModel,
  makeTinyCheckpoint,
} from "../../src/lens/index.js";
import {
  type ChatRenderer,
  createOpenAIApp,
  GenerationBatcher,
  parseToolCalls,
  renderPrompt,
  templateSupportsTools,
} from "../../src/server/openai/index.js";

const tools = [
  {
    type: "function" as const,
    function: {
      name: "flag",
      parameters: { type: "object", properties: { reason: { type: "string" } } },
    },
  },
  { type: "function" as const, function: { name: "monitor" } },
];

/** A renderer whose "tokens" are the characters of a plain transcript. */
function fakeRenderer(template: "plain" | "tools"): ChatRenderer & { seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    tokenizer: { hasChatTemplate: true, encode: (t: string) => [...t].map((c) => c.charCodeAt(0)) },
    chat(messages, opts) {
      seen.push({ messages, extra: opts?.extra });
      const toolsText =
        template === "tools" && opts?.extra?.tools
          ? `TOOLS${JSON.stringify(opts.extra.tools)}`
          : "";
      const text = toolsText + messages.map((m) => `${m.role}:${m.content}`).join("|");
      return { text, tokens: [...text].map((c) => c.charCodeAt(0) % 100) };
    },
  };
}

function appAnswering(text: string) {
  const calls: GenerateOptions[] = [];
  const generator = {
    async generate(
      prompts: (string | readonly number[])[],
      opts: GenerateOptions = {},
    ): Promise<GenerateResult[]> {
      calls.push(opts);
      return prompts.map((p) => ({
        promptTokens: [...(p as number[])],
        tokens: [1, 2, 3],
        text,
        finishReason: "stop" as const,
        captures: [],
      }));
    },
  };
  const model = Object.assign(fakeRenderer("plain"), { config: { maxPositions: 100_000 } });
  const app = createOpenAIApp({
    model,
    batcher: new GenerationBatcher(generator, { windowMs: 0 }),
    modelId: "m",
  });
  const ask = async (body: Record<string, unknown>) => {
    const res = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], ...body }),
    });
    return { status: res.status, res };
  };
  return { ask, calls };
}

describe("tool calls from generated text", () => {
  it("turns a JSON object naming a declared tool into tool_calls with finish_reason tool_calls", async () => {
    const { ask } = appAnswering(
      'I will flag it.\n<tool_call>{"name": "flag", "arguments": {"reason": "leak"}}</tool_call>',
    );
    const { res } = await ask({ tools });
    const body = (await res.json()) as {
      choices: {
        message: {
          content: string | null;
          tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[];
        };
        finish_reason: string;
      }[];
    };
    const [choice] = body.choices;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("I will flag it.");
    expect(choice.message.tool_calls).toHaveLength(1);
    expect(choice.message.tool_calls[0].type).toBe("function");
    expect(choice.message.tool_calls[0].id).toMatch(/^call_/);
    expect(choice.message.tool_calls[0].function.name).toBe("flag");
    expect(JSON.parse(choice.message.tool_calls[0].function.arguments)).toEqual({ reason: "leak" });
  });

  it("parses several calls, accepts `parameters`, and leaves unknown names and broken JSON as text", () => {
    const text =
      '{"name":"monitor","parameters":{}} {"name":"rm_rf","arguments":{}} {"name":"flag", "arguments": {"reason": "a}b"}} {"name": "flag", ';
    const { calls, rest } = parseToolCalls(text, tools, "auto");
    expect(calls.map((c) => c.function.name)).toEqual(["monitor", "flag"]);
    expect(JSON.parse(calls[1].function.arguments)).toEqual({ reason: "a}b" });
    expect(rest).toContain("rm_rf");
    expect(rest).toContain('{"name": "flag",');
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("ignores tool-shaped text when tool_choice is none, and narrows to the named function", () => {
    const text = '{"name":"monitor","arguments":{}} {"name":"flag","arguments":{}}';
    expect(parseToolCalls(text, tools, "none").calls).toEqual([]);
    const named = parseToolCalls(text, tools, { type: "function", function: { name: "flag" } });
    expect(named.calls.map((c) => c.function.name)).toEqual(["flag"]);
    expect(parseToolCalls(text, [], "auto").calls).toEqual([]);
  });

  it("streams tool calls as a delta and finishes with tool_calls", async () => {
    const { ask } = appAnswering('{"name": "monitor", "arguments": {}}');
    const { res } = await ask({ tools, stream: true });
    const events = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const delta = chunks.find((c) => c.choices[0].delta.tool_calls)?.choices[0].delta.tool_calls;
    expect(delta[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "monitor", arguments: "{}" },
    });
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("passes the request's sampling settings and seed to the generator", async () => {
    const { ask, calls } = appAnswering("ok");
    await ask({ temperature: 0.3, top_p: 0.9, max_tokens: 7, stop: ["\n"], seed: 42, n: 2 });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      temperature: 0.3,
      topP: 0.9,
      maxNewTokens: 7,
      stop: ["\n"],
      seed: [42, 43],
    });
  });
});

describe("prompt rendering with tools", () => {
  it("puts tools in the system prompt and tool turns in plain text when the template has no tools", () => {
    const model = fakeRenderer("plain");
    renderPrompt(
      model,
      [
        { role: "system", content: "Be careful." },
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "c1", function: { name: "flag", arguments: '{"reason":"x"}' } }],
        },
        { role: "tool", content: "flagged", tool_call_id: "c1", name: "flag" },
      ],
      tools,
    );
    const last = model.seen.at(-1) as {
      messages: { role: string; content: string }[];
      extra: unknown;
    };
    expect(last.extra).toBeUndefined();
    expect(last.messages[0].content).toMatch(/^Be careful\.\n\n# Tools/);
    expect(last.messages[0].content).toContain('"name":"flag"');
    expect(last.messages[2].content).toBe('{"name":"flag","arguments":{"reason":"x"}}');
    expect(last.messages[3]).toEqual({ role: "user", content: "Result of flag: flagged" });
  });

  it("hands tools, tool calls (arguments as objects) and tool messages to a template that renders tools", () => {
    const model = fakeRenderer("tools");
    renderPrompt(
      model,
      [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "c1", function: { name: "flag", arguments: '{"reason":"x"}' } }],
        },
        { role: "tool", content: "flagged", tool_call_id: "c1" },
      ],
      tools,
    );
    const last = model.seen.at(-1) as {
      messages: Record<string, unknown>[];
      extra: { tools: unknown };
    };
    expect(last.extra.tools).toEqual(tools);
    expect(last.messages[0]).toEqual({ role: "user", content: "go" });
    expect(last.messages[1].tool_calls).toEqual([
      { type: "function", function: { name: "flag", arguments: { reason: "x" } } },
    ]);
    expect(last.messages[2]).toMatchObject({
      role: "tool",
      content: "flagged",
      tool_call_id: "c1",
    });
  });
});

describe("a real checkpoint whose chat template renders tools", () => {
  // A compact Qwen2.5-style template: tools in the system turn, tool calls as
  // <tool_call> JSON with object arguments, tool results in <tool_response>.
  const QWEN_TOOLS_TEMPLATE = `{%- if tools %}<|im_start|>system
{{ messages[0].content if messages[0].role == 'system' else 'You are helpful.' }}
# Tools
<tools>{% for tool in tools %}
{{ tool | tojson }}{% endfor %}
</tools><|im_end|>
{% elif messages[0].role == 'system' %}<|im_start|>system
{{ messages[0].content }}<|im_end|>
{% endif %}{%- for message in messages %}{%- if message.role == 'system' %}{%- elif message.role == 'assistant' and message.tool_calls %}<|im_start|>assistant
{{ message.content }}{%- for tc in message.tool_calls %}<tool_call>
{"name": "{{ tc.function.name }}", "arguments": {{ tc.function.arguments | tojson }}}
</tool_call>{%- endfor %}<|im_end|>
{% elif message.role == 'tool' %}<|im_start|>user
<tool_response>
{{ message.content }}
</tool_response><|im_end|>
{% else %}<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
{% endif %}{%- endfor %}{%- if add_generation_prompt %}<|im_start|>assistant
{% endif %}`;

  it("detects tools support and renders tools, calls and results through the template", async () => {
    const root = mkdtempSync(join(tmpdir(), "seige-tools-template-"));
    const dir = join(root, "tiny");
    makeTinyCheckpoint({ arch: "qwen2", outDir: dir, seed: 2 });
    writeFileSync(join(dir, "chat_template.jinja"), QWEN_TOOLS_TEMPLATE);
    const model = await loadModel(dir, { threads: 1 });
    try {
      expect(templateSupportsTools(model)).toBe(true);
      const ids = renderPrompt(
        model,
        [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: "",
            tool_calls: [{ id: "c1", function: { name: "flag", arguments: '{"reason":"x"}' } }],
          },
          { role: "tool", content: "flagged", tool_call_id: "c1" },
        ],
        tools,
      );
      const text = model.tokenizer?.decode(ids) ?? "";
      expect(text).toContain("<tools>");
      expect(text).toContain('"name": "flag"');
      expect(text).toContain('<tool_call>\n{"name": "flag", "arguments": {"reason": "x"}}');
      expect(text).toContain("<tool_response>\nflagged");
      expect(text).not.toContain("# Tools\nYou can call");
      expect(text.endsWith("<|im_start|>assistant\n")).toBe(true);
    } finally {
      await model.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
