// `seige lens serve` over real HTTP on 127.0.0.1 with a tiny random checkpoint
// made by the test: models list, chat completions with real generation, seeded
// reproducibility, batching of concurrent requests equal to sequential answers,
// SSE streaming, tools rendered into the prompt, OpenAI-shaped errors, and the
// same browser-page refusals as `seige serve` (docs/lens-serve.md, "Security").
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatCompletion, listModels } from "../../src/util/openai.js";
import { startTinyLensServer, type TinyLensServer } from "../helpers/lens-serve.js";

let tiny: TinyLensServer;
beforeAll(async () => {
  tiny = await startTinyLensServer({ windowMs: 20 });
}, 60_000);
afterAll(async () => {
  await tiny?.stop();
});

const post = (body: unknown) =>
  fetch(`${tiny.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const hello = [{ role: "user" as const, content: "Say hello." }];

describe("seige lens serve", () => {
  it("lists the served model under /v1/models", async () => {
    expect(await listModels(tiny.url)).toEqual(["tiny"]);
    expect(await listModels(`${tiny.url}/v1/`)).toEqual(["tiny"]);
  });

  it("answers a chat completion with generated text, a finish reason and usage", async () => {
    const r = await chatCompletion({
      baseUrl: tiny.url,
      model: "tiny",
      messages: hello,
      maxTokens: 12,
      temperature: 0,
    });
    expect(typeof r.content).toBe("string");
    expect(["stop", "length"]).toContain(r.finishReason);
    expect(r.toolCalls).toEqual([]);
    expect(r.usage?.promptTokens).toBeGreaterThan(5);
    expect(r.usage?.completionTokens).toBeGreaterThan(0);
    expect(r.usage?.completionTokens).toBeLessThanOrEqual(12);
    expect(r.attempts).toBe(1);
  });

  it("gives the same sampled answer for the same seed and different answers across seeds", async () => {
    const ask = (seed: number) =>
      chatCompletion({
        baseUrl: tiny.url,
        model: "tiny",
        messages: hello,
        maxTokens: 16,
        temperature: 1,
        seed,
      }).then((r) => r.content);
    const a = await ask(7);
    expect(await ask(7)).toBe(a);
    const others = await Promise.all([1, 2, 3].map(ask));
    expect(others.some((o) => o !== a)).toBe(true);
  });

  it("batches concurrent requests into one generate call, with the answers of sequential requests", async () => {
    const seeds = [11, 12, 13, 14, 15, 16];
    const prompts = seeds.map((s) => [{ role: "user" as const, content: `Request number ${s}` }]);
    const ask = (i: number) =>
      chatCompletion({
        baseUrl: tiny.url,
        model: "tiny",
        messages: prompts[i],
        maxTokens: 10,
        temperature: 0.8,
        seed: seeds[i],
      }).then((r) => r.content);
    const sequential: (string | null)[] = [];
    for (let i = 0; i < seeds.length; i++) sequential.push(await ask(i));
    const before = { ...tiny.server.stats };
    const concurrent = await Promise.all(seeds.map((_, i) => ask(i)));
    expect(concurrent).toEqual(sequential);
    const batches = tiny.server.stats.batches - before.batches;
    expect(batches).toBeLessThan(seeds.length);
    expect(tiny.server.stats.largestBatch).toBeGreaterThan(1);
  });

  it("streams the same answer as server-sent events ending with [DONE]", async () => {
    const body = { model: "tiny", messages: hello, max_tokens: 12, temperature: 1, seed: 5 };
    const plain = (await (await post(body)).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    const res = await post({ ...body, stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe(plain.choices[0].message.content);
    const finish = chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
    expect(finish).toEqual([plain.choices[0].finish_reason]);
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
  });

  it("renders tools into the prompt when the template has no tools support", async () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "monitor",
          description: "Watch the next request.",
          parameters: { type: "object", properties: { note: { type: "string" } } },
        },
      },
    ];
    const without = await chatCompletion({
      baseUrl: tiny.url,
      model: "tiny",
      messages: hello,
      maxTokens: 4,
      temperature: 0,
    });
    const withTools = await chatCompletion({
      baseUrl: tiny.url,
      model: "tiny",
      messages: hello,
      tools,
      maxTokens: 4,
      temperature: 0,
    });
    // The tool description adds its JSON (name, description, schema) to the prompt.
    expect(withTools.usage?.promptTokens ?? 0).toBeGreaterThan(
      (without.usage?.promptTokens ?? 0) + JSON.stringify(tools[0].function).length / 2,
    );
    // A random tiny model does not call the tool: its text comes back as content.
    expect(withTools.toolCalls.length === 0 ? withTools.content : "called").not.toBeNull();
  });

  it("answers errors in OpenAI's shape: unknown model 404, bad body 400, context overflow 400", async () => {
    const unknown = await post({ model: "gpt-4", messages: hello });
    expect(unknown.status).toBe(404);
    const u = (await unknown.json()) as { error: { type: string; code: string; message: string } };
    expect(u.error.code).toBe("model_not_found");
    expect(u.error.message).toContain("tiny");

    const bad = await post({ model: "tiny", messages: [] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe(
      "invalid_request_error",
    );

    const long = await post({
      model: "tiny",
      messages: [{ role: "user", content: "x ".repeat(5000) }],
    });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe(
      "context_length_exceeded",
    );

    const route = await fetch(`${tiny.url}/v1/embeddings`, { method: "POST" });
    expect(route.status).toBe(404);
    expect(await route.json()).toHaveProperty("error.message");
  });

  it("makes the client fail fast with a clear error on a 4xx (no retries)", async () => {
    await expect(
      chatCompletion({ baseUrl: tiny.url, model: "nope", messages: hello, retries: 3 }),
    ).rejects.toMatchObject({
      code: "config_error",
      message: expect.stringContaining("not served here"),
    });
  });

  it("refuses browser pages as seige serve does: foreign Origin 403, text/plain 415, rebound Host 403", async () => {
    const body = JSON.stringify({ model: "tiny", messages: hello, max_tokens: 2 });
    const before = tiny.server.stats.sequences;
    const foreign = await fetch(`${tiny.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    const f = (await foreign.json()) as { error: { type: string; message: string } };
    expect(f.error.type).toBe("permission_error");
    expect(f.error.message).toMatch(/SEIGE_ALLOWED_ORIGINS/);
    // A "simple" request a page may send cross-site without asking, with no Origin check to pass.
    const simple = await fetch(`${tiny.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body,
    });
    expect(simple.status).toBe(415);
    expect(((await simple.json()) as { error: { type: string } }).error.type).toBe(
      "invalid_request_error",
    );
    const rebound = await new Promise<number>((resolve, reject) => {
      const port = Number(new URL(tiny.url).port);
      const req = request(
        { host: "127.0.0.1", port, path: "/v1/models", setHost: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.setHeader("host", `evil.example:${port}`);
      req.on("error", reject);
      req.end();
    });
    expect(rebound).toBe(403);
    expect(tiny.server.stats.sequences).toBe(before); // nothing reached the model
    // Its own origin (a page served from the same host and port) may post.
    const own = await fetch(`${tiny.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(tiny.url).origin },
      body,
    });
    expect(own.status).toBe(200);
  });
});
