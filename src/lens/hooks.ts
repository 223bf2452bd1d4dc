/**
 * Hook point names, built in exactly one place (STYLE.md §2). The names are
 * TransformerLens's, so interpretability users can read them without a map:
 * `hook_embed`, `blocks.{l}.hook_resid_pre`, `blocks.{l}.hook_attn_out`,
 * `blocks.{l}.hook_resid_mid`, `blocks.{l}.hook_mlp_out`,
 * `blocks.{l}.hook_resid_post`, `blocks.{l}.attn.hook_z` (per head).
 *
 * Nothing else in the project concatenates hook-name strings: the graph builder,
 * the reference forward, the cache and the interventions all call these builders
 * and `parseHookName`. There is deliberately no regex shorthand (TransformerLens's
 * `get_act_name` is the cautionary tale).
 */

/** Hooks on the residual stream, of shape [pos, d_model] per sequence. */
export type BlockResidHook = "hook_resid_pre" | "hook_resid_mid" | "hook_resid_post";
/** Hooks on a sublayer's output, of shape [pos, d_model]. */
export type BlockOutHook = "hook_attn_out" | "hook_mlp_out";
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

export const blockHook = (l: number, hook: BlockHook): HookName => `blocks.${l}.${hook}`;

/** A parsed hook name: where in the model it sits. */
export type HookSite =
  | { kind: "embed" }
  | { kind: "block"; layer: number; hook: BlockHook }
  | { kind: "attn_z"; layer: number };

/**
 * Parses a hook name, checking the layer against `nLayers` when given.
 * Returns null for anything that is not a hook name this runtime provides.
 */
export function parseHookName(name: string, nLayers?: number): HookSite | null {
  if (name === "hook_embed") return { kind: "embed" };
  const parts = name.split(".");
  if (parts.length < 3 || parts[0] !== "blocks") return null;
  if (!/^(0|[1-9][0-9]*)$/.test(parts[1])) return null;
  const layer = Number(parts[1]);
  if (nLayers !== undefined && layer >= nLayers) return null;
  if (parts.length === 3 && (BLOCK_HOOKS as readonly string[]).includes(parts[2])) {
    return { kind: "block", layer, hook: parts[2] as BlockHook };
  }
  if (parts.length === 4 && parts[2] === "attn" && parts[3] === "hook_z") {
    return { kind: "attn_z", layer };
  }
  return null;
}

/** Every hook name a model with `nLayers` blocks provides, in forward order. */
export function allHookNames(nLayers: number): HookName[] {
  const names: HookName[] = [hookEmbed()];
  for (let l = 0; l < nLayers; l++) {
    names.push(residPre(l), attnZ(l), attnOut(l), residMid(l), mlpOut(l), residPost(l));
  }
  return names;
}
