// Progress of long commands (src/commands/progress.ts): an ETA from the rate so
// far, plain lines at a bounded rate off a terminal, JSON lines for tools,
// silence with --quiet; and `seige play` reporting per tick, not per episode.
import { describe, expect, it } from "vitest";
import { formatDuration, Progress } from "../../src/commands/progress.js";
import { captureMain } from "../helpers/cli-process.js";

function fake(
  mode: "auto" | "quiet" | "json",
  tty = false,
  label = "work",
  total: number | null = 10,
) {
  let t = 0;
  const lines: string[] = [];
  const p = new Progress(label, total, {
    mode,
    tty,
    now: () => t,
    write: (s) => lines.push(s),
    everyMs: 5000,
  });
  return { p, lines, advance: (ms: number) => (t += ms) };
}

describe("Progress", () => {
  it("off a terminal: a line at most every everyMs, with elapsed time and ETA, then a final line", () => {
    const { p, lines, advance } = fake("auto");
    for (let i = 1; i <= 10; i++) {
      advance(2000); // 2 s per unit
      p.tick(i, `item ${i}`);
    }
    p.finish("done");
    // t = 2,4,...,20 s: lines at 2, 8 (≥ 5 s after 2), 14, 20.
    expect(lines.length).toBe(5);
    expect(lines[0]).toBe("work: 1/10 (2s elapsed, ETA 18s) item 1\n");
    expect(lines[1]).toBe("work: 4/10 (8s elapsed, ETA 12s) item 4\n");
    expect(lines.at(-1)).toBe("work: 10/10 in 20s done\n");
  });

  it("json: one parseable object per line, with eta_s, and a finished line", () => {
    const { p, lines, advance } = fake("json");
    advance(1500);
    p.tick(2.5, "episode 3/10");
    advance(100);
    p.tick(2.6); // within a second of the last: dropped
    p.finish();
    const objs = lines.map((l) => JSON.parse(l));
    expect(objs).toHaveLength(2);
    expect(objs[0]).toEqual({
      progress: "work",
      total: 10,
      done: 2.5,
      elapsed_s: 1.5,
      eta_s: 4.5,
      note: "episode 3/10",
    });
    expect(objs[1]).toMatchObject({ done: 10, finished: true });
  });

  it("quiet: nothing at all", () => {
    const { p, lines, advance } = fake("quiet");
    advance(60_000);
    p.tick(5);
    p.finish();
    expect(lines).toEqual([]);
  });

  it("on a terminal: redraws one line and clears it before the final line", () => {
    const { p, lines, advance } = fake("auto", true);
    advance(1000);
    p.tick(5);
    p.finish();
    expect(lines[0]).toMatch(/^\rwork █+░+ 5\/10 1s elapsed, ETA 1s/);
    expect(lines.at(-1)).toBe("work: 10/10 in 1s\n");
  });

  it("formats durations", () => {
    expect(formatDuration(4.4)).toBe("4s");
    expect(formatDuration(75)).toBe("1m15s");
    expect(formatDuration(3725)).toBe("1h02m");
    expect(formatDuration(Number.NaN)).toBe("?");
  });
});

describe("seige play progress", () => {
  const play = (extra: string[]) =>
    captureMain(["play", "--red", "text", "--blue", "allow-all", "--episodes", "2", ...extra]);

  it("--json reports per tick as JSON lines on stderr (the first within the first episode)", async () => {
    const r = await play(["--json"]);
    expect(r.code).toBe(0);
    const objs = r.err
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objs[0].progress).toBe("play text vs allow-all");
    expect(objs[0].done).toBeLessThan(1);
    expect(objs[0].note).toMatch(/^episode 1\/2, tick 1\/\d+$/);
    expect(objs.at(-1)).toMatchObject({ done: 2, total: 2, finished: true });
  });

  it("--quiet prints nothing on stderr", async () => {
    const r = await play(["--quiet"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
  });
});

describe("Progress of work of unknown size", () => {
  const open = (mode: "auto" | "json", tty: boolean) => fake(mode, tty, "audit episodes", null);

  it("off a terminal: the count and the time per unit, no ETA; the final line has the count", () => {
    const { p, lines, advance } = open("auto", false);
    p.print("audit [0s] stage 2: searching");
    advance(9000);
    p.tick(3, "stage 2: searching");
    advance(1000);
    p.tick(4); // within everyMs of the last line
    p.finish("on sim");
    expect(lines).toEqual([
      "audit [0s] stage 2: searching\n",
      "audit episodes: 3 (9s elapsed, 3.0 s each) stage 2: searching\n",
      "audit episodes: 4 in 10s on sim\n",
    ]);
  });

  it("under a second a unit, milliseconds", () => {
    const { p, lines, advance } = open("auto", false);
    advance(100);
    p.tick(25);
    expect(lines[0]).toBe("audit episodes: 25 (0s elapsed, 4 ms each)\n");
  });

  it("on a terminal: a message clears the drawn line, and the line is drawn again at the next tick", () => {
    const { p, lines, advance } = open("auto", true);
    advance(2000);
    p.tick(1);
    advance(10);
    p.print("phase two");
    advance(10);
    p.tick(2); // within 100 ms of the last draw, but the message removed it
    expect(lines[0]).toMatch(/^\raudit episodes: 1 \(2s elapsed, 2\.0 s each\)/);
    expect(lines[1]).toMatch(/^\r {119}\r$/);
    expect(lines[2]).toBe("phase two\n");
    expect(lines[3]).toMatch(/^\raudit episodes: 2 /);
  });

  it("json: messages and progress are JSON lines with a null total", () => {
    const { p, lines, advance } = open("json", false);
    p.print("stage 3: fitting");
    advance(2000);
    p.tick(7, "stage 3: fitting");
    p.finish();
    const objs = lines.map((l) => JSON.parse(l));
    expect(objs[0]).toEqual({
      progress: "audit episodes",
      total: null,
      message: "stage 3: fitting",
    });
    expect(objs[1]).toMatchObject({ total: null, done: 7, eta_s: null });
    expect(objs[2]).toMatchObject({ done: 7, finished: true });
  });
});
