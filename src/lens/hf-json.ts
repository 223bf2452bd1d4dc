/**
 * Writes a HuggingFace config.json the way Python's `json.dump` would: fields
 * that HF's config classes type as `float` keep a decimal point even when the
 * value is whole (`"final_logit_softcapping": 30.0`, `"rope_theta": 10000.0`).
 * `JSON.stringify` writes `30`, which HF transformers 5.x's strict config
 * validation rejects for a float field (a make-tiny Gemma 2 checkpoint failed to
 * load for exactly that reason).
 *
 * The float fields are named here, once, by key (wherever they sit in the
 * object, e.g. inside `rope_scaling`); every other number is written as
 * JSON.stringify writes it. Not here: which fields a config has (tiny-config.ts).
 */

/** Config keys HF types as float (the union over the families make-tiny writes). */
export const FLOAT_CONFIG_KEYS: ReadonlySet<string> = new Set([
  "attention_dropout",
  "attn_pdrop",
  "embd_pdrop",
  "resid_pdrop",
  "summary_first_dropout",
  "initializer_range",
  "layer_norm_epsilon",
  "rms_norm_eps",
  "rope_theta",
  "rope_local_base_freq",
  "factor",
  "low_freq_factor",
  "high_freq_factor",
  "partial_rotary_factor",
  "attn_logit_softcapping",
  "final_logit_softcapping",
]);

/** A number as Python's float repr would start it: always with a `.` or an exponent. */
export function floatLiteral(x: number): string {
  const s = JSON.stringify(x);
  return /[.eE]/.test(s) || !Number.isFinite(x) ? s : `${s}.0`;
}

/** Pretty-prints `value` (2-space indent, like HF's `to_json_string`) with float keys as floats. */
export function stringifyHfConfig(value: unknown, floatKeys = FLOAT_CONFIG_KEYS): string {
  const marker = "\u0000float:";
  const json = JSON.stringify(
    value,
    function (this: unknown, key: string, v: unknown) {
      return floatKeys.has(key) && typeof v === "number" ? `${marker}${floatLiteral(v)}` : v;
    },
    2,
  );
  // The marker is a quoted string; put the bare float literal in its place.
  return json.replace(/"\\u0000float:([^"]*)"/g, "$1");
}
