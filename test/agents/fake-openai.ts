// A scripted OpenAI-compatible endpoint on 127.0.0.1 for LLM-agent tests: real
// HTTP, but each reply is chosen by the test (a tool call, malformed text, an HTTP
// error, a reply that never comes). It records every request body, and how many
// requests were in flight at once, so tests can check seeds, prompts, retries
// and the concurrency limit.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeReply =
  | { kind: "tool"; name: string; arguments: unknown }
  | { kind: "text"; content: string }
  | { kind: "status"; status: number; body?: string }
  | { kind: "hang" };

export interface FakeRequest {
  body: Record<string, unknown>;
}

export interface FakeEndpoint {
  url: string;
  requests: FakeRequest[];
  maxInFlight: number;
  close(): Promise<void>;
}

/** `reply(req, i)` chooses the i-th reply (0-based over all requests); `delayMs` delays each. */
export async function startFakeEndpoint(
  reply: (req: FakeRequest, i: number) => FakeReply,
  opts: { delayMs?: number } = {},
): Promise<FakeEndpoint> {
  const requests: FakeRequest[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const hanging: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", async () => {
      const body = JSON.parse(raw || "{}");
      const r: FakeRequest = { body };
      const i = requests.push(r) - 1;
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      if (opts.delayMs) await new Promise((ok) => setTimeout(ok, opts.delayMs));
      const plan = reply(r, i);
      const send = (status: number, payload: string) => {
        inFlight--;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(payload);
      };
      if (plan.kind === "hang") {
        hanging.push(() => send(500, "{}"));
        return;
      }
      if (plan.kind === "status") {
        send(plan.status, plan.body ?? JSON.stringify({ error: { message: "scripted failure" } }));
        return;
      }
      const message =
        plan.kind === "tool"
          ? {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: `call_${i}`,
                  type: "function",
                  function: {
                    name: plan.name,
                    arguments:
                      typeof plan.arguments === "string"
                        ? plan.arguments
                        : JSON.stringify(plan.arguments),
                  },
                },
              ],
            }
          : { role: "assistant", content: plan.content };
      send(
        200,
        JSON.stringify({
          id: `cmpl_${i}`,
          model: String(body.model ?? ""),
          choices: [
            { index: 0, message, finish_reason: plan.kind === "tool" ? "tool_calls" : "stop" },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    async close() {
      for (const h of hanging.splice(0)) h();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
