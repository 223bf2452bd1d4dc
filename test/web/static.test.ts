// Serving the built page under /web (src/server/http/static.ts), without a
// socket: content types, the relative redirect, no way out of the asset
// folder, a helpful 404 when the page was never built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeigeEnv } from "../../src/env/index.js";
import {
  createApp,
  DEFAULT_LIMITS,
  resolveAsset,
  SERVER_INFO,
  SessionManager,
} from "../../src/server/index.js";
import { createTarget } from "../../src/target/index.js";

let root: string;
let appFor: (webRoot: string) => ReturnType<typeof createApp>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "seige-static-"));
  mkdirSync(join(root, "web/assets"), { recursive: true });
  writeFileSync(join(root, "web/index.html"), "<!doctype html><title>page</title>");
  writeFileSync(join(root, "web/assets/app-1.js"), "console.log(1)");
  writeFileSync(join(root, "web/assets/app-1.css"), "body{}");
  writeFileSync(join(root, "secret.txt"), "outside the asset folder");
  const target = await createTarget({ backend: "sim" });
  appFor = (webRoot) =>
    createApp({
      sessions: new SessionManager(() => new SeigeEnv(target), DEFAULT_LIMITS),
      info: SERVER_INFO,
      log: () => {},
      webRoot,
    });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("resolveAsset", () => {
  it("keeps paths inside the root and refuses every way out", () => {
    const base = join(root, "web");
    expect(resolveAsset(base, "assets/app-1.js")).toBe(join(base, "assets/app-1.js"));
    expect(resolveAsset(base, "./index.html")).toBe(join(base, "index.html"));
    for (const bad of [
      "../secret.txt",
      "assets/../../secret.txt",
      "%2e%2e/secret.txt",
      "%2E%2E%2Fsecret.txt",
      "..%5csecret.txt",
      "index.html%00.js",
      "%E0%A4%A",
    ]) {
      expect(resolveAsset(base, bad), bad).toBeNull();
    }
  });
});

describe("GET /web", () => {
  it("redirects /web to web/ with a relative Location (works behind a path prefix)", async () => {
    const res = await appFor(join(root, "web")).request("/web");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("web/");
    const withQuery = await appFor(join(root, "web")).request("/web?mode=play&seed=3");
    expect(withQuery.headers.get("location")).toBe("web/?mode=play&seed=3");
  });

  it("serves index.html and assets with their content types", async () => {
    const app = appFor(join(root, "web"));
    const page = await app.request("/web/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain("<title>page</title>");
    const js = await app.request("/web/assets/app-1.js");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(await js.text()).toBe("console.log(1)");
    const css = await app.request("/web/assets/app-1.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 404 for missing files, folders and traversal attempts", async () => {
    const app = appFor(join(root, "web"));
    for (const path of [
      "/web/missing.js",
      "/web/assets",
      "/web/%2e%2e/secret.txt",
      "/web/assets/%2e%2e/%2e%2e/secret.txt",
      "/web/..%2fsecret.txt",
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain("outside the asset folder");
    }
  });

  it("says how to build the page when it was never built", async () => {
    const res = await appFor(join(root, "nowhere")).request("/web/");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("npm run build");
  });

  it("leaves the protocol's routes alone", async () => {
    const app = appFor(join(root, "web"));
    expect((await app.request("/health")).status).toBe(200);
    expect((await app.request("/")).status).toBe(404);
  });
});
