/**
 * An episode as the page holds it: a list of frames, one per reset or step,
 * each with the action that led to it and the step result the server sent.
 * Live episodes and loaded recordings (`seige play --record`) become the same
 * frames, so Watch, replay and Play share one inspector. Derived series
 * (cumulative reward components per role, what each role last saw, Blue's
 * probe results) are computed here from the frames alone; nothing is added
 * that the frames did not carry.
 */
import { paidComponents } from "../../src/agents/two-player.js";
import type {
  Action,
  BlueView,
  Observation,
  ProbeResult,
  RedView,
  Role,
} from "../../src/arena/schema.js";

export interface Frame {
  /** 0 for the reset, then 1, 2, … per step */
  index: number;
  by: "reset" | "client" | "opponent";
  action: Action | null;
  observation: Observation;
  reward: number;
  done: boolean;
}

/** Cumulative reward components per role after each frame (frame i includes its own payment). */
export function cumulativeComponents(frames: Frame[]): Record<Role, Record<string, number[]>> {
  const out: Record<Role, Record<string, number[]>> = { red: {}, blue: {} };
  const running: Record<Role, Record<string, number>> = { red: {}, blue: {} };
  frames.forEach((f, i) => {
    const paid = paidComponents(f);
    for (const role of ["red", "blue"] as const) {
      for (const [k, v] of Object.entries(paid[role] ?? {})) {
        running[role][k] = (running[role][k] ?? 0) + v;
      }
      for (const [k, v] of Object.entries(running[role])) {
        out[role][k] ??= new Array(frames.length).fill(0);
        out[role][k][i] = v;
      }
    }
  });
  return out;
}

/** Each role's return after each frame (the sum of its components). */
export function cumulativeReturns(frames: Frame[]): Record<Role, number[]> {
  const comps = cumulativeComponents(frames);
  const total = (role: Role) =>
    frames.map((_, i) => Object.values(comps[role]).reduce((s, series) => s + series[i], 0));
  return { red: total("red"), blue: total("blue") };
}

export interface SeenView<V> {
  view: V;
  /** the frame whose observation carried it */
  frame: number;
}

/** The latest view `role` received at or before frame `upTo` (exactly what it saw, never more). */
export function lastView(frames: Frame[], upTo: number, role: "red"): SeenView<RedView> | null;
export function lastView(frames: Frame[], upTo: number, role: "blue"): SeenView<BlueView> | null;
export function lastView(frames: Frame[], upTo: number, role: Role) {
  for (let i = Math.min(upTo, frames.length - 1); i >= 0; i--) {
    const view = frames[i].observation[role];
    if (view) return { view, frame: i };
  }
  return null;
}

/** Every probe result Blue has seen up to frame `upTo`, each once, in order. */
export function probesSeen(frames: Frame[], upTo: number): ProbeResult[] {
  const seen = new Map<string, ProbeResult>();
  for (let i = 0; i <= Math.min(upTo, frames.length - 1); i++) {
    for (const p of frames[i].observation.blue?.probe_results ?? []) {
      seen.set(`${p.tick}/${p.session_id}/${p.layer}`, p);
    }
  }
  return [...seen.values()];
}

/** Frames of episode `episode` (0-based) of a recording; throws with the line number on a bad line. */
export function framesFromRecording(
  text: string,
  episode = 0,
): { frames: Frame[]; options: unknown } {
  const frames: Frame[] = [];
  let options: unknown = null;
  let resets = 0;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n].trim();
    if (raw === "") continue;
    let line: {
      type?: string;
      by?: "client" | "opponent";
      action?: Action;
      options?: unknown;
      result?: { observation: Observation; reward: number; done: boolean };
    };
    try {
      line = JSON.parse(raw);
    } catch {
      throw new Error(`line ${n + 1} is not JSON: is this a seige play --record file?`);
    }
    if (line.type === "reset") {
      resets++;
      if (resets - 1 > episode) break;
      if (resets - 1 < episode) continue;
      options = line.options;
    } else if (line.type !== "step") {
      throw new Error(`line ${n + 1} has unknown type '${line.type}'`);
    } else if (resets === 0) {
      throw new Error("a recording starts with a reset line");
    } else if (resets - 1 !== episode) continue;
    const result = line.result;
    if (!result?.observation) throw new Error(`line ${n + 1} has no step result`);
    frames.push({
      index: frames.length,
      by: line.type === "reset" ? "reset" : (line.by ?? "client"),
      action: line.action ?? null,
      observation: result.observation,
      reward: result.reward,
      done: result.done,
    });
  }
  if (frames.length === 0) throw new Error(`the file holds no episode ${episode + 1}`);
  return { frames, options };
}

/** How many episodes a recording holds (its reset lines). */
export const episodeCount = (text: string): number =>
  text.split("\n").filter((l) => l.startsWith('{"type":"reset"')).length;
