/**
 * A model's identity for direction artifacts: sha256 over config.json's bytes and,
 * per weight file in sorted order, its JSON header (names, dtypes, shapes,
 * offsets), its size and the first and last 64 KiB of its tensor data. Not every
 * weight byte: hashing a multi-GB checkpoint on every `serve` would take longer
 * than loading it. The header catches any reshaping, re-export or dtype change and
 * the sampled bytes catch different weights of the same layout (a fine-tune, a
 * reseeded random model), since those change every tensor. Two checkpoints that
 * differ only in the unsampled middle of a file hash alike: a documented limit.
 *
 * Direction artifacts themselves (`__metadata__.format = "seige-directions"`) are
 * skipped, so writing `directions.safetensors` into the model directory does not
 * change the hash it records. It does not load or validate the checkpoint.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import { SeigeError } from "../util/errors.js";

/** The `__metadata__.format` value of a direction artifact. */
export const ARTIFACT_FORMAT = "seige-directions";

/** Bytes of tensor data sampled from each end of a weight file. */
const SAMPLE_BYTES = 64 * 1024;

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** The header JSON bytes and a fingerprint of the data section (size, both ends). */
function fileParts(path: string): { header: Buffer; data: Buffer[] } {
  const fd = openSync(path, "r");
  try {
    const len = Number(readAt(fd, 8, 0).readBigUInt64LE(0));
    if (len <= 0 || len > 100_000_000)
      throw new SeigeError(
        "config_error",
        `${path}: not a safetensors file (header length ${len})`,
      );
    const header = readAt(fd, len, 8);
    const start = 8 + len;
    const size = fstatSync(fd).size;
    const dataLen = size - start;
    const head = readAt(fd, Math.min(SAMPLE_BYTES, dataLen), start);
    const tail = readAt(fd, Math.min(SAMPLE_BYTES, dataLen), Math.max(start, size - SAMPLE_BYTES));
    return { header, data: [Buffer.from(`${size}\0`), head, tail] };
  } finally {
    closeSync(fd);
  }
}

function isArtifact(header: Buffer): boolean {
  try {
    const meta = JSON.parse(header.toString("utf8")).__metadata__;
    return meta?.format === ARTIFACT_FORMAT;
  } catch {
    return false;
  }
}

/** `sha256:<hex>` identifying the checkpoint in `dir`. */
export function modelHash(dir: string): string {
  const config = join(dir, "config.json");
  if (!existsSync(config))
    throw new SeigeError("config_error", `${dir}: no config.json; is this a model directory?`);
  const h = createHash("sha256");
  h.update("config.json\0");
  h.update(readFileSync(config));
  const weights = readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors"))
    .sort();
  let n = 0;
  for (const f of weights) {
    const { header, data } = fileParts(join(dir, f));
    if (isArtifact(header)) continue;
    h.update(`\0${f}\0`);
    h.update(header);
    for (const b of data) h.update(b);
    n++;
  }
  if (n === 0)
    throw new SeigeError(
      "config_error",
      `${dir}: no .safetensors weights to identify the model by`,
    );
  return `sha256:${h.digest("hex")}`;
}
