/**
 * The action heads of each role's policy: named categorical outputs laid side by
 * side in the network's output vector, with their options taken from the game's
 * vocabulary (strategies, direction labels, threat levels, detection methods,
 * recommended actions, patch methods; `strategy_match` only when the wire's
 * explanation has that field). Continuous and integer parameters are bucketed:
 * layers as fractions of the depth the view reports, magnitudes as a fixed
 * ladder inside the rules' [0, 8], so one network fits any target size.
 *
 * A checkpoint stores its layout; loading one whose options differ from the
 * current vocabulary is refused rather than silently misread.
 */
import {
  BLUE_ACTIONS,
  DETECTION_METHODS,
  DIRECTION_LABELS,
  ExplanationSchema,
  PATCH_METHODS,
  RECOMMENDED_ACTIONS,
  RED_STRATEGIES,
  THREAT_LEVELS,
} from "../arena/schema.js";

export interface Head {
  name: string;
  options: string[];
  offset: number;
}

export class HeadLayout {
  readonly heads: Head[] = [];
  readonly size: number;

  constructor(spec: { name: string; options: readonly string[] }[]) {
    let offset = 0;
    for (const h of spec) {
      this.heads.push({ name: h.name, options: [...h.options], offset });
      offset += h.options.length;
    }
    this.size = offset;
  }

  get(name: string): Head {
    const h = this.heads.find((x) => x.name === name);
    if (!h) throw new Error(`no head '${name}'`);
    return h;
  }

  has(name: string): boolean {
    return this.heads.some((x) => x.name === name);
  }

  /** The output cells of head `name` on input `k`, restricted to `allowed` options (default all). */
  cells(
    name: string,
    k: number,
    allowed?: (option: string) => boolean,
  ): { cells: [number, number][]; options: string[] } {
    const h = this.get(name);
    const cells: [number, number][] = [];
    const options: string[] = [];
    h.options.forEach((o, i) => {
      if (allowed && !allowed(o)) return;
      cells.push([k, h.offset + i]);
      options.push(o);
    });
    return { cells, options };
  }

  toJSON(): { name: string; options: string[] }[] {
    return this.heads.map((h) => ({ name: h.name, options: h.options }));
  }

  /** Throws unless `other` (a checkpoint's layout) is this one. */
  assertSame(other: { name: string; options: string[] }[], what: string): void {
    const a = JSON.stringify(this.toJSON());
    const b = JSON.stringify(other);
    if (a !== b) {
      throw new Error(
        `${what} was trained with other action heads than this version of the game has; retrain it`,
      );
    }
  }
}

/** Layer buckets: option i means layer round(i/(n−1) · (n_layers − 1)). */
export const LAYER_BUCKETS = ["0", "1", "2", "3", "4", "5", "6", "7"];
export const layerOf = (bucket: string, nLayers: number): number =>
  Math.round((Number(bucket) / (LAYER_BUCKETS.length - 1)) * Math.max(0, nLayers - 1));

/** Magnitudes (calibrated units, inside the rules' [0, 8]). */
export const MAGNITUDES = ["0.25", "0.5", "1", "1.5", "2", "3", "4", "6"];
/** Spans of a layer range, as fractions of the depth. */
export const SPANS = ["0.1", "0.2", "0.4", "0.6"];
/** Groups of attention heads for circuit_bypass: quarter i of the heads. */
export const HEAD_GROUPS = ["0", "1", "2", "3"];

/** Red's text: the strategy's own tactic text, a quiet ask, a direct ask, or small talk. */
export const RED_TEXTS = ["tactic", "quiet", "direct", "cover"];

export const BLUE_TYPES = ["monitor", "probe", "flag", "block", "patch"] as const;
for (const t of BLUE_TYPES) {
  if (!(BLUE_ACTIONS as readonly string[]).includes(t)) throw new Error(`unknown Blue action ${t}`);
}

/** Whether this version of the wire scores a named strategy in explanations (rules v2). */
export const HAS_STRATEGY_MATCH = "strategy_match" in ExplanationSchema.shape;

export function blueHeads(): HeadLayout {
  return new HeadLayout([
    { name: "type", options: BLUE_TYPES },
    { name: "layer", options: LAYER_BUCKETS },
    { name: "threat_level", options: THREAT_LEVELS },
    { name: "detection_method", options: DETECTION_METHODS },
    { name: "direction_match", options: ["none", ...DIRECTION_LABELS] },
    { name: "layer_implicated", options: ["none", "probed"] },
    { name: "recommended_action", options: RECOMMENDED_ACTIONS },
    ...(HAS_STRATEGY_MATCH
      ? [{ name: "strategy_match", options: ["none", ...RED_STRATEGIES] }]
      : []),
    { name: "patch_method", options: PATCH_METHODS },
  ]);
}

export function redHeads(): HeadLayout {
  return new HeadLayout([
    { name: "strategy", options: RED_STRATEGIES },
    { name: "text", options: RED_TEXTS },
    { name: "layer", options: LAYER_BUCKETS },
    { name: "direction", options: DIRECTION_LABELS },
    { name: "magnitude", options: MAGNITUDES },
    { name: "span", options: SPANS },
    { name: "heads", options: HEAD_GROUPS },
  ]);
}
