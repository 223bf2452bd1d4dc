/**
 * `seige precompute --backend sim`: the sim as an `ActivationSource` and its own
 * closed-form kit (SIM_GEOMETRY) as the artifact. The sim's directions are not
 * fitted: they are what its residual stream is built from, so the artifact holds
 * exactly the kit `SimTarget` summarises with, and the prompt data only measures
 * it (separation of each label's pairs, probe accuracy) with the same metrics as a
 * real model's. It lives with the command because directions/ sits below target/
 * in the layering and must not import the sim.
 */
import { createHash } from "node:crypto";
import type { ActivationSource } from "../directions/index.js";
import { computeResidual, readRequest, SIM_CONFIG, SIM_GEOMETRY } from "../target/sim/index.js";

/** `sim:<sha256 of SIM_CONFIG>`: changes whenever the sim model changes. */
export function simModelHash(): string {
  return `sim:${createHash("sha256").update(JSON.stringify(SIM_CONFIG)).digest("hex")}`;
}

/**
 * Each text as one user turn, read at the sim's last prompt position; noise is
 * keyed by the text, so a text always gives the same activation.
 */
export function simSource(): ActivationSource {
  const geo = SIM_GEOMETRY;
  return {
    nLayers: geo.config.nLayers,
    dModel: geo.config.dModel,
    async activations(texts, layers, onEach) {
      const out = layers.map(() => new Array<Float32Array>(texts.length));
      texts.forEach((text, k) => {
        const reading = readRequest([{ role: "user", content: text }], geo.vocab);
        const trace = computeResidual(geo, reading, [], `precompute/${text}`, layers);
        layers.forEach((l, li) => {
          out[li][k] = Float32Array.from(trace.x.get(l)!);
        });
        onEach?.(k + 1);
      });
      return out;
    },
  };
}
