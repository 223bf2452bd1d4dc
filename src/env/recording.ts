/**
 * Episodes as JSONL: one `reset` line, then one `step` line per arena transition
 * (the client's and the built-in opponent's), in order. A line holds only what
 * is a function of the seed, the options and the actions — no clock, no host —
 * so the same seed and the same actions give a byte-identical file (GAME.md §1.3).
 * `Recorder` collects lines from an env's hooks; `replayEpisodes` re-runs them on
 * a fresh env and reports the first line that differs.
 */
import { RULES_REVISION, RULES_VERSION } from "../arena/config.js";
import type { Action, StepResult } from "../arena/schema.js";
import type { TargetSystem } from "../target/types.js";
import { SeigeError } from "../util/errors.js";
import { SeigeEnv } from "./env.js";
import type { EnvResetOptions } from "./options.js";

export const RECORDING_VERSION = 1;

export type RecordLine =
  | {
      type: "reset";
      version: number;
      /** the rules version the episode was played under (absent: rules v1) */
      rules?: number;
      /** the revision of that version's rules (absent: revision 0) */
      revision?: number;
      target: { backend: string; model: string };
      options: EnvResetOptions;
      result: StepResult;
    }
  | { type: "step"; by: "client" | "opponent"; action: Action; result: StepResult };

/** Collects an env's episodes as JSONL lines; `write` receives each finished line. */
export class Recorder {
  constructor(
    private readonly target: TargetSystem,
    private readonly write: (line: string) => void,
  ) {}

  /** Attach to an env: every reset and transition from now on is recorded. */
  attach(env: SeigeEnv): void {
    env.setHooks({
      onReset: (options, result) =>
        this.emit({
          type: "reset",
          version: RECORDING_VERSION,
          rules: RULES_VERSION,
          revision: RULES_REVISION,
          target: { backend: this.target.info.backend, model: this.target.info.modelId },
          options,
          result,
        }),
      onTransition: (t) =>
        this.emit({ type: "step", by: t.by, action: t.action, result: t.result }),
    });
  }

  private emit(line: RecordLine): void {
    this.write(JSON.stringify(line));
  }
}

export interface ReplayReport {
  episodes: number;
  steps: number;
  ok: boolean;
  /** 1-based line number of the first difference, with both versions */
  mismatch?: { line: number; expected: string; actual: string };
}

/** Splits JSONL text into parsed lines (with their raw text), with a clear error for a bad one. */
export function parseRecording(text: string): { line: RecordLine; raw: string }[] {
  const lines: { line: RecordLine; raw: string }[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let parsed: RecordLine;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new SeigeError("validation_error", `recording line ${i + 1} is not JSON`);
    }
    if (parsed.type !== "reset" && parsed.type !== "step") {
      throw new SeigeError(
        "validation_error",
        `recording line ${i + 1} has unknown type '${(parsed as { type?: unknown }).type}'`,
      );
    }
    if (parsed.type === "reset" && parsed.version !== RECORDING_VERSION) {
      throw new SeigeError(
        "validation_error",
        `recording line ${i + 1} is version ${parsed.version}; this seige reads version ${RECORDING_VERSION} (record it again)`,
      );
    }
    if (parsed.type === "reset" && (parsed.rules ?? 1) !== RULES_VERSION) {
      throw new SeigeError(
        "validation_error",
        `recording line ${i + 1} is a rules v${parsed.rules ?? 1} recording; this seige plays rules v${RULES_VERSION}, whose rewards and traffic differ, so it cannot be replayed (record it again)`,
      );
    }
    if (parsed.type === "reset" && (parsed.revision ?? 0) !== RULES_REVISION) {
      throw new SeigeError(
        "validation_error",
        `recording line ${i + 1} is a rules v${RULES_VERSION} revision ${parsed.revision ?? 0} recording; this seige plays rules v${RULES_VERSION} revision ${RULES_REVISION}, whose traffic or rewards differ, so it cannot be replayed (record it again)`,
      );
    }
    lines.push({ line: parsed, raw });
  });
  if (lines.length > 0 && lines[0].line.type !== "reset") {
    throw new SeigeError("validation_error", "a recording starts with a reset line");
  }
  return lines;
}

/**
 * A recording replays only on the target it was played on: on another one the first
 * reply differs and the report would name a meaningless mismatch (the organism's
 * recordings replayed on the default sim differ at `n_heads`), so say which target it needs.
 */
function checkRecordedTarget(
  recorded: ReturnType<typeof parseRecording>,
  target: TargetSystem,
): void {
  const { backend, modelId } = target.info;
  recorded.forEach(({ line }, i) => {
    if (line.type !== "reset" || !line.target?.backend) return;
    const t = line.target;
    if (t.backend === backend && t.model === modelId) return;
    throw new SeigeError(
      "validation_error",
      `recording line ${i + 1} was played on target ${t.backend} (${t.model}); this replay runs on ${backend} (${modelId}). Replay it on the same target: --target or SEIGE_TARGET_BACKEND chooses the backend (sim, lens, organism, openai), SEIGE_TARGET_MODEL the lens model`,
    );
  });
}

/**
 * Re-runs every recorded episode on a fresh env over `target` (client actions are
 * fed back; the opponent, if any, chooses again) and compares each produced line
 * with the recorded one, byte for byte.
 */
export async function replayEpisodes(target: TargetSystem, text: string): Promise<ReplayReport> {
  const recorded = parseRecording(text);
  checkRecordedTarget(recorded, target);
  const produced: string[] = [];
  const env = new SeigeEnv(target);
  new Recorder(target, (l) => produced.push(l)).attach(env);
  let episodes = 0;
  let steps = 0;
  const check = (upTo: number): ReplayReport | null => {
    for (let i = 0; i < Math.min(upTo, produced.length); i++) {
      const expected = recorded[i].raw;
      if (produced[i] !== expected) {
        return {
          episodes,
          steps,
          ok: false,
          mismatch: { line: i + 1, expected, actual: produced[i] },
        };
      }
    }
    return null;
  };
  for (const { line } of recorded) {
    if (line.type === "reset") {
      episodes++;
      await env.reset(line.options);
    } else if (line.by === "client") {
      steps++;
      await env.step(line.action);
    } else {
      continue; // opponent lines are produced by the env itself
    }
    const bad = check(produced.length);
    if (bad) return bad;
  }
  if (produced.length !== recorded.length) {
    const i = Math.min(produced.length, recorded.length);
    return {
      episodes,
      steps,
      ok: false,
      mismatch: {
        line: i + 1,
        expected: recorded[i]?.raw ?? "(nothing)",
        actual: produced[i] ?? "(nothing)",
      },
    };
  }
  return { episodes, steps, ok: true };
}
