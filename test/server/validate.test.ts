// The runtime checks `openenv validate <url>` makes (PROTOCOL.md §4.2), exactly
// as its _validation.py makes them: five requests, six required criteria.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server/index.js";
import { http, startTestServer, type Wire } from "./helpers.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const isObj = (v: unknown): v is Record<string, Wire> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

describe("openenv validate (runtime)", () => {
  it("passes all six required criteria against a running seige", async () => {
    const base = server.url;
    const criteria: Record<string, boolean> = {};

    const api = await http(base, "GET", "/openapi.json");
    const doc = api.body as Wire;
    criteria.openapi_version_available =
      api.status === 200 && isObj(doc) && isObj(doc.info) && typeof doc.info.version === "string";

    const health = await http(base, "GET", "/health");
    criteria.health_endpoint =
      health.status === 200 && isObj(health.body) && health.body.status === "healthy";

    const meta = await http(base, "GET", "/metadata");
    criteria.metadata_endpoint =
      meta.status === 200 &&
      isObj(meta.body) &&
      typeof meta.body.name === "string" &&
      typeof meta.body.description === "string";

    const schema = await http(base, "GET", "/schema");
    const s = schema.body;
    criteria.schema_endpoint =
      schema.status === 200 &&
      isObj(s) &&
      isObj(s.action) &&
      isObj(s.observation) &&
      isObj(s.state);

    const mcp = await http(base, "POST", "/mcp", "{}");
    criteria.mcp_endpoint = mcp.status === 200 && isObj(mcp.body) && mcp.body.jsonrpc === "2.0";

    const paths = Object.keys(doc?.paths ?? {});
    const simulation = paths.includes("/reset");
    criteria.mode_endpoint_consistency =
      paths.length > 0 &&
      (simulation
        ? paths.includes("/step") && paths.includes("/state")
        : !paths.includes("/step") && !paths.includes("/state"));

    expect(criteria).toEqual({
      openapi_version_available: true,
      health_endpoint: true,
      metadata_endpoint: true,
      schema_endpoint: true,
      mcp_endpoint: true,
      mode_endpoint_consistency: true,
    });
    expect(doc.info.version).toMatch(/^1\./); // profile openenv-http/1.x
    expect(simulation).toBe(true);
  });
});
