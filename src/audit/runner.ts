/**
 * Plays the audit's episodes through src/env, the way any client plays them: a
 * Red and a Blue policy, each seeing only its own role's view (`playEpisode`),
 * on a list of seeds at one stage. The result keeps each episode's return for
 * the role under audit, aligned by seed, so two policies played on the same
 * seeds can be compared pairwise, and the episode summaries (ground truth,
 * revealed at done) for fitting and for the integrity checks.
 *
 * The runner counts episodes for the progress line and nothing else: it does
 * not choose policies or judge results.
 */
import type { BluePolicy, RedPolicy } from "../agents/types.js";
import type { BlueView, EpisodeSummary, Role, Stage } from "../arena/schema.js";
import { playEpisode, type SeigeEnv } from "../env/index.js";

export interface Played {
  /** the audited role's return per seed, in seed order */
  returns: number[];
  summaries: EpisodeSummary[];
}

export class Runner {
  /** episodes played so far (all cells) */
  episodes = 0;

  constructor(
    private readonly env: SeigeEnv,
    private readonly onEpisode: (episodes: number) => void = () => {},
  ) {}

  async play(
    red: RedPolicy,
    blue: BluePolicy,
    stage: Stage,
    seeds: readonly number[],
    role: Role,
  ): Promise<Played> {
    const out: Played = { returns: [], summaries: [] };
    for (const seed of seeds) {
      const { summary } = await playEpisode(this.env, red, blue, { seed, stage });
      out.returns.push(summary.returns[role].total);
      out.summaries.push(summary);
      this.onEpisode(++this.episodes);
    }
    return out;
  }

  /** Mean return of the audited role over `seeds`: the objective the fitting maximises. */
  async meanReturn(
    red: RedPolicy,
    blue: BluePolicy,
    stage: Stage,
    seeds: readonly number[],
    role: Role,
  ): Promise<number> {
    const { returns } = await this.play(red, blue, stage, seeds, role);
    return returns.reduce((s, x) => s + x, 0) / Math.max(1, returns.length);
  }
}

/**
 * A Blue that lets another Blue play and hands each view it sees to `watch`:
 * the audit's instrument for harvesting what Blue could observe on training
 * seeds. It adds nothing to what the wrapped policy sees or does.
 */
export function watching(inner: BluePolicy, watch: (view: BlueView) => void): BluePolicy {
  return {
    role: "blue",
    name: inner.name,
    reset: (seed) => inner.reset(seed),
    act: (view) => {
      watch(view);
      return inner.act(view);
    },
  };
}
