/**
 * What both learned policies share: the network (an Mlp whose outputs are the
 * role's action heads side by side), the seeded sampler, and the optional
 * recorder that keeps each decision (inputs, choices) and the value-baseline
 * input for the update. With `greedy` the policy takes the most probable option
 * of every head (evaluation); otherwise it samples (training, and `?sample=1`).
 *
 * Role-specific action building lives in blue-policy.ts and red-policy.ts.
 */
import { Rng } from "../util/rng.js";
import type { Choice, Decision } from "./decision.js";
import { softmax } from "./decision.js";
import type { HeadLayout } from "./heads.js";
import type { Mlp } from "./mlp.js";

export interface Recorded {
  decision: Decision;
  /** input of the value baseline for this decision */
  valueInput: Float64Array;
}

export class PolicyCore {
  private rng = new Rng("learned/0");
  /** when set, every decision is appended here (training) */
  recorder: Recorded[] | null = null;
  private current: Decision | null = null;
  private outs: Float64Array[] = [];

  constructor(
    readonly net: Mlp,
    readonly heads: HeadLayout,
    public greedy: boolean,
  ) {}

  reset(seed: number): void {
    this.rng = new Rng(`learned/${seed}`);
  }

  /** Starts a decision over these input vectors (one forward pass each). */
  begin(inputs: number[][]): void {
    const xs = inputs.map((x) => Float64Array.from(x));
    this.current = { inputs: xs, choices: [] };
    this.outs = xs.map((x) => {
      const t = this.net.forward(x);
      return t.acts[t.acts.length - 1];
    });
  }

  /** Chooses one of `cells` (at least one); returns its index. */
  choose(cells: [number, number][]): number {
    if (!this.current) throw new Error("choose before begin");
    if (cells.length === 0) throw new Error("a choice needs at least one option");
    if (cells.length === 1) return 0; // nothing to learn from a forced choice
    const p = softmax(cells.map(([k, j]) => this.outs[k][j]));
    let chosen = 0;
    if (this.greedy) {
      for (let i = 1; i < p.length; i++) if (p[i] > p[chosen]) chosen = i;
    } else {
      chosen = this.rng.weighted(p);
    }
    const choice: Choice = { cells, chosen };
    this.current.choices.push(choice);
    return chosen;
  }

  /** Chooses an option of head `name` read from input `k`, among `allowed` ones. */
  option(name: string, k: number, allowed?: (option: string) => boolean): string {
    const { cells, options } = this.heads.cells(name, k, allowed);
    return options[this.choose(cells)];
  }

  /** Ends the decision, recording it when training. */
  end(valueInput: number[]): void {
    if (!this.current) throw new Error("end before begin");
    if (this.recorder && this.current.choices.length > 0) {
      this.recorder.push({ decision: this.current, valueInput: Float64Array.from(valueInput) });
    }
    this.current = null;
  }

  /** Draws from the policy's own stream (for template texts). */
  get random(): Rng {
    return this.rng;
  }
}
