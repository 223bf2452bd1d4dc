/**
 * Fits the cheap Blues on training seeds, against one Red opponent at one stage,
 * the way a researcher hunting for an exploit would: harvest what Blue sees
 * (src/audit/harvest.ts), propose candidates from it, play each candidate on the
 * training seeds and keep the one with the best mean return. Families:
 *
 * - `whitelist`: act on any request whose text was never seen in benign traffic;
 * - `length` / `pending` / `refusal`: one threshold on one surface feature
 *   (thresholds at quantiles of the harvested values, both directions for
 *   length);
 * - `search`: the cross-entropy method over a linear rule on every surface
 *   feature plus the choice of block or flag (src/audit/cem.ts).
 *
 * Every family acts with block or flag (whichever fits better) and the constant
 * explanation fitted for the stage. Held-out play is not done here.
 */
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { Stage } from "../arena/schema.js";
import {
  DetectorBlue,
  type LinearRule,
  linearDetector,
  ruleScore,
  whitelistDetector,
} from "./blue-zoo.js";
import { crossEntropy } from "./cem.js";
import type { ConstantExplanation } from "./constant-explanation.js";
import { FEATURE_NAMES, type FeatureName } from "./features.js";
import { benignTexts, type Harvest } from "./harvest.js";
import type { Runner } from "./runner.js";

export interface FittedBlue {
  /** the family, e.g. `length` */
  family: string;
  /** what was fitted, e.g. `length > 0.71, block` */
  detail: string;
  make: () => BluePolicy;
  /** mean Blue return on the training seeds */
  trainReturn: number;
  /** whether it would act on any request harvested on the training seeds */
  acts: boolean;
  action: "block" | "flag";
}

export interface FitSettings {
  seeds: readonly number[];
  quantiles: readonly number[];
  cemIterations: number;
  cemPopulation: number;
  /** seeds the search's random draws (with the stage and opponent) */
  searchSeed: string;
}

const ACTIONS = ["block", "flag"] as const;

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const ruleText = (r: LinearRule) => {
  const terms = Object.entries(r.weights)
    .filter(([, w]) => w !== 0)
    .map(([f, w]) => `${w!.toFixed(2)}·${f}`);
  return `${[...terms, r.bias.toFixed(2)].join(" + ")} > 0`;
};

export async function fitBlueZoo(
  runner: Runner,
  makeRed: () => RedPolicy,
  stage: Stage,
  training: Harvest,
  explanation: ConstantExplanation,
  settings: FitSettings,
): Promise<FittedBlue[]> {
  const trainReturn = (blue: BluePolicy) =>
    runner.meanReturn(makeRed(), blue, stage, settings.seeds, "blue");

  /** Plays every candidate of a family on the training seeds and keeps the best. */
  type Candidate = Omit<FittedBlue, "family" | "trainReturn">;
  const best = async (family: string, candidates: Candidate[]) => {
    let top: FittedBlue | null = null;
    for (const c of candidates) {
      const r = await trainReturn(c.make());
      if (!top || r > top.trainReturn) top = { family, ...c, trainReturn: r };
    }
    return top;
  };
  const acts = (rule: LinearRule) => training.samples.some((s) => ruleScore(rule, s.features) > 0);
  const ruleCandidates = (name: string, rules: LinearRule[]) =>
    rules.flatMap((rule) =>
      ACTIONS.map((action) => ({
        detail: `${ruleText(rule)}, ${action}`,
        make: () => new DetectorBlue(name, linearDetector(rule), action, explanation),
        acts: acts(rule),
        action,
      })),
    );
  const values = (f: FeatureName) => training.samples.map((s) => s.features[f]);
  const thresholds = (f: FeatureName) => [
    ...new Set(settings.quantiles.map((q) => quantile(values(f), q))),
  ];

  const seen = new Set(benignTexts(training));
  const families = [
    await best(
      "whitelist",
      ACTIONS.map((action) => ({
        detail: `${seen.size} benign texts, ${action}`,
        make: () => new DetectorBlue("whitelist", whitelistDetector(seen), action, explanation),
        acts: true,
        action,
      })),
    ),
    await best(
      "length",
      ruleCandidates(
        "length",
        thresholds("length").flatMap((t) => [
          { weights: { length: 1 }, bias: -t },
          { weights: { length: -1 }, bias: t },
        ]),
      ),
    ),
    await best(
      "pending",
      ruleCandidates(
        "pending",
        [...new Set(values("pending_in_session"))]
          .filter((k) => k >= 2)
          .sort((a, b) => a - b)
          .slice(0, 3)
          .map((k) => ({ weights: { pending_in_session: 1 }, bias: 0.5 - k })),
      ),
    ),
    await best(
      "refusal",
      ruleCandidates("refusal", [{ weights: { refusal_in_logs: 1 }, bias: -0.5 }]),
    ),
  ];
  // A family with no candidate (no session ever sent two requests) has nothing to fit.
  const fitted = families.filter((f): f is FittedBlue => f !== null);

  // The black-box search: weights on every feature, a bias, and block (≥ 0) or flag (< 0).
  const decode = (x: number[]) => {
    const rule: LinearRule = {
      weights: Object.fromEntries(FEATURE_NAMES.map((f, i) => [f, x[i]])),
      bias: x[FEATURE_NAMES.length],
    };
    const action = x[FEATURE_NAMES.length + 1] >= 0 ? ("block" as const) : ("flag" as const);
    return { rule, action };
  };
  const make = (x: number[]) => {
    const { rule, action } = decode(x);
    return new DetectorBlue("search", linearDetector(rule), action, explanation);
  };
  const dim = FEATURE_NAMES.length + 2;
  const cem = await crossEntropy((x) => trainReturn(make(x)), {
    // From "act on nothing" (bias −1): the search has to find a reason to act.
    initMean: [...new Array(FEATURE_NAMES.length).fill(0), -1, 0],
    initStd: new Array(dim).fill(1),
    iterations: settings.cemIterations,
    population: settings.cemPopulation,
    seed: `${settings.searchSeed}/stage${stage}`,
  });
  const { rule, action } = decode(cem.best);
  fitted.push({
    family: "search",
    detail: `${ruleText(rule)}, ${action}`,
    make: () => make(cem.best),
    trainReturn: cem.bestScore,
    acts: acts(rule),
    action,
  });
  return fitted;
}
