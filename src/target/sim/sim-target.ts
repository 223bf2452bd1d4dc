/**
 * `SimTarget`: the sim backend behind `TargetSystem`. A thin class over the
 * pure functions of this folder: validate the request, run the residual
 * stream, decide, sample, render. Output = f(request), with every random draw
 * keyed by the request's content hash and seed, so it holds no mutable state
 * and batches are just maps. It does not know the game: no strategies, no
 * sessions, no rewards.
 */

import { summarizeActivation } from "../../directions/summary.js";
import { SeigeError } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import { DIRECTION_LABELS, type ProbeSummary } from "../../vocab.js";
import type {
  SuffixSearchOptions,
  TargetInfo,
  TargetIntervention,
  TargetOutput,
  TargetRequest,
  TargetSystem,
} from "../types.js";
import { SIM_CONFIG } from "./config.js";
import { contentKeyOf, evaluateRequest, type SimDecision, sampleOutcome } from "./decision.js";
import { type SimGeometry, simGeometry } from "./geometry.js";
import { lastTurn, readRequest } from "./lexical.js";
import { renderOutput, styleOf } from "./render.js";
import { computeResidual, continueResidual } from "./residual.js";
import { searchSuffix } from "./suffix.js";
import { countTokens, truncateTokens } from "./tokens.js";

const LABELS: readonly string[] = DIRECTION_LABELS;

function checkLayer(geo: SimGeometry, layer: number, what: string): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= geo.config.nLayers) {
    throw new SeigeError(
      "validation_error",
      `${what}: layer ${layer} is outside [0, ${geo.config.nLayers})`,
    );
  }
}

function checkLabel(label: string, what: string): void {
  if (!LABELS.includes(label)) {
    throw new SeigeError(
      "validation_error",
      `${what}: unknown direction "${label}"; use one of ${LABELS.join(", ")}`,
    );
  }
}

/** Rejects interventions the sim cannot run (game ranges such as magnitude ≤ 8 are the arena's rules). */
export function validateInterventions(
  geo: SimGeometry,
  interventions: readonly TargetIntervention[],
): void {
  for (const iv of interventions) {
    switch (iv.kind) {
      case "steer":
        checkLayer(geo, iv.layer, "steer");
        checkLabel(iv.label, "steer");
        if (!Number.isFinite(iv.magnitude))
          throw new SeigeError("validation_error", "steer: magnitude must be a finite number");
        break;
      case "project_out":
        checkLayer(geo, iv.layers[0], "project_out");
        checkLayer(geo, iv.layers[1], "project_out");
        checkLabel(iv.label, "project_out");
        if (iv.layers[0] > iv.layers[1]) {
          throw new SeigeError(
            "validation_error",
            "project_out: layers must be [first, last] with first ≤ last",
          );
        }
        break;
      case "mean_ablate":
        checkLayer(geo, iv.layer, "mean_ablate");
        break;
      case "head_mask":
        checkLayer(geo, iv.layer, "head_mask");
        for (const h of iv.heads) {
          if (!Number.isInteger(h) || h < 0 || h >= geo.config.nHeads) {
            throw new SeigeError(
              "validation_error",
              `head_mask: head ${h} is outside [0, ${geo.config.nHeads})`,
            );
          }
        }
        break;
      default:
        throw new SeigeError(
          "validation_error",
          `unknown intervention kind ${(iv as { kind: string }).kind}`,
        );
    }
  }
}

export class SimTarget implements TargetSystem {
  readonly info: TargetInfo;
  private geo: SimGeometry | null;

  /** Without `geometry`, the sim model (built on first use, not here: see `simGeometry`). */
  constructor(geometry?: SimGeometry) {
    this.geo = geometry ?? null;
    const c = geometry?.config ?? SIM_CONFIG;
    this.info = {
      backend: "sim",
      modelId: c.modelId,
      nLayers: c.nLayers,
      nHeads: c.nHeads,
      dModel: c.dModel,
      whiteBox: true,
      directionLabels: [...DIRECTION_LABELS],
    };
  }

  get geometry(): SimGeometry {
    this.geo ??= simGeometry();
    return this.geo;
  }

  /** Leak probabilities and readouts for one request, without sampling (for calibration). */
  decide(request: TargetRequest): SimDecision {
    validateInterventions(this.geometry, request.interventions);
    return evaluateRequest(this.geometry, request).decision;
  }

  generateOne(request: TargetRequest): TargetOutput {
    const geo = this.geometry;
    validateInterventions(geo, request.interventions);
    const ev = evaluateRequest(geo, request);
    const outcome = sampleOutcome(ev.decision, ev.contentKey);
    const extractionAttempt = ev.decision.extractionIntent >= geo.config.intentGate;
    // A borderline request asks for nothing guarded; the model refuses it some of the time.
    const refuses =
      extractionAttempt ||
      (ev.reading.borderline &&
        new Rng(`${ev.contentKey}/borderline`).bool(geo.config.borderlineRefusal));
    // Style only shapes a helpful reply; it reads layers after the decision, computed on demand.
    const needsStyle = outcome === "none" && !refuses;
    let text = renderOutput(geo, {
      outcome,
      reading: ev.reading,
      extractionAttempt: refuses,
      style: needsStyle
        ? styleOf(
            geo,
            continueResidual(geo, ev.reading, request.interventions, ev.contentKey, ev.trace, [])
              .dev,
          )
        : "neutral",
      guarded: request.guarded,
      turnText: lastTurn(request.messages)?.content ?? "",
      rngKey: ev.contentKey,
    });
    if (request.maxNewTokens !== undefined) text = truncateTokens(text, request.maxNewTokens);
    return { id: request.id, text, tokens: countTokens(text) };
  }

  async generate(requests: TargetRequest[]): Promise<TargetOutput[]> {
    return requests.map((r) => this.generateOne(r));
  }

  probeSync(request: TargetRequest, layer: number): ProbeSummary {
    const geo = this.geometry;
    checkLayer(geo, layer, "probe");
    validateInterventions(geo, request.interventions);
    const reading = readRequest(request.messages, geo.vocab);
    const trace = computeResidual(
      geo,
      reading,
      request.interventions,
      contentKeyOf(request),
      [layer],
      layer,
    );
    return summarizeActivation(trace.x.get(layer)!, layer, geo);
  }

  async probe(request: TargetRequest, layer: number): Promise<ProbeSummary> {
    return this.probeSync(request, layer);
  }

  async adversarialSuffix(request: TargetRequest, options: SuffixSearchOptions): Promise<string> {
    validateInterventions(this.geometry, request.interventions);
    return searchSuffix(this.geometry, request, options).suffix;
  }

  countTokens(text: string): number {
    return countTokens(text);
  }
}
