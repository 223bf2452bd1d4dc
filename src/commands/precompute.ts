/**
 * `seige precompute`: computes a model's direction artifact (directions, clean
 * baselines, intent probes; docs/directions.md) from the versioned prompt data,
 * with a progress bar on stderr and a summary table on stdout: per direction its
 * best layer and held-out separation, per layer the probe's accuracy. With
 * `--backend sim` it writes the sim's own closed-form kit, measured on the same
 * data, so a default (sim) server needs no model. `--json` prints the artifact's
 * metadata instead of the tables.
 */
import { join } from "node:path";
import {
  type ArtifactMetadata,
  artifactKit,
  calibrateFlip,
  checkArtifactModel,
  collectSets,
  DIRECTION_METHODS,
  type DirectionMethod,
  type DirectionsArtifact,
  evaluateKit,
  fitArtifact,
  learnSteeringSet,
  lensSource,
  loadPromptData,
  modelHash,
  type ProgressFn,
  promptTokens,
  readArtifactFile,
  resolveLayers,
  writeArtifact,
} from "../directions/index.js";
import { loadModel } from "../lens/index.js";
import { SIM_GEOMETRY } from "../target/sim/index.js";
import { CliUsageError, intFlag, parseFlags } from "./args.js";
import { gameSystemLabel, gameSystemPrompts, gameTrafficTexts } from "./precompute-context.js";
import { simModelHash, simSource } from "./precompute-sim.js";
import { parseLearnSpec, steeringObjective } from "./precompute-steering.js";
import { Progress, progressMode } from "./progress.js";

const HELP = `usage: seige precompute --model DIR [--layers 0,4-8] [--out FILE] [options]
       seige precompute --backend sim [--out FILE]

  --model      HuggingFace checkpoint directory (lens backend)
  --backend    lens | sim (default lens); sim writes the sim's own directions
  --layers     layers to compute, e.g. 4,8-12 (default all)
  --out        artifact path (default DIR/directions.safetensors; sim: directions-sim.safetensors)
  --data       prompt-data directory (default the package's data/prompts/v1)
  --method     mean_diff | pca_diff (default mean_diff)
  --position   last | mean: token read point (default last)
  --template   chat | raw: render prompts through the chat template or not (default chat when the model has one)
  --system     game | none | TEXT: the system message each prompt is read under (chat
               template only). game (default): the game's own deployment system prompts
               (episode seeds 0-7, cycled), which is what the lens target runs requests under
  --traffic    with --system game: texts of the game's own benign traffic added to the
               benign bank the clean baseline is fitted on (default 240; 0 = the data's bank only)
  --l2         probe L2 strength (default 0.01)
  --iterations probe optimiser iterations (default 500)
  --threads    ORT intra-op threads
  --batch      prompts per prefill batch (default 1; larger helps short prompts or a GPU)
  --no-calibrate  skip measuring the refusal flip scale per layer (the calibrated steering
               unit, GAME.md §5); without it magnitudes are in typical-norm units
  --learn-steering LABEL:OBJECTIVE[,...]
               also learn steering directions with gradients (docs/lens-grad.md): for each
               LABEL, per layer, the direction whose addition at --learn-magnitude units most
               raises the likelihood of OBJECTIVE's completions on training prompts, starting
               from the difference of means. OBJECTIVE: leak (extraction asks → the leak reply
               "Sure. <secret line><value>") or comply (harmful requests → "Sure."). Red's
               steering along LABEL then uses it; the tables compare it with difference of
               means on held-out prompts
  --from FILE  with --learn-steering: start from this artifact of the same model (its
               directions, probes and calibration are kept) instead of recomputing them
  --learn-layers   layers to learn at (default every computed layer)
  --learn-magnitude  steering strength in calibrated units (default 3, the steer Red's)
  --learn-steps    optimiser steps (default 20)
  --learn-examples training examples, and held-out ones, per label (default 24)
  --json       print the artifact metadata as JSON instead of the tables (progress on
               stderr as JSON lines)
  --quiet      no progress on stderr
The lens target reads the artifact from SEIGE_DIRECTIONS (default DIR/directions.safetensors).`;

/** Benign traffic texts added to the baseline bank by default (the v1 bank holds 140). */
export const DEFAULT_TRAFFIC_BANK = 240;

/** Parses "0,3,5-7" into [0, 3, 5, 6, 7]. */
export function parseLayerList(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(",").map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new CliUsageError(`--layers: '${part}' is not a layer or a range like 4-8`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new CliUsageError(`--layers: range '${part}' runs backwards`);
    for (let l = a; l <= b; l++) out.push(l);
  }
  return out;
}

function floatFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new CliUsageError(`--${name} expects a non-negative number, got '${value}'`);
  return n;
}

const f = (v: number | null, digits = 3) => (v === null ? "—" : v.toFixed(digits));

/**
 * The summary tables as text (`norms`: typical norm per computed layer; `layers`: the
 * fitted directions, for the cosine-to-refusal table; both optional).
 */
export function summaryTables(
  meta: ArtifactMetadata,
  norms?: readonly number[],
  layers?: DirectionsArtifact["layers"],
): string {
  const lines: string[] = [];
  lines.push("direction         best layer  separation  pair acc  held-out");
  for (const label of meta.labels) {
    const rows = meta.separations[label];
    const best = rows?.find((r) => r.layer === meta.bestLayers[label]);
    lines.push(
      [
        label.padEnd(16),
        String(best?.layer ?? "—").padStart(12),
        f(best?.separation ?? null, 2).padStart(10),
        f(best?.pairAccuracy ?? null).padStart(8),
        best ? (best.heldOut ? "yes" : "no (train)") : "—",
      ].join("  "),
    );
  }
  lines.push("");
  lines.push("layer  probe train  probe test  typical norm");
  meta.accuracies.forEach((a, i) => {
    lines.push(
      [
        String(a.layer).padStart(5),
        f(a.train).padStart(11),
        f(a.test).padStart(10),
        (norms ? f(norms[i]) : "—").padStart(12),
      ].join("  "),
    );
  });
  const traffic = meta.counts.traffic ?? 0;
  lines.push(
    `clean baseline: ${meta.counts.benign} benign requests (${meta.counts.benign - traffic} from the data's bank, ${traffic} of the game's traffic)`,
  );
  lines.push("", effectSizeTable(meta));
  if (layers && meta.labels.includes("refusal")) lines.push("", refusalCosineTable(meta, layers));
  if (meta.calibration) lines.push("", calibrationTable(meta));
  if (meta.learned?.length) lines.push("", learnedTable(meta));
  return lines.join("\n");
}

/** Learned steering against difference of means at the same norm, on held-out prompts. */
export function learnedTable(meta: ArtifactMetadata): string {
  const lines = [
    "learned steering (held-out mean log p of the completions; same norm for both directions)",
    "label             objective  layer  units  no steer  mean diff  learned  cosine",
  ];
  for (const e of meta.learned ?? [])
    for (const r of e.rows)
      lines.push(
        [
          e.label.padEnd(16),
          e.objective.padEnd(9),
          String(r.layer).padStart(5),
          f(e.magnitude, 1).padStart(5),
          f(r.heldOut.base, 2).padStart(8),
          f(r.heldOut.meanDiff, 2).padStart(9),
          f(r.heldOut.learned, 2).padStart(7),
          f(r.cosine, 2).padStart(6),
        ].join("  "),
      );
  return lines.join("\n");
}

/** Every label's held-out separation (effect size) at every computed layer. */
export function effectSizeTable(meta: ArtifactMetadata): string {
  const head = ["separation".padEnd(16), ...meta.layers.map((l) => `L${l}`.padStart(6))];
  const lines = [head.join("  ")];
  for (const label of meta.labels) {
    const rows = meta.separations[label] ?? [];
    const cells = meta.layers.map((l) => f(rows.find((r) => r.layer === l)?.separation ?? null, 2));
    lines.push([label.padEnd(16), ...cells.map((c) => c.padStart(6))].join("  "));
  }
  return lines.join("\n");
}

/**
 * Every label's cosine to `refusal` at every computed layer: a push along a label
 * with a positive cosine also pushes towards refusing, so on a model where the
 * attack labels point that way a steer raises refusal instead of lifting it.
 */
export function refusalCosineTable(
  meta: ArtifactMetadata,
  layers: DirectionsArtifact["layers"],
): string {
  const head = ["cosine to refusal".padEnd(16), ...meta.layers.map((l) => `L${l}`.padStart(6))];
  const lines = [head.join("  ")];
  for (const label of meta.labels) {
    if (label === "refusal") continue;
    const cells = meta.layers.map((l) => {
      const k = layers.get(l);
      const a = k?.directions[label];
      const r = k?.directions.refusal;
      if (!a || !r) return "—";
      let dot = 0;
      for (let i = 0; i < r.length; i++) dot += a[i] * r[i];
      return f(dot, 2);
    });
    lines.push([label.padEnd(16), ...cells.map((c) => c.padStart(6))].join("  "));
  }
  return lines.join("\n");
}

