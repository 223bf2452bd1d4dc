/**
 * `seige lens …`: the white-box runtime from the command line.
 *   make-tiny  write a tiny random HF checkpoint (tests, demos)
 *   forward    one forward pass on exact token ids; logits and hook activations
 *   generate   a completion, optionally through the chat template and with interventions
 *   inspect    architecture, sizes, dtype and hook points of a checkpoint (--memory: peak memory)
 *   check      an execution provider's parity against the CPU and its speed (lens-check.ts)
 * Machine-readable output (--json) goes to stdout; nothing else does in that mode.
 */
import { readFileSync } from "node:fs";
import {
  allHookNames,
  expectedTensors,
  hookShape,
  type InterventionInput,
  InterventionListSchema,
  type LoadModelOptions,
  loadCheckpoint,
  loadModel,
  makeTinyCheckpoint,
  parseHookName,
  TINY_ARCHS,
  type TinyArch,
} from "../lens/index.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";

const HELP = `usage: seige lens <make-tiny | forward | generate | inspect | serve | grad> [options]

  make-tiny --arch <${TINY_ARCHS.join("|")}> --out DIR [--seed S] [--layers N (2; gemma4 6)] [--d-model D]
            [--max-positions N (default 4096)] [--dtype f32|bf16]
  forward   --model DIR --tokens 1,2,3 [--hooks NAME,...] [--intervene FILE.json] [--json] [--threads N]
            [--quant int8|int4] [--ep cpu|cuda|webgpu]
            one pass on exactly these ids (no BOS added); prints the last position's logits
            and the hooks asked for ([pos][width] each)
  generate  --model DIR --prompt TEXT [--chat] [--intervene FILE.json] [--max-new-tokens N]
            [--temperature T] [--top-p P] [--seed S] [--threads N] [--quant int8|int4] [--ep cpu|cuda|webgpu]
  inspect   DIR [--json] [--memory [--quant int8|int4]]   --memory loads the model and prints peak memory
  check     --model DIR --ep cuda|webgpu|cpu [--tokens N] [--decode N]
            parity of the execution provider against the CPU (max |Δlogits|) and its speed
  serve     --model DIR [--port P] [--host H]   OpenAI-compatible chat endpoint (seige lens serve --help)
  grad      --model DIR --tokens 1,2,3 --loss ce:4,5|logit-diff:A,B|probe:FILE --wrt NAME[,NAME] [--json]
            gradient of a scalar loss at hook points (seige lens grad --help)
FILE.json holds an intervention list (see docs/lens.md), e.g.
  [{"kind":"add","hook":"blocks.3.hook_resid_post","vector":[...],"scale":4}]`;

const out = (s: string) => process.stdout.write(`${s}\n`);

function floatFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliUsageError(`--${name} expects a number, got '${value}'`);
  return n;
}

function readInterventions(path: string | undefined): InterventionInput[] {
  if (path === undefined) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CliUsageError(`--intervene ${path}: ${(e as Error).message}`);
  }
  const parsed = InterventionListSchema.safeParse(raw);
  if (!parsed.success)
    throw new CliUsageError(
      `--intervene ${path}: not an intervention list: ${parsed.error.message}`,
    );
  return raw as InterventionInput[];
}

/** --threads, --quant and --ep, shared by every subcommand that loads a model. */
export function runtimeFlags(values: {
  threads?: string;
  quant?: string;
  ep?: string;
}): LoadModelOptions {
  if (values.quant !== undefined && values.quant !== "int8" && values.quant !== "int4")
    throw new CliUsageError(`--quant must be int8 or int4, got '${values.quant}'`);
  if (values.ep !== undefined && !["cpu", "cuda", "webgpu"].includes(values.ep))
    throw new CliUsageError(`--ep must be cpu, cuda or webgpu, got '${values.ep}'`);
  return {
    threads: values.threads ? intFlag(values.threads, "threads", 1) : undefined,
    quant: values.quant as LoadModelOptions["quant"],
    executionProviders: values.ep ? [values.ep as "cpu" | "cuda" | "webgpu"] : undefined,
  };
}

