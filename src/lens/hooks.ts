/**
 * Hook point names, built in exactly one place (STYLE.md §2). The names are
 * TransformerLens's, so interpretability users can read them without a map:
 * `hook_embed`, `blocks.{l}.hook_resid_pre`, `blocks.{l}.hook_attn_out`,
 * `blocks.{l}.hook_resid_mid`, `blocks.{l}.hook_mlp_out`,
 * `blocks.{l}.hook_resid_post`, `blocks.{l}.attn.hook_z` (per head), and on
 * models with per-layer embeddings (Gemma 4) `blocks.{l}.hook_ple_out`: the PLE
 * injection, i.e. what the layer's per-layer-input branch adds to the residual
 * stream after the MLP (named like `hook_mlp_out`; TransformerLens has no PLE).
 *
 * Nothing else in the project concatenates hook-name strings: the graph builder,
 * the reference forward, the cache and the interventions all call these builders
 * and `parseHookName`. There is deliberately no regex shorthand (TransformerLens's
 * `get_act_name` is the cautionary tale).
 */

/** Hooks on the residual stream, of shape [pos, d_model] per sequence. */
export type BlockResidHook = "hook_resid_pre" | "hook_resid_mid" | "hook_resid_post";
/** Hooks on a sublayer's output, of shape [pos, d_model]. */
export type BlockOutHook = "hook_attn_out" | "hook_mlp_out" | "hook_ple_out";
export type BlockHook = BlockResidHook | BlockOutHook;

export type HookName =
  | "hook_embed"
  | `blocks.${number}.${BlockHook}`
  | `blocks.${number}.attn.hook_z`;

export const BLOCK_HOOKS: readonly BlockHook[] = [
  "hook_resid_pre",
  "hook_attn_out",
  "hook_resid_mid",
  "hook_mlp_out",
  "hook_resid_post",
];

export const hookEmbed = (): HookName => "hook_embed";
export const residPre = (l: number): HookName => `blocks.${l}.hook_resid_pre`;
export const attnOut = (l: number): HookName => `blocks.${l}.hook_attn_out`;
export const residMid = (l: number): HookName => `blocks.${l}.hook_resid_mid`;
export const mlpOut = (l: number): HookName => `blocks.${l}.hook_mlp_out`;
export const residPost = (l: number): HookName => `blocks.${l}.hook_resid_post`;
/** Per-head attention output before W_O: [pos, n_heads, d_head]. */
export const attnZ = (l: number): HookName => `blocks.${l}.attn.hook_z`;

/** Gemma 4's per-layer-embedding injection: [pos, d_model], added after the MLP. */
export const pleOut = (l: number): HookName => `blocks.${l}.hook_ple_out`;

export const blockHook = (l: number, hook: BlockHook): HookName => `blocks.${l}.${hook}`;

/** What decides a model's hook set: its depth, and whether it has per-layer embeddings. */
export interface HookShape {
  nLayers: number;
  ple?: boolean;
}

/** The hook shape of a model config (structural, so hooks.ts needs no config import). */
export function hookShape(c: { nLayers: number; gemma4?: { ple: unknown } }): HookShape {
  return { nLayers: c.nLayers, ple: (c.gemma4?.ple ?? null) !== null };
}

function shapeOf(model: number | HookShape): HookShape {
  return typeof model === "number" ? { nLayers: model } : model;
}

/** A parsed hook name: where in the model it sits. */
export type HookSite =
  | { kind: "embed" }
  | { kind: "block"; layer: number; hook: BlockHook }
  | { kind: "attn_z"; layer: number };

/**
 * Parses a hook name, checking the layer against the model when given (a depth,
 * or a `HookShape`; `hook_ple_out` exists only where `ple` is set). Returns null
 * for anything that is not a hook name this runtime provides.
 */
export function parseHookName(name: string, model?: number | HookShape): HookSite | null {
  const shape = model === undefined ? undefined : shapeOf(model);
  const nLayers = shape?.nLayers;
  if (name === "hook_embed") return { kind: "embed" };
  const parts = name.split(".");
  if (parts.length < 3 || parts[0] !== "blocks") return null;
  if (!/^(0|[1-9][0-9]*)$/.test(parts[1])) return null;
  const layer = Number(parts[1]);
  if (nLayers !== undefined && layer >= nLayers) return null;
  if (parts.length === 3 && parts[2] === "hook_ple_out") {
    return shape === undefined || shape.ple ? { kind: "block", layer, hook: "hook_ple_out" } : null;
  }
  if (parts.length === 3 && (BLOCK_HOOKS as readonly string[]).includes(parts[2])) {
    return { kind: "block", layer, hook: parts[2] as BlockHook };
  }
  if (parts.length === 4 && parts[2] === "attn" && parts[3] === "hook_z") {
    return { kind: "attn_z", layer };
  }
  return null;
}

/** Every hook name a model provides (a depth, or a `HookShape`), in forward order. */
export function allHookNames(model: number | HookShape): HookName[] {
  const { nLayers, ple } = shapeOf(model);
  const names: HookName[] = [hookEmbed()];
  for (let l = 0; l < nLayers; l++) {
    names.push(residPre(l), attnZ(l), attnOut(l), residMid(l), mlpOut(l));
    if (ple) names.push(pleOut(l));
    names.push(residPost(l));
  }
  return names;
}
