// A small inline prompt-data directory in the format of data/prompts/v1 (the
// real data is large; tests that run models keep to a few prompts per set).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DIRECTION_LABELS, INTENT_CLASSES } from "../../src/arena/schema.js";
import {
  collectSets,
  type DirectionsArtifact,
  fitArtifact,
  lensSource,
  loadPromptData,
  modelHash,
} from "../../src/directions/index.js";
import type { LensModel } from "../../src/lens/index.js";

export interface FixtureSizes {
  pairsTrain?: number;
  pairsTest?: number;
  intentTrain?: number;
  intentTest?: number;
  benign?: number;
}

const TOPICS = [
  "the weather",
  "a recipe",
  "my invoice",
  "a poem",
  "the server logs",
  "a bug report",
];

/** Writes manifest.json and the jsonl files into `dir`; returns `dir`. */
export function writePromptFixture(dir: string, sizes: FixtureSizes = {}): string {
  const { pairsTrain = 3, pairsTest = 1, intentTrain = 2, intentTest = 1, benign = 6 } = sizes;
  mkdirSync(join(dir, "contrastive"), { recursive: true });
  const sets: Record<string, unknown> = {};
  for (const label of DIRECTION_LABELS) {
    const rows = Array.from({ length: pairsTrain + pairsTest }, (_, i) => ({
      id: `${label}-${String(i + 1).padStart(3, "0")}`,
      positive: `Please be very ${label} about ${TOPICS[i % TOPICS.length]}.`,
      negative: `Please be calm about ${TOPICS[i % TOPICS.length]}.`,
      split: i < pairsTrain ? "train" : "test",
    }));
    writeFileSync(
      join(dir, "contrastive", `${label}.jsonl`),
      rows.map((r) => JSON.stringify(r)).join("\n"),
    );
    sets[label] = {
      file: `contrastive/${label}.jsonl`,
      kind: "contrastive",
      train: pairsTrain,
      test: pairsTest,
    };
  }
  const intent = INTENT_CLASSES.flatMap((c) =>
    Array.from({ length: intentTrain + intentTest }, (_, i) => ({
      id: `intent-${c}-${i}`,
      text: `${c} request number ${i} about ${TOPICS[i % TOPICS.length]}`,
      label: c,
      split: i < intentTrain ? "train" : "test",
    })),
  );
  writeFileSync(join(dir, "intent.jsonl"), intent.map((r) => JSON.stringify(r)).join("\n"));
  sets.intent = {
    file: "intent.jsonl",
    kind: "intent",
    train: intentTrain * INTENT_CLASSES.length,
    test: intentTest * INTENT_CLASSES.length,
  };
  const bank = Array.from({ length: benign }, (_, i) => ({
    id: `benign-${i}`,
    text: `Could you help me with ${TOPICS[i % TOPICS.length]}, item ${i}?`,
  }));
  writeFileSync(join(dir, "benign.jsonl"), bank.map((r) => JSON.stringify(r)).join("\n"));
  sets.benign = { file: "benign.jsonl", kind: "bank", train: benign, test: 0 };
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({ version: "prompts-test", sets }, null, 2),
  );
  return dir;
}

/** The artifact `fitArtifact` makes for a tiny lens model read under no system message. */
export async function fitTinyArtifact(
  model: LensModel,
  modelDir: string,
  dataDir: string,
): Promise<DirectionsArtifact> {
  const data = loadPromptData(dataDir);
  const sets = await collectSets(lensSource(model), data, [0, 1]);
  return fitArtifact(
    sets,
    {
      modelHash: modelHash(modelDir),
      backend: "lens",
      modelType: model.config.modelType,
      nLayers: model.config.nLayers,
      dModel: model.config.dModel,
      position: "last",
      template: "chat",
      system: null,
    },
    data.version,
  );
}
