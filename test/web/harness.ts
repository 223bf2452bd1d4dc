// The e2e harness for the web page: builds the page (vite, into dist/web, as
// `npm run build` does), starts a real `seige serve` on 127.0.0.1 and a free
// port in a child process, finds Chromium (CHROMIUM_PATH, else `chromium` on
// the PATH; never a hard-coded path) and launches it headless with a fresh
// profile and background networking off, so the browser talks only to the
// test server. A missing browser is an error that says how to install one.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const ROOT = join(import.meta.dirname, "../..");

/** Chromium's executable from CHROMIUM_PATH or the PATH; throws a clear error when there is none. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    try {
      accessSync(fromEnv, constants.X_OK);
    } catch {
      throw new Error(`CHROMIUM_PATH is '${fromEnv}', which is not an executable file`);
    }
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  throw new Error(
    "no Chromium found for the /web end-to-end tests: install it (Debian: apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to its executable",
  );
}

/** Builds the page into dist/web, exactly as `npm run build` does (the tests then serve what they built). */
export function buildPage(): void {
  const vite = join(ROOT, "node_modules/vite/bin/vite.js");
  const r = spawnSync(process.execPath, [vite, "build", "--config", "web/vite.config.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** `seige serve --host 127.0.0.1 --port 0` from the sources, with extra environment variables. */
export async function serve(env: Record<string, string> = {}): Promise<Served> {
  const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(["serve", "--host", "127.0.0.1", "--port", "0"]);`;
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", code],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`seige serve did not start: ${err}`)), 30_000);
    child.stderr?.on("data", (d) => {
      err += d;
      const m = /serving on http:\/\/[\d.]+:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.once("exit", (c) => reject(new Error(`seige serve exited (${c}): ${err}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exit = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Runs the seige CLI from the sources and returns its stdout. */
export function cli(args: string[]): string {
  const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`seige ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; it may reach 127.0.0.1 only. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  const profile = mkdtempSync(join(tmpdir(), "seige-web-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  // Any request to another host is a failure of "no CDN, works offline".
  await context.route(/^(?!(https?|wss?):\/\/127\.0\.0\.1[:/]|data:|blob:)/, (route) => {
    offHost.push(route.request().url());
    return route.abort();
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** URLs the page tried to fetch from a host other than 127.0.0.1 (should stay empty). */
export const offHost: string[] = [];

/**
 * Where a test's screenshots go: docs/screenshots/ (tracked, shown by the README)
 * only when UPDATE_SCREENSHOTS=1, so that `npm test` leaves `git status` clean;
 * SEIGE_SHOTS_DIR=<folder> to look at them without touching the docs; otherwise
 * none are written.
 */
export const SHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(ROOT, "docs/screenshots")
    : (process.env.SEIGE_SHOTS_DIR ?? null);

/** Saves a screenshot of `page` as SHOTS/name, when screenshots are asked for. */
export async function screenshot(
  page: import("playwright-core").Page,
  name: string,
  fullPage = true,
): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, name), fullPage });
}
