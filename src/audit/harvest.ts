/**
 * What a researcher fitting an exploit collects on training seeds: every request
 * Blue's view showed as pending, with its surface features, labelled after the
 * episode from the summary's ground truth (a request is Red's iff the summary
 * records an attack in that session at that tick; decoys count as Red's). Blue
 * plays allow-all while harvesting, so the logs show the target's own refusals
 * and nothing Blue caused.
 *
 * The labels are used only to fit (thresholds, the whitelist, the idle Red's
 * small talk, the I2 classifier); policies at play time see their view alone.
 */
import { allowAll } from "../agents/scripted/index.js";
import type { RedPolicy } from "../agents/types.js";
import type { BlueView, EpisodeSummary, Stage } from "../arena/schema.js";
import { type FeatureName, looksLikeRefusal, pendingFeatures } from "./features.js";
import { type Runner, watching } from "./runner.js";

export interface Sample {
  seed: number;
  tick: number;
  session: string;
  text: string;
  features: Record<FeatureName, number>;
  red: boolean;
}

export interface Harvest {
  samples: Sample[];
  summaries: EpisodeSummary[];
  /** request texts whose reply in Blue's logs looked like a refusal */
  refused: Set<string>;
}

export async function harvest(
  runner: Runner,
  red: RedPolicy,
  stage: Stage,
  seeds: readonly number[],
): Promise<Harvest> {
  // Views grouped per episode; a tick's first view holds its whole pending queue.
  const episodes: BlueView[][] = [];
  const blue = allowAll();
  const watcher = watching(blue, (view) => {
    const views = episodes.at(-1)!;
    if (views.at(-1)?.tick !== view.tick) views.push(view);
  });
  const reset = watcher.reset;
  watcher.reset = (seed) => {
    episodes.push([]);
    reset(seed);
  };
  const { summaries } = await runner.play(red, watcher, stage, seeds, "blue");
  const samples: Sample[] = [];
  const refused = new Set<string>();
  for (const views of episodes)
    for (const l of views.at(-1)?.logs ?? [])
      if (looksLikeRefusal(l.response)) refused.add(l.request);
  summaries.forEach((summary, e) => {
    const attacks = new Set(summary.attacks.map((a) => `${a.tick}/${a.session_id}`));
    for (const view of episodes[e]) {
      const features = pendingFeatures(view);
      view.pending.forEach((p, i) => {
        samples.push({
          seed: summary.seed,
          tick: view.tick,
          session: p.session_id,
          text: p.request,
          features: features[i],
          red: attacks.has(`${view.tick}/${p.session_id}`),
        });
      });
    }
  });
  return { samples, summaries, refused };
}

/** Texts of benign requests seen while harvesting (the raw material of whitelist and idle Red). */
export const benignTexts = (h: Harvest): string[] =>
  h.samples.filter((s) => !s.red).map((s) => s.text);

/** Benign texts never seen refused: what an idle Red can send without it counting as an attack (I4). */
export const unrefusedBenignTexts = (h: Harvest): string[] =>
  benignTexts(h).filter((t) => !h.refused.has(t));
