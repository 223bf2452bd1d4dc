/**
 * The page's shareable state lives in the URL's query (`?mode=watch&seed=3&
 * stage=2&red=steer&blue=probe-threshold`), so a link reopens the same episode
 * set-up, and `playCommand` turns it into the equivalent `seige play` command
 * line. The query is read once at start and rewritten (replaceState) on every
 * change; the hash is left alone.
 */

import { isLearnedName } from "./policies.js";

export type Mode = "watch" | "play" | "training";

export interface PageState {
  mode: Mode;
  seed: number;
  stage: 1 | 2 | 3;
  red: string;
  blue: string;
  /** Play mode: the role the person plays */
  role: "red" | "blue";
  /** Watch mode: auto-play speed in steps per second */
  speed: number;
  /** Training tab: the run shown (a folder name inside the server's runs folder), or "" */
  run: string;
}

export const DEFAULTS: PageState = {
  mode: "watch",
  seed: 0,
  stage: 1,
  red: "steer",
  blue: "probe-threshold",
  role: "blue",
  speed: 4,
  run: "",
};

const int = (v: string | null, lo: number, hi: number): number | null => {
  if (v === null || !/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= lo && n <= hi ? n : null;
};

/** Reads the state from a query string; unknown or bad values fall back to the defaults. */
export function readState(search: string, names: { red: string[]; blue: string[] }): PageState {
  const q = new URLSearchParams(search);
  // a learned policy is any well-formed `learned:<run>`; the server says whether it exists
  const pick = (v: string | null, allowed: string[], d: string) =>
    v !== null && (allowed.includes(v) || isLearnedName(v)) ? v : d;
  const mode = q.get("mode");
  const stage = int(q.get("stage"), 1, 3);
  const role = q.get("role");
  return {
    mode: mode === "play" || mode === "training" ? mode : "watch",
    seed: int(q.get("seed"), 0, 2 ** 31 - 1) ?? DEFAULTS.seed,
    stage: (stage ?? DEFAULTS.stage) as 1 | 2 | 3,
    red: pick(q.get("red"), names.red, DEFAULTS.red),
    blue: pick(q.get("blue"), names.blue, DEFAULTS.blue),
    role: role === "red" ? "red" : "blue",
    speed: int(q.get("speed"), 1, 1000) ?? DEFAULTS.speed,
    run: isLearnedName(`learned:${q.get("run")}`) ? (q.get("run") ?? "") : DEFAULTS.run,
  };
}

export function writeState(state: PageState): void {
  const q = new URLSearchParams({
    mode: state.mode,
    seed: String(state.seed),
    stage: String(state.stage),
    red: state.red,
    blue: state.blue,
  });
  if (state.mode === "play") q.set("role", state.role);
  else if (state.mode === "training") q.set("run", state.run);
  else q.set("speed", String(state.speed));
  history.replaceState(null, "", `${location.pathname}?${q}${location.hash}`);
}

/**
 * A policy name as the CLI takes it: a learned run is named inside the server's
 * runs folder, which is `./runs` unless SEIGE_LEARNED_DIR says otherwise.
 */
const cliPolicy = (name: string) =>
  isLearnedName(name) ? `learned:runs/${name.slice("learned:".length)}` : name;

/** The `seige play` command that plays the same episode (`--episodes 1`, this seed and stage). */
export function playCommand(state: PageState): string {
  return [
    "npx seige play",
    `--red ${cliPolicy(state.red)}`,
    `--blue ${cliPolicy(state.blue)}`,
    "--episodes 1",
    `--seed ${state.seed}`,
    `--stage ${state.stage}`,
    "--json",
  ].join(" ");
}