async function makeTiny(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      arch: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      layers: { type: "string" },
      "d-model": { type: "string" },
      "max-positions": { type: "string" },
      dtype: { type: "string", default: "f32" },
    },
  });
  if (!values.arch || !values.out) throw new CliUsageError("make-tiny needs --arch and --out");
  if (!(TINY_ARCHS as readonly string[]).includes(values.arch))
    throw new CliUsageError(`--arch must be one of ${TINY_ARCHS.join(", ")}`);
  if (values.dtype !== "f32" && values.dtype !== "bf16")
    throw new CliUsageError("--dtype must be f32 or bf16");
  const ck = makeTinyCheckpoint({
    arch: values.arch as TinyArch,
    outDir: values.out,
    seed: intFlag(values.seed, "seed", 0),
    layers: values.layers === undefined ? undefined : intFlag(values.layers, "layers", 2),
    dModel: intFlag(values["d-model"], "d-model", 64),
    // Long enough for a game episode's prompts with the byte-level tiny tokenizer.
    maxPositions: intFlag(values["max-positions"], "max-positions", 4096),
    dtype: values.dtype,
  });
  process.stderr.write(
    `wrote ${ck.config.modelType} (${ck.config.nLayers} layers, d_model ${ck.config.dModel}, ${values.dtype}) to ${ck.dir}\n`,
  );
  return 0;
}

async function forward(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      tokens: { type: "string" },
      hooks: { type: "string" },
      intervene: { type: "string" },
      json: { type: "boolean", default: false },
      threads: { type: "string" },
      quant: { type: "string" },
      ep: { type: "string" },
    },
  });
  if (!values.model || !values.tokens)
    throw new CliUsageError("forward needs --model and --tokens");
  const tokens = values.tokens.split(",").map((t) => {
    const n = Number(t.trim());
    if (!Number.isInteger(n) || n < 0)
      throw new CliUsageError(`--tokens: '${t}' is not a token id`);
    return n;
  });
  const hooks = values.hooks ? values.hooks.split(",").map((h) => h.trim()) : [];
  const interventions = readInterventions(values.intervene);
  const model = await loadModel(values.model, runtimeFlags(values));
  try {
    for (const h of hooks)
      if (!parseHookName(h, hookShape(model.config)))
        throw new CliUsageError(`--hooks: unknown hook '${h}'; \`seige lens inspect\` lists them`);
    // Each requested hook is read by a capture appended after the file's interventions,
    // so it shows the activation as the next layer sees it.
    const reads: InterventionInput[] = hooks.map((hook) => ({
      kind: "capture",
      hook,
      reduce: "all",
    }));
    const { logits, captures } = await model.runWithHooks(tokens, [...interventions, ...reads]);
    const v = model.config.vocabSize;
    const last = Array.from(logits.data.subarray((tokens.length - 1) * v, tokens.length * v));
    const byHook: Record<string, number[][]> = {};
    const first = interventions.length;
    for (const c of captures.filter((x) => x.index >= first)) {
      const width = c.value.length / tokens.length;
      byHook[c.hook] = Array.from({ length: tokens.length }, (_, p) =>
        Array.from(c.value.subarray(p * width, (p + 1) * width)),
      );
    }
    const fileCaptures = captures
      .filter((x) => x.index < first)
      .map((c) => ({ index: c.index, hook: c.hook, reduce: c.reduce, value: Array.from(c.value) }));
    if (values.json) {
      out(
        JSON.stringify({
          logits: last,
          hooks: byHook,
          ...(fileCaptures.length > 0 ? { captures: fileCaptures } : {}),
        }),
      );
      return 0;
    }
    const top = last
      .map((x, i) => [x, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5);
    out(`last position logits (vocab ${v}); top 5:`);
    for (const [x, i] of top)
      out(
        `  ${String(i).padStart(7)}  ${x.toFixed(4)}  ${JSON.stringify(model.tokenizer?.decode([i]) ?? "")}`,
      );
    for (const [name, rows] of Object.entries(byHook)) {
      const norms = rows.map((r) => Math.hypot(...r).toFixed(3));
      out(`${name}: [${rows.length}, ${rows[0].length}]  ‖x‖ per position: ${norms.join(" ")}`);
    }
    for (const c of fileCaptures)
      out(`capture ${c.index} ${c.hook} (${c.reduce}): ${c.value.length} values`);
    return 0;
  } finally {
    await model.close();
  }
}

