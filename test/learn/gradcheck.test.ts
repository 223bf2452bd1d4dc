// The learner's maths against finite differences: the MLP's backward pass and the
// policy-gradient loss of a structured decision (a pointer over several inputs plus
// heads read from one of them, with an entropy bonus) must give the gradient that
// central differences of the loss give, parameter by parameter.
import { describe, expect, it } from "vitest";
import { type Decision, decisionLossGrad, softmax } from "../../src/learn/decision.js";
import { Adam, Mlp } from "../../src/learn/mlp.js";
import { Rng } from "../../src/util/rng.js";

function decision(rng: Rng, inputs: number, dim: number): Decision {
  const xs = Array.from({ length: inputs }, () =>
    Float64Array.from({ length: dim }, () => rng.normal()),
  );
  return {
    inputs: xs,
    choices: [
      // pointer: output 0..2 of every input
      { cells: xs.flatMap((_, k) => [0, 1, 2].map((j) => [k, j] as [number, number])), chosen: 4 },
      // a head of input 1 only, with option 5 masked out
      {
        cells: [
          [1, 3],
          [1, 4],
          [1, 6],
        ],
        chosen: 2,
      },
      {
        cells: [
          [0, 5],
          [0, 6],
        ],
        chosen: 0,
      },
    ],
  };
}

describe("gradients", () => {
  it("the MLP backward pass and the REINFORCE loss match central differences", () => {
    const rng = new Rng("gradcheck");
    const net = new Mlp({ input: 5, hidden: [7, 6], output: 8 }).init("gradcheck", 1);
    const d = decision(rng, 3, 5);
    for (const [adv, beta] of [
      [1.3, 0],
      [-0.7, 0.05],
      [0, 0.2],
    ]) {
      const grad = new Float64Array(net.size);
      decisionLossGrad(net, d, adv, beta, grad);
      const eps = 1e-6;
      let worst = 0;
      for (let i = 0; i < net.size; i++) {
        const keep = net.params[i];
        net.params[i] = keep + eps;
        const up = decisionLossGrad(net, d, adv, beta, null).loss;
        net.params[i] = keep - eps;
        const down = decisionLossGrad(net, d, adv, beta, null).loss;
        net.params[i] = keep;
        const numeric = (up - down) / (2 * eps);
        worst = Math.max(
          worst,
          Math.abs(numeric - grad[i]) / Math.max(1e-4, Math.abs(numeric) + Math.abs(grad[i])),
        );
      }
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it("descending the loss raises the chosen options' probability", () => {
    const net = new Mlp({ input: 5, hidden: [8], output: 8 }).init("ascent", 1);
    const d = decision(new Rng("ascent"), 3, 5);
    const prob = () => {
      const outs = d.inputs.map((x) => net.forward(x).acts.at(-1) as Float64Array);
      const c = d.choices[1];
      return softmax(c.cells.map(([k, j]) => outs[k][j]))[c.chosen];
    };
    const before = prob();
    const opt = new Adam(net.params, 0.05);
    for (let i = 0; i < 20; i++) {
      const g = new Float64Array(net.size);
      decisionLossGrad(net, d, 1, 0, g);
      opt.step(g);
    }
    expect(prob()).toBeGreaterThan(before + 0.2);
  });
});
