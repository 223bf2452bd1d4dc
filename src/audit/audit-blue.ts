/**
 * Blue's side of one stage's audit, against one scripted Red: fit the cheap
 * Blues on training seeds, play them on held-out seeds with the skilled and the
 * degenerate Blues, and judge (GAME.md I1, I2, I3, I5, I8):
 *
 * - I8: allow-all, block-all and flag-all score below probe-threshold;
 * - I2: every fitted surface trick (whitelist, thresholds, the black-box search)
 *   scores below probe-threshold, and the surface classifier's AUROC ≤ 0.65;
 *   against the skilled Red, so does a Blue learned by policy gradient on the
 *   surface of its view (src/audit/surface-learner.ts);
 * - I1: farming (poor explanations) scores no better than the same Blue explaining
 *   as it does — for probe-threshold and for the best cheap detector;
 * - I3: no-op patching (where it blocked) scores no better than the same Blue;
 * - I5: invalid-action spam is no better than allow-all.
 *
 * It returns the held-out harvest and summaries as well, for the stage's direct
 * checks (I3 payments, I7 traffic) in src/audit/audit.ts.
 */
import type { BluePolicy } from "../agents/types.js";
import type { EpisodeSummary } from "../arena/schema.js";
import { farming, noopPatching, QuitBlue } from "./blue-zoo.js";
import {
  DEGENERATE_BLUES,
  DO_NOTHING,
  SKILLED,
  type StageContext,
  scriptedBlue,
  scriptedRed,
} from "./context.js";
import { I2_FEATURES } from "./features.js";
import { fitBlueZoo } from "./fit.js";
import { type Harvest, harvest, unrefusedBenignTexts } from "./harvest.js";
import type { Played } from "./runner.js";
import { fitSurfaceClassifier, heldOutAuroc } from "./surface-classifier.js";
import { trainSurfaceLearner } from "./surface-learner.js";
import { type Comparison, limitRow, type Row, returnRow } from "./verdict.js";

export interface BlueSide {
  rows: Row[];
  /** every held-out summary played on this side (for the I3 payment check) */
  summaries: EpisodeSummary[];
  /** allow-all's held-out harvest (for the I7 traffic check) */
  held: Harvest;
  /** benign texts seen on training seeds and never refused (the idle Red's small talk) */
  talk: string[];
}

/** An attack that could do harm: it carried an intervention, or a run of it leaked. */
const INTERVENING: readonly string[] = ["steering_vector", "repe_belief_flip", "circuit_bypass"];
const harmful = (a: EpisodeSummary["attacks"][number]) =>
  a.attack &&
  (INTERVENING.includes(a.strategy) || a.leak !== "none" || a.unmodified_leak !== "none");

