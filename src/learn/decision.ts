/**
 * Structured action choices as the learner records them, and the policy-gradient
 * loss over them. One *decision* is one action of a role: the network runs once
 * per input vector (Blue: one per candidate — each pending request, plus one for
 * "let the queue run"; Red: one), and the action is a sequence of categorical
 * *choices*, each a softmax over some of those outputs (a pointer over candidates
 * for Blue's action type and session, then heads such as layer, direction or
 * explanation fields read from the chosen candidate's output). Masked options are
 * simply not listed, so the policy never spends probability on an action the
 * view already says is illegal.
 *
 * Recording only (inputs, the output cells each choice ranged over, the chosen
 * index) makes the update generic: the same code computes the loss and gradient
 * for both roles, and replaying a decision reproduces its probabilities exactly.
 * This file knows nothing about the game.
 */
import type { Mlp } from "./mlp.js";

/** One categorical choice: option i is output cell `cells[i]` = [input index, output index]. */
export interface Choice {
  cells: [number, number][];
  chosen: number;
}

export interface Decision {
  inputs: Float64Array[];
  choices: Choice[];
}

/** Softmax probabilities of a list of logits (stable). */
export function softmax(logits: readonly number[]): number[] {
  let max = -Infinity;
  for (const z of logits) if (z > max) max = z;
  const e = logits.map((z) => Math.exp(z - max));
  let s = 0;
  for (const x of e) s += x;
  return e.map((x) => x / s);
}

export function entropy(p: readonly number[]): number {
  let h = 0;
  for (const x of p) if (x > 0) h -= x * Math.log(x);
  return h;
}

/** Log-probability and entropy of a decision's choices under the network's outputs. */
export function choiceStats(outs: Float64Array[], c: Choice): { p: number[]; logp: number } {
  const p = softmax(c.cells.map(([k, j]) => outs[k][j]));
  return { p, logp: Math.log(Math.max(p[c.chosen], 1e-300)) };
}

export interface DecisionLoss {
  /** −advantage·Σ log π(choice) − β·Σ H(choice) */
  loss: number;
  logp: number;
  entropy: number;
}

/**
 * The REINFORCE loss of one decision with advantage `adv` and entropy bonus `beta`,
 * adding its gradient (times `weight`) into `grad`. d(−log p_a)/dz = p − onehot(a);
 * dH/dz_i = −p_i (log p_i + H).
 */
export function decisionLossGrad(
  net: Mlp,
  d: Decision,
  adv: number,
  beta: number,
  grad: Float64Array | null,
  weight = 1,
): DecisionLoss {
  const traces = d.inputs.map((x) => net.forward(x));
  const outs = traces.map((t) => t.acts[t.acts.length - 1]);
  const dOuts = outs.map((o) => new Float64Array(o.length));
  let logp = 0;
  let ent = 0;
  for (const c of d.choices) {
    const { p, logp: lp } = choiceStats(outs, c);
    const h = entropy(p);
    logp += lp;
    ent += h;
    c.cells.forEach(([k, j], i) => {
      const dlogp = (i === c.chosen ? 1 : 0) - p[i];
      const dH = p[i] > 0 ? -p[i] * (Math.log(p[i]) + h) : 0;
      dOuts[k][j] += weight * (-adv * dlogp - beta * dH);
    });
  }
  if (grad) {
    traces.forEach((t, k) => {
      net.backward(t, dOuts[k], grad);
    });
  }
  return { loss: -adv * logp - beta * ent, logp, entropy: ent };
}
