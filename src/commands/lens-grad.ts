/**
 * `seige lens grad`: the gradient of a scalar loss at residual hook points, on
 * exact token ids (no BOS added), through the lens runtime's backward graphs
 * (docs/lens-grad.md). `--json` prints
 * `{"loss": x, "tokens": [...], "grads": {"NAME": [[...] per position]}}`; a `ce`
 * loss runs on the tokens followed by its target minus the last token, so the
 * rows cover that whole run (`tokens` says which ids).
 */
import { readFileSync } from "node:fs";
import { type LossInput, loadModel, parseLossFlag } from "../lens/index.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";

export const GRAD_HELP = `usage: seige lens grad --model DIR --tokens 1,2,3 --loss SPEC --wrt NAME[,NAME] [--json] [--threads N]
  SPEC: ce:4,5          cross-entropy (summed) of the continuation 4,5 after the tokens
        logit-diff:A,B  logit[A] − logit[B] at the last position
        probe:FILE      a linear probe's score; FILE is JSON
                        {"hook": "blocks.3.hook_resid_post", "weight": [...d_model...], "bias": 0, "position": "last"|"mean"|N}
  NAME: embed (= hook_embed) or any hook point (seige lens inspect lists them)`;

const out = (s: string) => process.stdout.write(`${s}\n`);

function readLoss(flag: string): LossInput {
  let spec: ReturnType<typeof parseLossFlag>;
  try {
    spec = parseLossFlag(flag);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  if (spec.kind !== "probe_file") return spec;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(spec.path, "utf8"));
  } catch (e) {
    throw new CliUsageError(`--loss probe:${spec.path}: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new CliUsageError(`--loss probe:${spec.path}: expected a JSON object`);
  return { kind: "probe", ...(raw as object) } as LossInput;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    out(GRAD_HELP);
    return 0;
  }
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      tokens: { type: "string" },
      loss: { type: "string" },
      wrt: { type: "string" },
      json: { type: "boolean", default: false },
      threads: { type: "string" },
    },
  });
  if (!values.model || !values.tokens || !values.loss || !values.wrt)
    throw new CliUsageError(`grad needs --model, --tokens, --loss and --wrt\n${GRAD_HELP}`);
  const tokens = values.tokens.split(",").map((t) => {
    const n = Number(t.trim());
    if (t.trim() === "" || !Number.isInteger(n) || n < 0)
      throw new CliUsageError(`--tokens: '${t}' is not a token id`);
    return n;
  });
  const loss = readLoss(values.loss);
  const wrt = values.wrt.split(",").map((w) => w.trim());
  const model = await loadModel(values.model, {
    threads: values.threads ? intFlag(values.threads, "threads", 1) : undefined,
  });
  try {
    const res = await model.grad(tokens, loss, { wrt });
    const grads: Record<string, number[][]> = {};
    for (const [name, g] of res.grads) {
      const [t, w] = g.shape;
      grads[name] = Array.from({ length: t }, (_, p) =>
        Array.from(g.data.subarray(p * w, (p + 1) * w)),
      );
    }
    // The user's spelling ("embed") is kept as the key they asked for.
    const keyed: Record<string, number[][]> = {};
    for (const w of wrt) keyed[w] = grads[w === "embed" ? "hook_embed" : w];
    if (values.json) {
      out(JSON.stringify({ loss: res.loss, tokens: res.tokens, grads: keyed, passes: res.passes }));
      return 0;
    }
    out(
      `loss ${res.loss.toPrecision(8)} over ${res.tokens.length} positions (${res.passes.forward} forward, ${res.passes.backward} backward pass)`,
    );
    for (const [name, rows] of Object.entries(keyed)) {
      const norms = rows.map((r) => Math.hypot(...r).toExponential(2));
      out(`${name}: [${rows.length}, ${rows[0].length}]  ‖grad‖ per position: ${norms.join(" ")}`);
    }
    return 0;
  } finally {
    await model.close();
  }
}
