/**
 * A small multilayer perceptron in plain TypeScript (tanh hidden layers, linear
 * output), with its backward pass and an Adam optimiser: all the maths the
 * built-in learner needs, kept small enough to check by finite differences
 * (test/learn/gradcheck.test.ts). Parameters live in one flat Float64Array so a
 * checkpoint is one array and the optimiser is one loop.
 *
 * It does not batch, vectorise or use threads: the policy's inputs are a few
 * dozen numbers and the cost of an episode is dominated by the arena, not here.
 */
import { Rng } from "../util/rng.js";

export interface MlpShape {
  input: number;
  hidden: number[];
  output: number;
}

/** What the forward pass keeps for the backward pass. */
export interface MlpTrace {
  /** activations per layer: [input, hidden1, ..., output] */
  acts: Float64Array[];
}

export class Mlp {
  readonly sizes: number[];
  /** offsets of each layer's weights (out × in, row-major) and biases in `params` */
  private readonly offsets: { w: number; b: number }[] = [];
  readonly params: Float64Array;

  constructor(
    readonly shape: MlpShape,
    params?: Float64Array,
  ) {
    this.sizes = [shape.input, ...shape.hidden, shape.output];
    let n = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const w = n;
      n += this.sizes[l] * this.sizes[l + 1];
      this.offsets.push({ w, b: n });
      n += this.sizes[l + 1];
    }
    if (params && params.length !== n) {
      throw new Error(`Mlp: expected ${n} parameters, got ${params.length}`);
    }
    this.params = params ?? new Float64Array(n);
  }

  get size(): number {
    return this.params.length;
  }

  /** Seeded init: scaled normal weights (1/sqrt(fan-in)), zero biases; the last layer small. */
  init(seed: string, lastScale = 0.1): this {
    const rng = new Rng(seed);
    const layers = this.offsets.length;
    for (let l = 0; l < layers; l++) {
      const fanIn = this.sizes[l];
      const scale = (l === layers - 1 ? lastScale : 1) / Math.sqrt(fanIn);
      const { w, b } = this.offsets[l];
      for (let i = w; i < b; i++) this.params[i] = rng.normal() * scale;
      for (let i = b; i < b + this.sizes[l + 1]; i++) this.params[i] = 0;
    }
    return this;
  }

  forward(x: ArrayLike<number>): MlpTrace {
    if (x.length !== this.sizes[0]) {
      throw new Error(`Mlp: expected ${this.sizes[0]} inputs, got ${x.length}`);
    }
    const p = this.params;
    const acts: Float64Array[] = [Float64Array.from(x)];
    const layers = this.offsets.length;
    for (let l = 0; l < layers; l++) {
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      const a = acts[l];
      const out = new Float64Array(nOut);
      const { w, b } = this.offsets[l];
      for (let o = 0; o < nOut; o++) {
        let s = p[b + o];
        const row = w + o * nIn;
        for (let i = 0; i < nIn; i++) s += p[row + i] * a[i];
        out[o] = l === layers - 1 ? s : Math.tanh(s);
      }
      acts.push(out);
    }
    return { acts };
  }

  /** Adds d(loss)/d(params) into `grad`, given d(loss)/d(output) for one forward trace. */
  backward(trace: MlpTrace, dOut: ArrayLike<number>, grad: Float64Array): void {
    const p = this.params;
    const layers = this.offsets.length;
    let delta = Float64Array.from(dOut);
    for (let l = layers - 1; l >= 0; l--) {
      const nIn = this.sizes[l];
      const nOut = this.sizes[l + 1];
      const a = trace.acts[l];
      const { w, b } = this.offsets[l];
      const prev = new Float64Array(nIn);
      for (let o = 0; o < nOut; o++) {
        const d = delta[o];
        if (d === 0) continue;
        grad[b + o] += d;
        const row = w + o * nIn;
        for (let i = 0; i < nIn; i++) {
          grad[row + i] += d * a[i];
          prev[i] += d * p[row + i];
        }
      }
      if (l > 0) {
        // through tanh: a = tanh(s) ⇒ da/ds = 1 - a²
        for (let i = 0; i < nIn; i++) prev[i] *= 1 - a[i] * a[i];
      }
      delta = prev;
    }
  }
}

/** Adam (Kingma & Ba 2015) over one flat parameter array, with global-norm clipping. */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    private readonly params: Float64Array,
    private readonly lr: number,
    private readonly clip = 1,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(params.length);
    this.v = new Float64Array(params.length);
  }

  /** One descent step along `grad` (the gradient of a loss to minimise); returns its norm. */
  step(grad: Float64Array): number {
    let norm = 0;
    for (let i = 0; i < grad.length; i++) norm += grad[i] * grad[i];
    norm = Math.sqrt(norm);
    const scale = norm > this.clip ? this.clip / norm : 1;
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i] * scale;
      this.m[i] = this.beta1 * this.m[i] + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i] + (1 - this.beta2) * g * g;
      this.params[i] -= (this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + this.eps);
    }
    return norm;
  }
}