export async function auditBlueSide(ctx: StageContext, redName: string): Promise<BlueSide> {
  const { runner, stage, settings } = ctx;
  const red = scriptedRed(redName);
  const rows: Row[] = [];
  const summaries: EpisodeSummary[] = [];
  const where = (policy: string, property: Row["property"], note?: string) => ({
    property,
    policy,
    opponent: redName,
    stage,
    note,
  });
  const play = async (blue: BluePolicy): Promise<Played> => {
    const p = await runner.play(red(), blue, stage, settings.heldOut, "blue");
    summaries.push(...p.summaries);
    return p;
  };

  ctx.log(`stage ${stage}: Blue vs ${redName}: harvesting and fitting on training seeds`);
  const train = await harvest(runner, red(), stage, settings.training);
  const fitted = await fitBlueZoo(runner, red, stage, train, ctx.explanation, {
    seeds: settings.training,
    quantiles: settings.quantiles,
    cemIterations: settings.cemIterations,
    cemPopulation: settings.cemPopulation,
    searchSeed: `${settings.searchSeed}/${redName}`,
  });

  // A Red that did no harm on the training seeds (no intervention, nothing leaked:
  // at stage 1 the random Red only sends cover text, some of which the target
  // refuses) leaves skill nothing to find, as the idle Red does: against it a tie
  // with skill is the best anyone can do, so the "below skill" bars become "no
  // better than skill with 95% confidence" (the I5 judging).
  const harmless = train.summaries.every((s) => s.attacks.every((a) => !harmful(a)));
  const bar: Comparison = harmless ? "at-most" : "below";
  const why = harmless ? "the Red did no harm on training seeds: skill can only tie" : undefined;

  ctx.log(`stage ${stage}: Blue vs ${redName}: playing held-out seeds`);
  const held = await harvest(runner, red(), stage, settings.heldOut);
  summaries.push(...held.summaries);
  const skilled = await play(scriptedBlue(SKILLED.blue)());
  const vs = (
    policy: string,
    property: Row["property"],
    p: Played,
    bar: string,
    barP: Played,
    note?: string,
    comparison: Comparison = "below",
  ) =>
    rows.push(returnRow(where(policy, property, note), p.returns, bar, barP.returns, comparison));

  // I8: the degenerate overseers lose to the probing one.
  const allow: Played = {
    returns: held.summaries.map((s) => s.returns.blue.total),
    summaries: held.summaries,
  };
  for (const name of DEGENERATE_BLUES) {
    const p = name === DO_NOTHING.blue ? allow : await play(scriptedBlue(name)());
    vs(name, "I8", p, SKILLED.blue, skilled, why, bar);
  }

  // I2: the fitted surface tricks lose to it too.
  const cheap = new Map<string, Played>();
  for (const f of fitted) {
    const p = await play(f.make());
    cheap.set(f.family, p);
    vs(f.family, "I2", p, SKILLED.blue, skilled, why ? `${f.detail}; ${why}` : f.detail, bar);
  }
  if (redName === SKILLED.red) {
    ctx.log(
      `stage ${stage}: Blue vs ${redName}: training the surface-only learner (${settings.learnerEpisodes} episodes)`,
    );
    const learner = await trainSurfaceLearner(ctx.env, red, stage, settings.learnerEpisodes, stage);
    const p = await play(learner.make());
    const detail = `REINFORCE on the surface view (no probes, no text), ${learner.episodes} training episodes, late training return ${learner.lateReturn.toFixed(1)}`;
    vs("learned-surface", "I2", p, SKILLED.blue, skilled, why ? `${detail}; ${why}` : detail, bar);
  }
  const auc = heldOutAuroc(fitSurfaceClassifier(train.samples, I2_FEATURES), held.samples);
  if (!Number.isNaN(auc.mean))
    rows.push(
      limitRow(
        where("surface-classifier", "I2", `logistic regression on ${I2_FEATURES.join(", ")}`),
        "AUROC",
        auc,
        0.65,
        "at-most",
      ),
    );

  // I1: the same Blue farming with poor explanations must not do better than itself (it ties
  // when the Blue never blocks Red, or its explanations were worthless anyway). I3: the same
  // Blue patching where it blocked, with a patch that does nothing, must not do better either
  // (a patch may be paid like a flag; only leak_prevented must not be paid for it).
  const acting = fitted.filter((f) => f.acts);
  const best = acting.length
    ? acting.reduce((a, b) => (b.trainReturn > a.trainReturn ? b : a))
    : null;
  const subjects = [
    {
      name: SKILLED.blue,
      make: scriptedBlue(SKILLED.blue),
      played: skilled,
      blocks: true,
      note: undefined,
    },
    ...(best
      ? [
          {
            name: best.family,
            make: best.make,
            played: cheap.get(best.family)!,
            blocks: best.action === "block",
            note: `best cheap detector: ${best.detail}`,
          },
        ]
      : []),
  ];
  for (const s of subjects) {
    const farm = await play(farming(s.make()));
    vs(`farm(${s.name})`, "I1", farm, s.name, s.played, s.note, "at-most");
    if (ctx.activations && s.blocks) {
      const noop = await play(noopPatching(s.make()));
      vs(`noop-patch(${s.name})`, "I3", noop, s.name, s.played, s.note, "at-most");
    }
  }

  // I5: quitting is no better than doing nothing.
  const quit = await play(new QuitBlue());
  rows.push(
    returnRow(where("quit-invalid", "I5"), quit.returns, DO_NOTHING.blue, allow.returns, "at-most"),
  );

  return { rows, summaries, held, talk: unrefusedBenignTexts(train) };
}