async function generate(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      prompt: { type: "string" },
      chat: { type: "boolean", default: false },
      intervene: { type: "string" },
      "max-new-tokens": { type: "string" },
      temperature: { type: "string" },
      "top-p": { type: "string" },
      seed: { type: "string" },
      threads: { type: "string" },
      quant: { type: "string" },
      ep: { type: "string" },
    },
  });
  if (!values.model || values.prompt === undefined)
    throw new CliUsageError("generate needs --model and --prompt");
  const interventions = readInterventions(values.intervene);
  const model = await loadModel(values.model, runtimeFlags(values));
  try {
    const prompt = values.chat
      ? model.chat([{ role: "user", content: values.prompt }]).tokens
      : values.prompt;
    const [res] = await model.generate([prompt], {
      interventions: [interventions],
      maxNewTokens: intFlag(values["max-new-tokens"], "max-new-tokens", 32),
      temperature: floatFlag(values.temperature, "temperature", 0),
      topP: floatFlag(values["top-p"], "top-p", 1),
      seed: intFlag(values.seed, "seed", 0),
    });
    out(res.text);
    process.stderr.write(`(${res.tokens.length} tokens, ${res.finishReason})\n`);
    return 0;
  } finally {
    await model.close();
  }
}

async function inspect(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      memory: { type: "boolean", default: false },
      quant: { type: "string" },
      threads: { type: "string" },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1)
    throw new CliUsageError("inspect needs exactly one checkpoint directory");
  const { config: c } = loadCheckpoint(positionals[0], { cache: false });
  // Parameters from the shapes the loader checked (no tensor is read); a tied head counts once.
  let params = 0;
  for (const [name, shape] of expectedTensors(c)) {
    if (name === "lm_head.weight" && c.tiedEmbeddings) continue;
    params += shape.reduce((a, b) => a * b, 1);
  }
  const memory = values.memory ? await measureMemory(positionals[0], runtimeFlags(values)) : null;
  const hooks = allHookNames(hookShape(c));
  const info = {
    arch: c.arch,
    modelType: c.modelType,
    layers: c.nLayers,
    dModel: c.dModel,
    heads: c.nHeads,
    kvHeads: c.nKvHeads,
    headDim: c.headDim,
    dMlp: c.dMlp,
    vocab: c.vocabSize,
    maxPositions: c.maxPositions,
    dtype: c.storageDtype,
    parameters: params,
    layerTypes: c.layerTypes,
    hookPoints: hooks,
    ...(memory ? { memory } : {}),
  };
  if (values.json) {
    out(JSON.stringify(info));
    return 0;
  }
  out(
    `${c.arch} (model_type ${c.modelType}), ${c.storageDtype} weights, ${(params / 1e6).toFixed(2)}M parameters`,
  );
  out(
    `  layers ${c.nLayers}, d_model ${c.dModel}, heads ${c.nHeads} (kv ${c.nKvHeads}) × ${c.headDim}, d_mlp ${c.dMlp}, vocab ${c.vocabSize}, max positions ${c.maxPositions}`,
  );
  if (c.layerTypes.includes("sliding"))
    out(`  sliding window ${c.slidingWindow}: ${c.layerTypes.join(" ")}`);
  if (memory)
    out(
      `memory (${memory.quant}): weights held by ORT ${mib(memory.residentWeightBytes)} MiB; peak RSS ${mib(memory.peakRssBytes)} MiB (load + one forward)`,
    );
  out(`hook points (${hooks.length}):`);
  out(`  ${hooks[0]}`);
  const per = (hooks.length - 1) / c.nLayers;
  for (let l = 0; l < c.nLayers; l++)
    out(`  ${hooks.slice(1 + per * l, 1 + per * (l + 1)).join("  ")}`);
  return 0;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** Loads the model, runs one forward, and reports the weights held and the process's peak RSS. */
async function measureMemory(dir: string, opts: LoadModelOptions) {
  const model = await loadModel(dir, opts);
  try {
    await model.runWithCache([model.config.bosTokenId ?? 0], []);
    return {
      quant: opts.quant ?? "f32",
      residentWeightBytes: model.residentWeightBytes,
      // maxRSS is in KiB: the high-water mark of the whole process so far.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    await model.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    out(HELP);
    return sub ? 0 : 2;
  }
  if (sub === "serve") return (await import("./lens-serve.js")).run(rest);
  if (sub === "grad") return (await import("./lens-grad.js")).run(rest);
  if (rest.includes("--help")) {
    out(HELP);
    return 0;
  }
  switch (sub) {
    case "make-tiny":
      return makeTiny(rest);
    case "forward":
      return forward(rest);
    case "generate":
      return generate(rest);
    case "inspect":
      return inspect(rest);
    case "check":
      return (await import("./lens-check.js")).run(rest);
    default:
      throw new CliUsageError(`unknown lens subcommand '${sub}'\n${HELP}`);
  }
}