/** The calibrated steering unit per layer (calibrate.ts). */
export function calibrationTable(meta: ArtifactMetadata): string {
  const lines = ["layer  1 unit (×norm)  flipped  refusal base → at 1 unit  prompts"];
  for (const r of meta.calibration ?? []) {
    lines.push(
      [
        String(r.layer).padStart(5),
        f(r.fraction, 3).padStart(15),
        (r.flipped ? "yes" : "no").padStart(7),
        `${f(r.base, 2)} → ${f(r.rates[r.rates.length - 1], 2)}`.padStart(25),
        String(r.n).padStart(7),
      ].join("  "),
    );
  }
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: "string" },
      backend: { type: "string", default: "lens" },
      layers: { type: "string" },
      out: { type: "string" },
      data: { type: "string" },
      method: { type: "string", default: "mean_diff" },
      position: { type: "string", default: "last" },
      template: { type: "string" },
      system: { type: "string" },
      traffic: { type: "string" },
      l2: { type: "string" },
      iterations: { type: "string" },
      threads: { type: "string" },
      batch: { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      "no-calibrate": { type: "boolean", default: false },
      from: { type: "string" },
      "learn-steering": { type: "string" },
      "learn-layers": { type: "string" },
      "learn-magnitude": { type: "string" },
      "learn-steps": { type: "string" },
      "learn-examples": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const backend = values.backend;
  if (backend !== "lens" && backend !== "sim")
    throw new CliUsageError("--backend must be lens or sim");
  if (!(DIRECTION_METHODS as readonly string[]).includes(values.method!))
    throw new CliUsageError(`--method must be one of ${DIRECTION_METHODS.join(", ")}`);
  if (values.position !== "last" && values.position !== "mean")
    throw new CliUsageError("--position must be last or mean");
  if (values.template !== undefined && values.template !== "chat" && values.template !== "raw")
    throw new CliUsageError("--template must be chat or raw");
  const layerSpec = values.layers ? parseLayerList(values.layers) : undefined;
  if (backend === "lens" && !values.model)
    throw new CliUsageError("precompute needs --model DIR (or --backend sim)");
  const batchSize = intFlag(values.batch, "batch", 1);
  if (batchSize < 1) throw new CliUsageError("--batch must be at least 1");
  const probe = {
    l2: floatFlag(values.l2, "l2", 1e-2),
    iterations: intFlag(values.iterations, "iterations", 500),
  };
  if (probe.iterations < 1) throw new CliUsageError("--iterations must be at least 1");
  const learn = values["learn-steering"] ? parseLearnSpec(values["learn-steering"]) : [];
  if (learn.length > 0 && backend === "sim")
    throw new CliUsageError("--learn-steering needs a model (the lens backend)");
  const learnOpts = {
    layers: values["learn-layers"] ? parseLayerList(values["learn-layers"]) : undefined,
    magnitude: floatFlag(values["learn-magnitude"], "learn-magnitude", 3),
    steps: intFlag(values["learn-steps"], "learn-steps", 20),
    examples: intFlag(values["learn-examples"], "learn-examples", 24),
  };
  if (learnOpts.magnitude <= 0 || learnOpts.steps < 1 || learnOpts.examples < 1)
    throw new CliUsageError(
      "--learn-magnitude, --learn-steps and --learn-examples must be positive",
    );
  if (values.from && learn.length === 0)
    throw new CliUsageError("--from only adds learned steering: give --learn-steering too");
  const trafficBank = intFlag(values.traffic, "traffic", DEFAULT_TRAFFIC_BANK);
  if (trafficBank < 0) throw new CliUsageError("--traffic must be 0 or more");
  const data = loadPromptData(values.data);
  const progress = new Map<string, Progress>();
  const onProgress: ProgressFn = (phase, done, total) => {
    let p = progress.get(phase);
    if (!p) {
      p = new Progress(`precompute ${phase}`, total, { mode: progressMode(values) });
      progress.set(phase, p);
    }
    p.tick(done);
    if (done === total) p.finish();
  };

  let artifact: DirectionsArtifact;
  let out: string;
  if (backend === "sim") {
    const source = simSource();
    const layers = resolveLayers(source.nLayers, layerSpec);
    const sets = await collectSets(source, data, layers, onProgress);
    artifact = evaluateKit(
      SIM_GEOMETRY,
      sets,
      {
        modelHash: simModelHash(),
        backend: "sim",
        modelType: null,
        nLayers: source.nLayers,
        dModel: source.dModel,
        position: "last",
        template: "sim",
        system: null,
      },
      data.version,
    );
    out = values.out ?? "directions-sim.safetensors";
  } else {
    const modelDir = values.model!;
    const hash = modelHash(modelDir);
    const model = await loadModel(modelDir, {
      threads: values.threads ? intFlag(values.threads, "threads", 1) : undefined,
    });
    try {
      let layers: number[];
      if (values.from) {
        // Reuse a fitted artifact of this model; only learned steering is computed.
        artifact = readArtifactFile(values.from);
        checkArtifactModel(artifact.metadata, modelDir, model.config);
        layers = artifact.metadata.layers;
      } else {
        const template =
          (values.template as "chat" | "raw" | undefined) ??
          (model.tokenizer?.hasChatTemplate ? "chat" : "raw");
        const position = values.position as "last" | "mean";
        const systemFlag = values.system ?? "game";
        const game = gameSystemPrompts();
        const system =
          systemFlag === "game" ? game : systemFlag === "none" ? undefined : systemFlag;
        const systemLabel =
          systemFlag === "game"
            ? gameSystemLabel(game.length)
            : systemFlag === "none"
              ? null
              : systemFlag;
        const source = lensSource(model, { position, template, system, batchSize });
        layers = resolveLayers(model.config.nLayers, layerSpec);
        // The baseline is "from benign traffic" (GAME.md §4): under the game's prompts,
        // the game's own requests join the data's bank.
        const gameChat = systemFlag === "game" && template === "chat";
        if (values.traffic !== undefined && trafficBank > 0 && !gameChat)
          throw new CliUsageError(
            "--traffic adds the game's requests under the game's system prompts: it needs --system game and the chat template",
          );
        const traffic = gameChat ? gameTrafficTexts(trafficBank) : [];
        const bank = [...data.benign, ...traffic.map((text, i) => ({ id: `traffic-${i}`, text }))];
        const sets = await collectSets(source, { ...data, benign: bank }, layers, onProgress);
        artifact = fitArtifact(
          sets,
          {
            modelHash: hash,
            backend: "lens",
            modelType: model.config.modelType,
            nLayers: model.config.nLayers,
            dModel: model.config.dModel,
            position,
            template,
            system: template === "chat" ? systemLabel : null,
          },
          data.version,
          {
            method: values.method as DirectionMethod,
            probe,
            onProgress,
          },
        );
        if (traffic.length > 0) artifact.metadata.counts.traffic = traffic.length;
        if (!values["no-calibrate"]) {
          // Held-out harmful prompts, rendered exactly as the artifact's prompts were.
          const opts = { template, system };
          const harmful = (data.contrastive.refusal ?? []).filter((p) => p.split === "test");
          if (harmful.length > 0) {
            const prompts = harmful.map((p, k) => promptTokens(model, p.positive, opts, k));
            artifact.metadata.calibration = await calibrateFlip(model, artifactKit(artifact), {
              prompts,
              layers,
            });
          }
        }
      }
      if (learn.length > 0) {
        const learnLayers = learnOpts.layers ?? layers;
        for (const l of learnLayers)
          if (!layers.includes(l))
            throw new CliUsageError(`--learn-layers: layer ${l} is not among the computed layers`);
        const kit = artifactKit(artifact);
        const vectors = new Map<string, Map<number, Float32Array>>();
        artifact.metadata.learned = [];
        for (const { label, objective } of learn) {
          const res = await learnSteeringSet(
            model,
            kit,
            steeringObjective(model, data, label, objective, learnOpts.examples),
            {
              layers: learnLayers,
              magnitude: learnOpts.magnitude,
              steps: learnOpts.steps,
              onProgress: (done, total) => onProgress(`learn ${label}`, done, total),
            },
          );
          artifact.metadata.learned.push(res.entry);
          vectors.set(label, res.vectors);
        }
        artifact.learned = vectors;
      }
    } finally {
      await model.close();
    }
    out = values.out ?? join(modelDir, "directions.safetensors");
  }
  writeArtifact(out, artifact);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ out, metadata: artifact.metadata })}\n`);
  } else {
    const norms = artifact.metadata.layers.map((l) => artifact.layers.get(l)!.typicalNorm);
    process.stdout.write(`${summaryTables(artifact.metadata, norms, artifact.layers)}\n`);
    process.stdout.write(
      `wrote ${out} (${artifact.metadata.layers.length} layers, data ${artifact.metadata.dataVersion})\n`,
    );
  }
  return 0;
}
