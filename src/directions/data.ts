/**
 * The versioned prompt data that directions, probes and baselines are computed
 * from (`data/prompts/v1/`, format in docs/directions.md): contrastive pairs per
 * direction label, labelled intent examples, and a benign bank. `loadPromptData`
 * parses every file once with zod and checks the manifest against the files
 * (set names, kinds, train/test counts, unique ids), so everything downstream
 * can trust the shapes. It reads files only; it computes nothing and does not
 * tokenize (prompt rendering is collect.ts's).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { SeigeError } from "../util/errors.js";
import { DIRECTION_LABELS, INTENT_CLASSES, type IntentClass } from "../vocab.js";

const SplitSchema = z.enum(["train", "test"]);

export const ManifestSchema = z.object({
  version: z.string().min(1),
  sets: z.record(
    z.string(),
    z.object({
      file: z.string().min(1),
      kind: z.enum(["contrastive", "intent", "bank"]),
      train: z.number().int().nonnegative(),
      test: z.number().int().nonnegative(),
    }),
  ),
});

export const ContrastivePairSchema = z.object({
  id: z.string().min(1),
  positive: z.string().min(1),
  negative: z.string().min(1),
  split: SplitSchema,
});

export const IntentExampleSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  label: z.enum(INTENT_CLASSES),
  split: SplitSchema,
});

export const BankEntrySchema = z.object({ id: z.string().min(1), text: z.string().min(1) });

export type Manifest = z.infer<typeof ManifestSchema>;
export type ContrastivePair = z.infer<typeof ContrastivePairSchema>;
export type IntentExample = z.infer<typeof IntentExampleSchema> & { label: IntentClass };
export type BankEntry = z.infer<typeof BankEntrySchema>;

export interface PromptData {
  /** the manifest's version, e.g. "prompts-v1"; recorded in every artifact */
  version: string;
  /** direction label → pairs (positive points towards the named behaviour) */
  contrastive: Record<string, ContrastivePair[]>;
  intent: IntentExample[];
  benign: BankEntry[];
}

/**
 * `data/prompts/<version>` of this package, `v1` by default (resolved from this file, so
 * it works from src/ and dist/).
 */
export function defaultPromptDir(version: "v1" | "v2" = "v1"): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "..", "..", "data", "prompts", version);
}

function fail(message: string): never {
  throw new SeigeError("config_error", message);
}

function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(path)) fail(`${path}: missing; the manifest names it`);
  const out: T[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        fail(`${path}:${i + 1}: not valid JSON`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success)
        fail(
          `${path}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`,
        );
      out.push(parsed.data);
    });
  return out;
}

function checkIds(path: string, rows: readonly { id: string }[]): void {
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.id)) fail(`${path}: id "${r.id}" appears twice`);
    seen.add(r.id);
  }
}

function checkCounts(
  path: string,
  rows: readonly { split?: string }[],
  want: { train: number; test: number },
): void {
  const train = rows.filter((r) => r.split === undefined || r.split === "train").length;
  const test = rows.filter((r) => r.split === "test").length;
  if (train !== want.train || test !== want.test)
    fail(
      `${path}: has ${train} train / ${test} test rows but the manifest says ${want.train} / ${want.test}; update manifest.json`,
    );
}

/**
 * Loads and validates a prompt-data directory (default: the package's
 * `data/prompts/v1`). Contrastive sets are keyed by their manifest set name,
 * which must be a direction label; every label of DIRECTION_LABELS must be there.
 */
export function loadPromptData(dir: string = defaultPromptDir()): PromptData {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath))
    fail(
      `${manifestPath}: missing; pass a prompt-data directory with a manifest.json (--data DIR)`,
    );
  let rawManifest: unknown;
  try {
    rawManifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    fail(`${manifestPath}: not valid JSON`);
  }
  const parsed = ManifestSchema.safeParse(rawManifest);
  if (!parsed.success) fail(`${manifestPath}: ${parsed.error.message}`);
  const manifest = parsed.data;

  const contrastive: Record<string, ContrastivePair[]> = {};
  let intent: IntentExample[] | null = null;
  let benign: BankEntry[] | null = null;
  for (const [name, set] of Object.entries(manifest.sets)) {
    const path = join(dir, set.file);
    if (set.kind === "contrastive") {
      if (!(DIRECTION_LABELS as readonly string[]).includes(name))
        fail(
          `${manifestPath}: contrastive set "${name}" is not a direction label (${DIRECTION_LABELS.join(", ")})`,
        );
      const rows = readJsonl(path, ContrastivePairSchema);
      checkIds(path, rows);
      checkCounts(path, rows, set);
      contrastive[name] = rows;
    } else if (set.kind === "intent") {
      if (intent) fail(`${manifestPath}: more than one intent set`);
      const rows = readJsonl(path, IntentExampleSchema) as IntentExample[];
      checkIds(path, rows);
      checkCounts(path, rows, set);
      for (const c of INTENT_CLASSES)
        if (!rows.some((r) => r.label === c && r.split === "train"))
          fail(`${path}: no training example of class "${c}"; the probe needs every class`);
      intent = rows;
    } else {
      if (benign) fail(`${manifestPath}: more than one bank set`);
      const rows = readJsonl(path, BankEntrySchema);
      checkIds(path, rows);
      if (rows.length !== set.train + set.test)
        fail(`${path}: has ${rows.length} rows but the manifest says ${set.train + set.test}`);
      benign = rows;
    }
  }
  const missing = DIRECTION_LABELS.filter((l) => !(l in contrastive));
  if (missing.length > 0) fail(`${manifestPath}: no contrastive set for ${missing.join(", ")}`);
  for (const [label, rows] of Object.entries(contrastive))
    if (!rows.some((r) => r.split === "train"))
      fail(`${manifestPath}: contrastive set "${label}" has no training pairs`);
  if (!intent) fail(`${manifestPath}: no set of kind "intent"`);
  if (!benign || benign.length === 0) fail(`${manifestPath}: no (non-empty) set of kind "bank"`);
  return { version: manifest.version, contrastive, intent, benign };
}
