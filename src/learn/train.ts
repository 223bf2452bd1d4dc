/**
 * The update rule of `seige train`: REINFORCE with a learned value baseline.
 * Each update plays a batch of episodes against the fixed opponent, gives every
 * recorded decision its return-to-go (undiscounted: the rewards that depend on
 * hidden truth are all settled at done, so every decision of an episode shares
 * them), subtracts the value network's estimate, normalises the advantages over
 * the batch, and takes one Adam step on the policy (with an entropy bonus) and
 * one on the value network (squared error). Everything is seeded: the same
 * options give the same metrics and the same checkpoint, byte for byte.
 *
 * Training seeds come from a range disjoint from the held-out evaluation seeds
 * (`trainSeed`); evaluation lives with the command, not here.
 */
import type { Policy } from "../agents/types.js";
import type { BlueView, Role, Stage } from "../arena/schema.js";
import type { TargetSystem } from "../target/types.js";
import { LearnedBlue, newBlueNet } from "./blue-policy.js";
import { CHECKPOINT_FORMAT, type Checkpoint, netOf } from "./checkpoint.js";
import { decisionLossGrad } from "./decision.js";
import { arenaGame, type EpisodeGame, playTraining } from "./episode.js";
import { BLUE_GLOBAL_DIM, RED_INPUT_DIM } from "./features.js";
import { blueHeads, redHeads } from "./heads.js";
import { Adam, Mlp } from "./mlp.js";
import { LearnedRed, newRedNet } from "./red-policy.js";

export interface TrainOptions {
  role: Role;
  opponentName: string;
  /** a fresh opponent policy for the training episode with this index (called once per episode) */
  makeOpponent: (episode: number) => Policy;
  target: TargetSystem;
  stage: Stage;
  seed: number;
  episodes: number;
  /** stop early after this many seconds (checked between updates) */
  seconds?: number;
  batch?: number;
  hidden?: number[];
  lr?: number;
  entropy?: number;
  maxTicks?: number;
  /** what the episodes are played on (default: the arena in process over `target`) */
  game?: EpisodeGame;
  /** what of its view a learned Blue reads (default all of it; the audit's surface-only learner) */
  blueView?: (view: BlueView) => BlueView;
  /** start from this checkpoint's weights instead of a fresh network */
  init?: Checkpoint;
  onUpdate?: (m: UpdateMetrics) => void;
  /** wall clock in ms, for `seconds` and the metrics (injected so tests stay deterministic) */
  now?: () => number;
}

export interface UpdateMetrics {
  update: number;
  episodes: number;
  seconds: number;
  mean_return: number;
  win_rate: number;
  components: Record<string, number>;
  entropy: number;
  value_loss: number;
  grad_norm: number;
  decisions: number;
}

/** Training episode seeds: a range far from the held-out evaluation seeds (1000…). */
export const trainSeed = (seed: number, episode: number): number =>
  1_000_000_000 + (seed % 1000) * 1_000_000 + episode;

const RETURN_SCALE = 20;

export async function train(o: TrainOptions): Promise<Checkpoint> {
  const hidden = o.hidden ?? [64, 64];
  const batch = o.batch ?? 16;
  const beta = o.entropy ?? 0.03;
  const now = o.now ?? (() => Date.now());
  const start = now();
  const net = o.init
    ? netOf(o.init.policy)
    : o.role === "blue"
      ? newBlueNet(hidden, `learn/${o.seed}/policy`)
      : newRedNet(hidden, `learn/${o.seed}/policy`);
  const value = o.init
    ? netOf(o.init.value)
    : new Mlp({
        input: o.role === "blue" ? BLUE_GLOBAL_DIM : RED_INPUT_DIM,
        hidden: [32],
        output: 1,
      }).init(`learn/${o.seed}/value`, 1);
  const learner =
    o.role === "blue"
      ? new LearnedBlue("learner", net, false, o.blueView)
      : new LearnedRed("learner", net, false);
  const game = o.game ?? arenaGame(o.target);
  const pOpt = new Adam(net.params, o.lr ?? 3e-3, 1);
  const vOpt = new Adam(value.params, 3e-3, 5);
  let episodes = 0;
  let update = 0;
  while (episodes < o.episodes) {
    if (o.seconds !== undefined && (now() - start) / 1000 > o.seconds) break;
    const n = Math.min(batch, o.episodes - episodes);
    const played = [];
    for (let i = 0; i < n; i++) {
      played.push(
        await playTraining(
          game,
          o.role,
          learner,
          o.makeOpponent(episodes + i),
          trainSeed(o.seed, episodes + i),
          o.stage,
          o.maxTicks,
        ),
      );
    }
    episodes += n;
    // Return-to-go per decision, and the baseline's estimate of it.
    const items: {
      d: (typeof played)[0]["steps"][0];
      g: number;
      v: number;
      trace: ReturnType<Mlp["forward"]>;
    }[] = [];
    for (const ep of played) {
      let g = 0;
      for (let t = ep.steps.length - 1; t >= 0; t--) {
        g += ep.steps[t].reward;
        const trace = value.forward(ep.steps[t].valueInput);
        items.push({
          d: ep.steps[t],
          g: g / RETURN_SCALE,
          v: trace.acts[trace.acts.length - 1][0],
          trace,
        });
      }
    }
    const advs = items.map((x) => x.g - x.v);
    const mean = advs.reduce((s, a) => s + a, 0) / Math.max(1, advs.length);
    const sd =
      Math.sqrt(advs.reduce((s, a) => s + (a - mean) ** 2, 0) / Math.max(1, advs.length)) || 1;
    const pGrad = new Float64Array(net.size);
    const vGrad = new Float64Array(value.size);
    let ent = 0;
    let vLoss = 0;
    const w = 1 / Math.max(1, items.length);
    items.forEach((x, i) => {
      ent += decisionLossGrad(net, x.d.decision, (advs[i] - mean) / sd, beta, pGrad, w).entropy;
      const err = x.v - x.g;
      vLoss += err * err;
      value.backward(x.trace, [2 * err * w], vGrad);
    });
    const gradNorm = items.length ? pOpt.step(pGrad) : 0;
    if (items.length) vOpt.step(vGrad);
    update++;
    const components: Record<string, number> = {};
    for (const ep of played) {
      for (const [k, v] of Object.entries(ep.components))
        components[k] = (components[k] ?? 0) + v / n;
    }
    o.onUpdate?.({
      update,
      episodes,
      seconds: Math.round((now() - start) / 100) / 10,
      mean_return: played.reduce((s, e) => s + e.return, 0) / n,
      win_rate: played.filter((e) => e.summary.winner === o.role).length / n,
      components,
      entropy: ent * w,
      value_loss: vLoss * w,
      grad_norm: gradNorm,
      decisions: items.length,
    });
  }
  return {
    format: CHECKPOINT_FORMAT,
    role: o.role,
    policy: { shape: net.shape, params: Array.from(net.params) },
    value: { shape: value.shape, params: Array.from(value.params) },
    heads: (o.role === "blue" ? blueHeads() : redHeads()).toJSON(),
    trained: {
      opponent: o.opponentName,
      stage: o.stage,
      seed: o.seed,
      episodes,
      updates: update,
      batch,
      hidden,
    },
  };
}
