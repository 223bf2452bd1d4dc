// The web arena as a new user first meets it (issue: the first hour), in real
// Chromium against a real `seige serve`: an "about" strip that says what the
// game is, with links to the rules; a legend for probe rows; charts whose last
// heatmap column is fully visible and whose text stays ≥ 10 px at 1280 and
// 390 px; reward axes with nice ticks and a view before the settlement; a Play
// form that shows only the fields of the chosen action and only the stage's
// strategies, and never sends a value typed for another choice.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownFields } from "../../web/src/action-fields.js";
import { niceTicks } from "../../web/src/ticks.js";
import {
  type Browser,
  buildPage,
  launchBrowser,
  offHost,
  type Served,
  screenshot,
  serve,
} from "./harness.js";

let server: Served;
let browser: Browser;

beforeAll(async () => {
  buildPage();
  [server, browser] = await Promise.all([serve(), launchBrowser()]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(query: string, width = 1280): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
  await page.goto(`${server.url}/web/?${query}`);
  await page.locator("#server-info.ok").waitFor();
  return page;
}

/** Watches a stage-2 episode with probes to its end. */
async function watchToEnd(width: number): Promise<Page> {
  const page = await open(
    "mode=watch&seed=3&stage=2&red=steer&blue=probe-threshold&speed=500",
    width,
  );
  await page.locator("#new-episode").click();
  await page.locator("#autoplay").click();
  await page.locator("#returns[data-final]").waitFor({ timeout: 60_000 });
  await page.locator("#probe-legend").waitFor();
  // Let the charts' ResizeObserver draw them at their laid-out width.
  await page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
  return page;
}

/** Smallest rendered font size (CSS px) of any text in any chart, and the count of texts. */
const SMALLEST_TEXT = `(() => {
  let min = Infinity, n = 0;
  for (const svg of document.querySelectorAll("svg.chart")) {
    const vb = svg.viewBox.baseVal;
    const scale = svg.getBoundingClientRect().width / vb.width;
    for (const t of svg.querySelectorAll("text")) {
      n++;
      min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  return { min, n };
})()`;

/** Where the heatmap's last column (label and cells) lies, against its SVG and the viewport. */
const HEATMAP_LAST_COLUMN = `(() => {
  const fig = [...document.querySelectorAll("figure")].find((f) =>
    f.querySelector("figcaption")?.textContent.startsWith("Cosine"));
  const svg = fig.querySelector("svg");
  const box = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll("text.col-label")];
  const last = labels[labels.length - 1];
  const cells = [...svg.querySelectorAll("rect.cell")];
  const lastX = Math.max(...cells.map((c) => c.getBoundingClientRect().right));
  const l = last.getBoundingClientRect();
  return { label: last.textContent, svg: { left: box.left, right: box.right, top: box.top },
    lab: { left: l.left, right: l.right, top: l.top }, cellRight: lastX,
    viewport: window.innerWidth, scroll: document.documentElement.scrollWidth };
})()`;

describe("the about strip", () => {
  it("says what the game is, what a win is, why the winner can score less, and links to the rules", async () => {
    const page = await open("mode=watch");
    const about = page.locator("#about");
    expect(await about.isVisible()).toBe(true);
    const text = (await about.textContent()) ?? "";
    for (const words of ["Red", "Blue", "Stages", "Red wins", "Blue wins", "lower return"])
      expect(text).toContain(words);
    expect(text).toContain("t3 s0 L6");
    // The rules link works offline: the build ships docs/game.md as text.
    const href = await page.locator("#rules-link").getAttribute("href");
    const rules = await page.evaluate(
      `fetch(new URL(${JSON.stringify(href)}, location.href)).then(async (r) => [r.status, r.headers.get("content-type"), await r.text()])`,
    );
    const [status, type, body] = rules as [number, string, string];
    expect(status).toBe(200);
    expect(type).toContain("text/plain");
    expect(body).toMatch(/^# The game as implemented/);
    // Once closed, it stays closed on the next visit.
    await page.locator("#about > summary").click();
    await page.reload();
    await page.locator("#server-info.ok").waitFor();
    expect(
      await page.locator("#about").evaluate((d) => (d as unknown as { open: boolean }).open),
    ).toBe(false);
    await page.locator("#about > summary").click();
    await page.close();
  });
});

describe("charts at 1280 and 390 px", () => {
  for (const width of [1280, 390]) {
    it(`at ${width} px: probe legend, the heatmap's last column fully visible, chart text ≥ 10 px`, async () => {
      const page = await watchToEnd(width);
      const legend = (await page.locator("#probe-legend").textContent()) ?? "";
      expect(legend).toMatch(/t3 s0 L6.*tick 3.*session s0.*layer 6/);
      const heat = (await page.evaluate(HEATMAP_LAST_COLUMN)) as {
        label: string;
        svg: { left: number; right: number; top: number };
        lab: { left: number; right: number; top: number };
        cellRight: number;
        viewport: number;
        scroll: number;
      };
      expect(heat.label).toBe("positivity");
      expect(heat.lab.right).toBeLessThanOrEqual(heat.svg.right + 0.5);
      expect(heat.lab.top).toBeGreaterThanOrEqual(heat.svg.top - 0.5);
      expect(heat.cellRight).toBeLessThanOrEqual(heat.svg.right + 0.5);
      expect(heat.svg.right).toBeLessThanOrEqual(heat.viewport);
      expect(heat.scroll).toBeLessThanOrEqual(heat.viewport);
      const text = (await page.evaluate(SMALLEST_TEXT)) as { min: number; n: number };
      expect(text.n).toBeGreaterThan(20);
      expect(text.min).toBeGreaterThanOrEqual(10);
      await screenshot(page, `charts-${width}.png`);
      await page.close();
    });
  }
});

describe("reward charts", () => {
  it("label the y axis at nice values and offer the view before settlement", async () => {
    const page = await watchToEnd(1280);
    const chart = page.locator("figure", { hasText: "Blue reward components" }).first();
    const yTicks = async () =>
      (await chart.locator("text.tick[text-anchor=end]").allTextContents()).map(Number);
    const whole = await yTicks();
    expect(whole.length).toBeGreaterThanOrEqual(4);
    const step = whole[1] - whole[0];
    expect(step).toBeGreaterThan(0);
    for (let i = 1; i < whole.length; i++) expect(whole[i] - whole[i - 1]).toBeCloseTo(step, 6);
    expect(Number((step / 10 ** Math.floor(Math.log10(step))).toFixed(6))).toBeOneOf([1, 2, 5]);
    const lastStep = async () =>
      Number(await chart.locator("svg").first().getAttribute("data-steps"));
    const steps = await lastStep();
    await page.locator("#before-settlement").check();
    const cut = page.locator("figure", { hasText: "Blue reward components" }).first();
    await cut.locator(".chart-note", { hasText: "Settlement at step" }).waitFor();
    expect(await lastStep()).toBeLessThan(steps);
    // The settlement no longer sets the scale: the axis spans less.
    const before = await yTicks();
    expect(Math.max(...before) - Math.min(...before)).toBeLessThan(
      Math.max(...whole) - Math.min(...whole),
    );
    await screenshot(page, "before-settlement.png");
    await page.close();
  });

  it("niceTicks gives 1-2-5 steps that cover the range and include 0", () => {
    expect(niceTicks(-1.3, 12.7, 5)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(niceTicks(-23, 4, 5)).toEqual([-20, -15, -10, -5, 0]);
    expect(niceTicks(0, 0.37, 4)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 11, 11)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

/** The top-level fields the form shows now. */
const shownFields = (page: Page) =>
  page.evaluate(
    `[...document.querySelectorAll(".action-form [data-field]")].filter((e) => e.checkVisibility() && !e.dataset.field.includes(".")).map((e) => e.dataset.field)`,
  ) as Promise<string[]>;

async function choose(page: Page, path: string, value: string): Promise<void> {
  await page.locator(`[data-field="${path}"] > select`).selectOption(value);
}

describe("the Play form", () => {
  it("shows only the fields of the chosen Blue action and sends no stale value", async () => {
    const page = await open("mode=play&role=blue&red=text&seed=4&stage=2");
    const sent: Record<string, unknown>[] = [];
    page.on("websocket", (ws) =>
      ws.on("framesent", (f) => {
        const m = JSON.parse(String(f.payload));
        if (m.type === "step") sent.push(m.data);
      }),
    );
    await page.locator("#start-play").click();
    await page.locator('[data-field="action_type"] select').waitFor();
    await choose(page, "action_type", "probe");
    expect((await shownFields(page)).sort()).toEqual(["action_type", "layer", "session_id"]);
    await choose(page, "action_type", "monitor");
    expect(await shownFields(page)).toEqual(["action_type"]);
    await choose(page, "action_type", "patch");
    expect((await shownFields(page)).sort()).toEqual(
      [
        "action_type",
        "direction_label",
        "explanation",
        "layer",
        "method",
        "patch_reference",
        "session_id",
      ].sort(),
    );
    // Typed for a probe, then the user switches to monitor: nothing of the probe goes out.
    await choose(page, "action_type", "probe");
    await page.locator('[data-field="session_id"] > input').fill("s0");
    await page.locator('[data-field="layer"] > input').fill("3");
    await choose(page, "action_type", "monitor");
    await page.locator(".action-form button[type=submit]").click();
    await page.locator("#play[data-steps='1']").waitFor();
    expect(sent.at(-1)).toEqual({ agent_type: "blue", action_type: "monitor" });
    // Back to probe: the hidden fields were cleared, not kept.
    await choose(page, "action_type", "probe");
    expect(await page.locator('[data-field="layer"] > input').inputValue()).toBe("");
    expect(await page.locator('[data-field="session_id"] > input').inputValue()).toBe("");
    await screenshot(page, "play-form.png");
    await page.close();
  });

  it("keeps a person's session while they think for several seconds (default idle timeout)", async () => {
    // The server runs with SEIGE_SESSION_IDLE_S unset: a 0.6 s default once closed
    // every Play session of anyone who paused before acting.
    const page = await open("mode=play&role=blue&red=text&seed=5&stage=1");
    const closed: number[] = [];
    page.on("websocket", (ws) => ws.on("close", () => closed.push(Date.now())));
    await page.locator("#start-play").click();
    await page.locator('[data-field="action_type"] select').waitFor();
    await page.waitForTimeout(3_000);
    await choose(page, "action_type", "monitor");
    await page.locator(".action-form button[type=submit]").click();
    await page.locator("#play[data-steps='1']").waitFor();
    expect(closed).toEqual([]);
    await page.close();
  });

  for (const stage of [1, 2, 3]) {
    it(`offers Red only the strategies its stage-${stage} view lists, with their fields`, async () => {
      const page = await open(`mode=play&role=red&blue=allow-all&seed=2&stage=${stage}`);
      const views: { available_strategies: string[] }[] = [];
      page.on("websocket", (ws) =>
        ws.on("framereceived", (f) => {
          const m = JSON.parse(String(f.payload));
          if (m.type === "observation" && m.data.observation.red)
            views.push(m.data.observation.red);
        }),
      );
      await page.locator("#start-play").click();
      await page.locator('[data-field="strategy"] select').waitFor();
      const offered = await page.locator('[data-field="strategy"] select option').allTextContents();
      expect(views.length).toBeGreaterThan(0);
      expect(offered).toEqual(views.at(-1)!.available_strategies);
      expect((await shownFields(page)).sort()).toEqual(
        ["payload", "session_id", "strategy", "sub_strategy"].sort(),
      );
      if (offered.includes("steering_vector")) {
        await choose(page, "strategy", "steering_vector");
        expect(await shownFields(page)).toEqual(
          expect.arrayContaining(["target_layer", "direction_label", "magnitude"]),
        );
        await page.locator('[data-field="target_layer"] > input').fill("2");
        await choose(page, "strategy", offered[0]);
        expect(await shownFields(page)).not.toContain("target_layer");
        await choose(page, "strategy", "steering_vector");
        expect(await page.locator('[data-field="target_layer"] > input').inputValue()).toBe("");
      }
      await page.close();
    });
  }

  it("knows every field of the server's action schema (none hidden by accident)", async () => {
    const schema = (await (await fetch(`${server.url}/schema`)).json()) as {
      action: { oneOf?: { properties: Record<string, { const?: string }> }[] };
    };
    for (const branch of schema.action.oneOf ?? []) {
      const role = branch.properties.agent_type.const as "red" | "blue";
      const known = knownFields(role);
      for (const field of Object.keys(branch.properties))
        expect(known, `${role}.${field}`).toContain(field);
    }
  });

  it("made no request to any host but its server", () => {
    expect(offHost).toEqual([]);
  });
});
