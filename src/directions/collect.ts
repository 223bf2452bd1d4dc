/**
 * Where activations for extraction come from: an `ActivationSource` turns texts
 * into one residual vector per (layer, text). `lensSource` reads a real (or tiny)
 * model through src/lens: each text is rendered as one user turn through the
 * model's chat template (with the assistant header, so the read point is where the
 * model is about to answer — Arditi et al.'s post-instruction tokens), prefilled
 * alone or in left-padded batches (`generate` with `maxNewTokens: 0` and one
 * `capture` per layer; captures skip padding, so a prompt reads the same as alone
 * up to float rounding), and read at `blocks.{l}.hook_resid_post` (the block output:
 * HF `hidden_states[l+1]`, where repeng/CAA read and where the lens target steers
 * and probes), at the last token (default) or as the mean over the prompt's tokens.
 *
 * It does not compute directions or statistics (extract.ts, baseline-stats.ts)
 * and owns no model lifetime: the caller loads and closes the model.
 */
import { type LensModel, residPost } from "../lens/index.js";
import { SeigeError } from "../util/errors.js";

export type ReadPosition = "last" | "mean";

export interface ActivationSource {
  readonly nLayers: number;
  readonly dModel: number;
  /**
   * [layer index in `layers`][text index] → [dModel]. `groups[k]` (default k)
   * picks text k's context where a source has several (system prompts): the two
   * members of a contrastive pair share a group, so they differ only in the text.
   */
  activations(
    texts: readonly string[],
    layers: readonly number[],
    onEach?: (done: number) => void,
    groups?: readonly number[],
  ): Promise<Float32Array[][]>;
}

export interface LensSourceOptions {
  /** token read point (default "last") */
  position?: ReadPosition;
  /** "chat" renders a user turn through the chat template (default when the tokenizer has one); "raw" encodes the text alone */
  template?: "chat" | "raw";
  /**
   * optional system message placed before the user turn (chat template only); a
   * list is cycled through, text k getting system[group(k) mod length], so the
   * read points cover a deployment's varied system prompts
   */
  system?: string | readonly string[];
  /** prompts per left-padded prefill batch (default 1: on CPU, long prompts run faster alone) */
  batchSize?: number;
}

/** The ids a text is read at, as `lensSource` renders it for context group `index`. */
export function promptTokens(
  model: LensModel,
  text: string,
  opts: LensSourceOptions = {},
  index = 0,
): number[] {
  const tok = model.tokenizer;
  if (!tok)
    throw new SeigeError(
      "config_error",
      "the model has no tokenizer.json; directions are computed from text prompts",
    );
  const template = opts.template ?? (tok.hasChatTemplate ? "chat" : "raw");
  if (template === "chat") {
    if (!tok.hasChatTemplate)
      throw new SeigeError(
        "config_error",
        "the model's tokenizer has no chat template; use the raw template (--template raw)",
      );
    const system =
      typeof opts.system === "string"
        ? opts.system
        : opts.system && opts.system.length > 0
          ? opts.system[index % opts.system.length]
          : "";
    if (!system) return model.chat([{ role: "user", content: text }]).tokens;
    try {
      return model.chat([
        { role: "system", content: system },
        { role: "user", content: text },
      ]).tokens;
    } catch {
      // Some templates (Gemma) refuse a system turn; their docs put it at the
      // top of the first user turn, as the lens target does.
      return model.chat([{ role: "user", content: `${system}\n\n${text}` }]).tokens;
    }
  }
  return tok.encode(text, { addSpecialTokens: true });
}

export function lensSource(model: LensModel, opts: LensSourceOptions = {}): ActivationSource {
  const reduce = opts.position ?? "last";
  const batchSize = Math.max(1, opts.batchSize ?? 1);
  return {
    nLayers: model.config.nLayers,
    dModel: model.config.dModel,
    async activations(texts, layers, onEach, groups) {
      const captures = layers.map((l) => ({
        kind: "capture" as const,
        hook: residPost(l),
        reduce,
      }));
      const out = layers.map(() => new Array<Float32Array>(texts.length));
      for (let start = 0; start < texts.length; start += batchSize) {
        const chunk = texts.slice(start, start + batchSize);
        const ids = chunk.map((t, k) =>
          promptTokens(model, t, opts, groups?.[start + k] ?? start + k),
        );
        for (const p of ids)
          if (p.length > model.config.maxPositions)
            throw new SeigeError(
              "config_error",
              `a prompt renders to ${p.length} tokens (system message included), more than the model's ${model.config.maxPositions} positions; use a shorter system message (--system none or TEXT)`,
            );
        const res = await model.generate(ids, {
          interventions: ids.map(() => captures),
          maxNewTokens: 0,
        });
        res.forEach((r, k) => {
          layers.forEach((_, li) => {
            out[li][start + k] = Float32Array.from(r.captures[li].value);
          });
        });
        onEach?.(start + chunk.length);
      }
      return out;
    },
  };
}
