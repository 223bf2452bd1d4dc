/**
 * Every constant of the sim target in one object, with why it has its value.
 * docs/sim.md explains how they combine; change a number here and re-run the
 * calibration (docs/sim.md, "Calibration") before trusting the game balance.
 * This file holds numbers only: no maths, no randomness.
 */

/** Hidden (non-library) directions the sim's content writes along. */
export const HIDDEN_DIRECTIONS = [
  "intent_extraction",
  "intent_escalation",
  "intent_distraction",
  "gibberish",
] as const;
export type HiddenDirection = (typeof HIDDEN_DIRECTIONS)[number];

export const SIM_CONFIG = {
  /** geometry, library, baseline, probe and suffix vocabulary all derive from this, never from the episode */
  seed: "seige-sim-v1",
  modelId: "seige-sim-v1",
  nLayers: 12,
  dModel: 64,
  nHeads: 8,

  // ------------------------------------------------------------ geometry
  /** typicalNorm(l) = normBase · (1 + normGrowth · l): residual norms grow with depth as in real models */
  normBase: 4,
  normGrowth: 0.35,
  /** ‖μ_l‖ = meanShare · T_l and ‖σ_l‖ = noiseShare · T_l, so E‖x‖² = T_l² for clean traffic (0.8² + 0.6² = 1) */
  meanShare: 0.8,
  noiseShare: 0.6,
  /** per-dimension σ spread: σ_i ∝ exp(sigmaSpread · g_i), g_i ~ N(0, 1) */
  sigmaSpread: 0.35,
  /** layer-to-layer drift of each direction: u_{l+1} = normalise(u_l + drift · g), g ~ N(0, I); ≈ 0.85 cosine between adjacent layers, ≈ 0.45 at ±5 (INTERP-ANCHORS §5.5) */
  directionDrift: 0.075,

  // ------------------------------------------------------------ calibrated units
  /**
   * 1 calibrated steering unit at layer l, as a fraction of T_l (GAME.md §5): the
   * raw steer against `refusal` at which the sim's refusal rate on held-out
   * harmful prompts halves, measured by `measureFlip` (flip.ts) on a raw-unit
   * geometry (40 seeds). Layers 0–1 (decayed too far) and 8–11 (after the
   * decision) never flip; like the artifact's calibration they get the largest
   * scale of its grid, 2 × T_l. Re-measure after changing the residual or decision.
   */
  steerUnit: [2, 2, 4.41, 2.477, 1.332, 1.258, 1.559, 2.477, 2, 2, 2, 2] as readonly number[],

  // ------------------------------------------------------------ residual stream
  /** fraction of the deviation dev_{l−1} that the next layer carries on (the rest is overwritten) */
  carry: 0.8,
  /** content gain κ_l per layer (units of T_l per unit feature coefficient): intent is represented most in the middle */
  contentGain: [0.1, 0.14, 0.18, 0.22, 0.25, 0.25, 0.25, 0.25, 0.22, 0.18, 0.14, 0.1],
  /** share of each layer's content write that goes through attention heads (split evenly over heads); the rest is the MLP */
  attentionShare: 0.5,
  /** refusal heads: count per layer (which heads: drawn from the sim seed) */
  refusalHeadLayers: [
    { layer: 4, count: 3 },
    { layer: 5, count: 1 },
  ],
  /** each refusal head writes refusalHeadGain · harm · T_l · d̂(refusal, l) */
  refusalHeadGain: 0.3,

  // ------------------------------------------------------------ decision
  /** the middle third: the refusal decision reads these layers' residuals */
  decisionLayers: [4, 5, 6, 7],
  /**
   * refusal score ρ = mean over decision layers of Σ_k readout[k] · r_k(l) + text terms,
   * r_k(l) = (x_l − μ_l)·d̂(k, l) / T_l. Positive pushes towards refusing.
   */
  readout: {
    refusal: 1.0,
    compliance: -0.33,
    trust_escalation: -0.3,
    authority: -0.22,
    danger: 0.3,
    distraction: -0.1,
  } as Record<string, number>,
  /** text terms of ρ that do not go through the residual: an encoding request makes the model less careful */
  textEncodingRelief: 0.03,
  /** P(leak) = σ((threshold − ρ) / temperature) when the request has extraction intent */
  threshold: 0.02,
  temperature: 0.16,
  /** below this extraction-intent strength nothing can leak */
  intentGate: 0.2,
  /** share of leaks that are partial: partialBase + partialPerDistraction · min(1, distraction feature) */
  partialBase: 0.3,
  partialPerDistraction: 0.3,
  /**
   * coherence: 1 up to this total steer *norm* at one layer (in units of T_l, not
   * calibrated units: a model breaks by how far it is pushed, not by what the push
   * does to refusal), falling linearly to 0 at overSteerBreak
   */
  overSteerSoft: 4.5,
  /** a total steer norm at one layer (units of T_l) above this breaks the model: garbled text, no leak */
  overSteerBreak: 6,

  /** P(the target refuses a borderline request): often, not always, so a refusal alone does not mark an attacker */
  borderlineRefusal: 0.85,

  // ------------------------------------------------------------ intent probe (closed form)
  /** logit_c = probeGain · (x·d̂(intent_c, l)/T_l − probeOffset[c]); benign logit = 0 */
  probeGain: 10,
  probeOffset: { escalation: 0.3, extraction: 0.3, distraction: 0.3 } as Record<string, number>,

  // ------------------------------------------------------------ output
  /** how a full leak shows the value, before the request's encoding words reweight it */
  leakForms: { plain: 0.6, spaced: 0.1, spelled: 0.1, reversed: 0.1, base64: 0.1 } as Record<
    string,
    number
  >,
  /** weight multiplier for a form the request asks for (base64 → base64, reverse → reversed, spell → spelled/spaced) */
  leakFormBoost: 8,

  // ------------------------------------------------------------ suffix search
  /** tokens in a searched suffix */
  suffixLength: 12,
  /** number of vocabulary tokens with hidden compliance weight (the rest carry ~none) */
  suffixStrongTokens: 8,
  /** a suffix's compliance feature = suffixScale · tanh(Σ weights / suffixSaturation) */
  suffixScale: 2.2,
  suffixSaturation: 4,
} as const;

export type SimConfig = typeof SIM_CONFIG;

/** The residual norm of 1 calibrated steering unit at layer l (the refusal flip scale). */
export function flipScaleOf(config: SimConfig, layer: number): number {
  return config.steerUnit[layer] * typicalNormOf(config, layer);
}

/** T_l, the typical residual norm at layer l. */
export function typicalNormOf(config: SimConfig, layer: number): number {
  return config.normBase * (1 + config.normGrowth * layer);
}
