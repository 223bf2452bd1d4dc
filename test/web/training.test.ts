// The web page's Training tab (docs/web.md) in a real browser: it shows a run
// that is still writing metrics (progress and curves grow as lines are appended,
// and it stops at "finished" once the report exists), and it plays a learned
// policy from a real `seige train` run in Watch (the returns equal `seige play
// --json` with the same learned policy) and as the env's opponent in Play. The
// server reads runs only from the folder it is given (SEIGE_LEARNED_DIR).
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Browser,
  buildPage,
  cli,
  launchBrowser,
  offHost,
  type Served,
  screenshot,
  serve,
} from "./harness.js";

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

let server: Served;
let browser: Browser;
let work: string;
let root: string;

const line = (update: number) =>
  `${JSON.stringify({ update, episodes: update * 16, seconds: update, mean_return: update - 5, win_rate: update / 10, components: {}, entropy: 2 - update / 10, value_loss: 1, grad_norm: 1, decisions: 100 })}\n`;

beforeAll(async () => {
  buildPage();
  work = mkdtempSync(join(tmpdir(), "seige-web-train-"));
  root = join(work, "runs");
  // a real, tiny run: its checkpoint is what Watch and Play load
  cli([
    "train",
    "--role",
    "blue",
    "--opponent",
    "scripted:steer",
    "--stage",
    "2",
    "--episodes",
    "32",
    "--eval-seeds",
    "1000..1001",
    "--out",
    join(root, "blue-tiny"),
  ]);
  // a run "in progress", written by hand so the test decides when it grows
  mkdirSync(join(root, "live"));
  writeFileSync(
    join(root, "live/run.json"),
    `${JSON.stringify({ format: "seige-train-run/1", role: "red", opponent: "scripted:probe-threshold", stage: 2, seed: 0, episodes: 160, batch: 16, command: "seige train --role red --out runs/live --episodes 160" })}\n`,
  );
  writeFileSync(
    join(root, "live/baselines.json"),
    `${JSON.stringify([{ name: "scripted:steer", mean_return: 1.7, win_rate: 0.43, components: {} }])}\n`,
  );
  writeFileSync(join(root, "live/metrics.jsonl"), line(1) + line(2));
  [server, browser] = await Promise.all([serve({ SEIGE_LEARNED_DIR: root }), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function open(query: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/web/?${query}`);
  await page.locator("#server-info.ok").waitFor();
  return page;
}

describe("/web training tab", () => {
  it("shows a run live: progress and curves grow with metrics.jsonl, then it is finished", async () => {
    const page = await open("mode=training&run=live");
    await page.locator("#run-head[data-updates='2'][data-state='training']").waitFor();
    expect(await page.locator("#train-count").textContent()).toContain("32 / 160 episodes");
    expect(await page.locator(".train-charts svg.chart").count()).toBe(3);
    // the return chart carries the learned curve and the baseline as a flat line
    expect(await page.locator(".train-charts figure").first().textContent()).toContain(
      "scripted:steer (held-out)",
    );
    appendFileSync(join(root, "live/metrics.jsonl"), line(3) + line(4) + line(5));
    await page.locator("#run-head[data-updates='5']").waitFor({ timeout: 10_000 });
    expect(await page.locator("#train-progress").getAttribute("value")).toBe("80");
    expect(await page.locator("#watch-learned").count()).toBe(0); // no checkpoint yet
    writeFileSync(join(root, "live/report.html"), "<p>done</p>\n");
    await page.locator("#run-head[data-state='finished']").waitFor({ timeout: 10_000 });
    await screenshot(page, "training.png");
    await page.close();
  });

  it("watches a learned Blue play: the returns equal seige play --json with that policy", async () => {
    const page = await open("mode=training&run=blue-tiny&seed=4&stage=2&speed=200");
    await page.locator("#run-head[data-state='finished']").waitFor();
    await page.locator("#watch-learned").click();
    await page.locator("#watch").waitFor();
    expect(await page.locator("#c-blue").inputValue()).toBe("learned:blue-tiny");
    const command = (await page.locator("#command").textContent()) ?? "";
    expect(command).toContain("--blue learned:runs/blue-tiny");
    await page.locator("#new-episode").click();
    await page.locator(".step-label", { hasText: "step 0 /" }).waitFor();
    await page.locator("#autoplay").click();
    const returns = page.locator("#returns[data-final]");
    await returns.waitFor({ timeout: 60_000 });
    const args = command
      .replace(/^npx seige /, "")
      .replace("learned:runs/", `learned:${root}/`)
      .split(" ");
    const report = JSON.parse(cli(args));
    expect(round4(Number(await returns.getAttribute("data-red")))).toBe(report.red.mean_return);
    expect(round4(Number(await returns.getAttribute("data-blue")))).toBe(report.blue.mean_return);
    await page.close();
  });

  it("plays against a learned policy that the env runs as the opponent", async () => {
    const page = await open("mode=training&run=blue-tiny&stage=2");
    await page.locator("#run-head[data-state='finished']").waitFor();
    await page.locator("#play-learned").click();
    await page.locator("#play").waitFor();
    expect(await page.locator("#c-role").inputValue()).toBe("red");
    expect(await page.locator("#c-opponent").inputValue()).toBe("learned:blue-tiny");
    await page.locator("#start-play").click();
    await page.locator('[data-field="strategy"] select').waitFor();
    expect(await page.locator(".status.error").count()).toBe(0);
    expect(offHost).toEqual([]);
    await page.close();
  });
});
