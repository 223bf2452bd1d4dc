// The OpenAI-compatible client against a scripted HTTP server on 127.0.0.1:
// typed replies, retries with backoff on 429/5xx/timeouts/network errors, none on
// other 4xx, clear SeigeErrors, base URL forms; and the concurrency limiter.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLimiter } from "../../src/util/limit.js";
import { chatCompletion, endpointUrl, listModels } from "../../src/util/openai.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server | null = null;
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server?.close(r));
  }
  server = null;
});

/** A server answering the n-th request with script[n] (the last one repeats). */
async function scripted(
  script: Handler[],
): Promise<{ url: string; hits: () => number; bodies: unknown[] }> {
  let n = 0;
  const bodies: unknown[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (body) bodies.push(JSON.parse(body));
      const h = script[Math.min(n, script.length - 1)];
      n++;
      h(req, body, res);
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => n, bodies };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, _body, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

const ok = json(200, {
  id: "x1",
  model: "m",
  choices: [
    {
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "flag", arguments: { reason: "r" } } },
        ],
      },
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
});

const base = { model: "m", messages: [{ role: "user" as const, content: "hi" }], backoffMs: 1 };

describe("chatCompletion", () => {
  it("sends OpenAI's field names and returns a typed reply", async () => {
    const s = await scripted([ok]);
    const r = await chatCompletion({
      ...base,
      baseUrl: s.url,
      tools: [{ type: "function", function: { name: "flag" } }],
      toolChoice: "auto",
      temperature: 0.5,
      topP: 0.9,
      seed: 3,
      maxTokens: 9,
      stop: ["\n"],
      apiKey: "k",
    });
    expect(s.bodies[0]).toMatchObject({
      model: "m",
      tool_choice: "auto",
      temperature: 0.5,
      top_p: 0.9,
      seed: 3,
      max_tokens: 9,
      stop: ["\n"],
    });
    expect(r.content).toBeNull();
    expect(r.finishReason).toBe("tool_calls");
    // An object `arguments` (some servers) is normalised to OpenAI's JSON string.
    expect(r.toolCalls).toEqual([
      { id: "c1", type: "function", function: { name: "flag", arguments: '{"reason":"r"}' } },
    ]);
    expect(r.usage).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(r.attempts).toBe(1);
  });

  it("retries 429 and 5xx with backoff, then succeeds", async () => {
    const s = await scripted([json(429, { error: { message: "slow down" } }), json(503, {}), ok]);
    const r = await chatCompletion({ ...base, baseUrl: s.url, retries: 2 });
    expect(r.attempts).toBe(3);
    expect(s.hits()).toBe(3);
  });

  it("gives up after the retries with backend_unavailable naming the last problem", async () => {
    const s = await scripted([json(500, { error: { message: "boom" } })]);
    await expect(chatCompletion({ ...base, baseUrl: s.url, retries: 1 })).rejects.toMatchObject({
      code: "backend_unavailable",
      message: expect.stringMatching(/2 attempt\(s\).*HTTP 500: boom/),
    });
    expect(s.hits()).toBe(2);
  });

  it("does not retry other 4xx: 400 is a validation_error, 401 and 404 config_errors", async () => {
    const s400 = await scripted([json(400, { error: { message: "bad seed" } })]);
    await expect(chatCompletion({ ...base, baseUrl: s400.url, retries: 3 })).rejects.toMatchObject({
      code: "validation_error",
      message: expect.stringContaining("bad seed"),
    });
    expect(s400.hits()).toBe(1);
    await new Promise((r) => server?.close(r));
    const s401 = await scripted([json(401, { error: "no key" })]);
    await expect(chatCompletion({ ...base, baseUrl: s401.url })).rejects.toMatchObject({
      code: "config_error",
      message: expect.stringContaining("API key"),
    });
    expect(s401.hits()).toBe(1);
  });

  it("times out a silent server and retries the timeout", async () => {
    const s = await scripted([() => {}]); // never answers
    const t0 = performance.now();
    await expect(
      chatCompletion({ ...base, baseUrl: s.url, timeoutMs: 100, retries: 1 }),
    ).rejects.toMatchObject({
      code: "backend_unavailable",
      message: expect.stringContaining("no answer within 100 ms"),
    });
    expect(s.hits()).toBe(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("reports a refused connection as a network error after retrying", async () => {
    const s = await scripted([ok]);
    const url = s.url;
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = null;
    await expect(chatCompletion({ ...base, baseUrl: url, retries: 1 })).rejects.toMatchObject({
      code: "backend_unavailable",
      message: expect.stringContaining("network error"),
    });
  });

  it("rejects a 200 that is not a chat completion", async () => {
    const s = await scripted([json(200, { hello: "world" })]);
    await expect(chatCompletion({ ...base, baseUrl: s.url })).rejects.toMatchObject({
      code: "backend_unavailable",
    });
  });

  it("stops at once when the caller aborts", async () => {
    const s = await scripted([() => {}]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(
      chatCompletion({ ...base, baseUrl: s.url, signal: ac.signal, retries: 5 }),
    ).rejects.toMatchObject({
      code: "execution_error",
    });
    expect(s.hits()).toBe(1);
  });
});

describe("endpoint URLs and listModels", () => {
  it("accepts base URLs with or without /v1 and a trailing slash", () => {
    for (const b of ["http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/"])
      expect(endpointUrl(b, "/models")).toBe("http://h:1/v1/models");
    expect(() => endpointUrl("h:1", "/models")).toThrow(/http/);
  });

  it("lists model ids", async () => {
    const s = await scripted([json(200, { object: "list", data: [{ id: "a" }, { id: "b" }] })]);
    expect(await listModels(s.url)).toEqual(["a", "b"]);
  });
});

describe("createLimiter", () => {
  it("runs at most n tasks at once, in arrival order, and frees slots on failure", async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 1) throw new Error("fail");
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => limit(task(i))));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect(limit.active).toBe(0);
    expect(limit.pending).toBe(0);
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});
