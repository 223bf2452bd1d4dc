/**
 * A small graph builder over proto.ts: named inputs/outputs, f32 and int64
 * initializers, and `op(...)` that invents unique intermediate names. It knows
 * nothing about transformers; graph/ builds blocks with it.
 *
 * Weights go in as raw-data initializers so ORT can prepack them (BACKEND.md
 * caveat 2). A graph whose initializers exceed `externalAbove` bytes (protobuf's
 * hard limit is 2 GB) is emitted with those tensors as external data, handed to
 * ORT in memory through the `externalData` session option; no file is written.
 */

import { QUANT_BLOCK, type QuantBits, quantizeRows } from "../quant.js";
import {
  type AttributeValue,
  DataType,
  type DataTypeCode,
  type Dim,
  encodeModel,
  type InitializerSpec,
  type NodeSpec,
  type ValueInfoSpec,
} from "./proto.js";

/** ONNX default-domain opset: 17 has LayerNormalization and keeps ReduceMean's axes an attribute. */
export const OPSET = 17;

export interface BuiltGraph {
  bytes: Uint8Array;
  /** tensors to pass as the session option `externalData` (empty when all are inline) */
  externalData: { path: string; data: Uint8Array }[];
  inputNames: string[];
  outputNames: string[];
  /** bytes of weights in this graph (for the bench's roofline) */
  weightBytes: number;
}

const asBytes = (a: Float32Array | BigInt64Array | Uint8Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: InitializerSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private readonly used = new Set<string>();
  private counter = 0;
  private readonly domains = new Set<string>();

  constructor(readonly name: string) {}

  /** Nodes added so far, before ORT's optimiser fuses any (bench/organism-decode.ts). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  private fresh(hint: string): string {
    let n = `${hint}_${this.counter++}`;
    while (this.used.has(n)) n = `${hint}_${this.counter++}`;
    this.used.add(n);
    return n;
  }

  input(name: string, shape: Dim[], elemType: DataTypeCode = DataType.FLOAT): string {
    this.used.add(name);
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Marks `value` as a graph output called `name` (through an Identity when the names differ). */
  output(value: string, name: string, shape: Dim[], elemType: DataTypeCode = DataType.FLOAT): void {
    if (value !== name) {
      this.used.add(name);
      this.nodes.push({
        opType: "Identity",
        inputs: [value],
        outputs: [name],
        name: `out_${name}`,
      });
    }
    this.outputs.push({ name, elemType, shape });
  }

  /** A float32 initializer (copied by reference: do not mutate `data` afterwards). */
  weight(hint: string, data: Float32Array, dims: number[]): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length)
      throw new RangeError(`initializer ${hint}: ${data.length} values for dims [${dims}]`);
    const name = this.fresh(hint);
    this.inits.push({ name, dims, dataType: DataType.FLOAT, raw: asBytes(data) });
    return name;
  }

  scalar(value: number): string {
    return this.weight("c", Float32Array.of(value), []);
  }

  ints(values: number[]): string {
    const name = this.fresh("i");
    this.inits.push({
      name,
      dims: [values.length],
      dataType: DataType.INT64,
      raw: asBytes(BigInt64Array.from(values.map((v) => BigInt(v)))),
    });
    return name;
  }

  /** Adds a node and returns its (single) output name. */
  op(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>): string {
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: `n_${out}`, attributes });
    return out;
  }

  /**
   * Rewrites every `MatMul(x, W)` whose W is a 2-D f32 initializer `[K, N]` with K a
   * multiple of the block size into `com.microsoft.MatMulNBits` (block 32,
   * `accuracy_level` 4: BACKEND.md measured level 0 ~100× slower for 8-bit). The f32
   * initializer is dropped, so only the packed codes and scales stay resident.
   * Returns the number of matrices quantised.
   */
  quantizeMatMuls(bits: QuantBits): number {
    let count = 0;
    const byName = new Map(this.inits.map((t) => [t.name, t]));
    for (const node of this.nodes) {
      if (node.opType !== "MatMul" || node.domain) continue;
      const w = byName.get(node.inputs[1]);
      if (!w?.raw || w.dataType !== DataType.FLOAT || w.dims.length !== 2) continue;
      const [k, n] = w.dims;
      if (k % QUANT_BLOCK !== 0) continue;
      const src = new Float32Array(w.raw.buffer, w.raw.byteOffset, k * n);
      const rows = new Float32Array(n * k); // [N, K]: the op's layout
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) rows[j * k + i] = src[i * n + j];
      const q = quantizeRows(rows, n, k, bits);
      const packed = this.fresh(`${w.name}_q`);
      const scales = this.fresh(`${w.name}_s`);
      this.inits.push(
        {
          name: packed,
          dims: [n, q.kBlocks, (QUANT_BLOCK * bits) / 8],
          dataType: DataType.UINT8,
          raw: q.packed,
        },
        { name: scales, dims: [n * q.kBlocks], dataType: DataType.FLOAT, raw: asBytes(q.scales) },
      );
      this.inits.splice(this.inits.indexOf(w), 1);
      byName.delete(w.name);
      node.opType = "MatMulNBits";
      node.domain = "com.microsoft";
      node.inputs = [node.inputs[0], packed, scales];
      node.attributes = {
        K: int(k),
        N: int(n),
        bits: int(bits),
        block_size: int(QUANT_BLOCK),
        accuracy_level: int(4),
      };
      count++;
    }
    if (count > 0) this.domains.add("com.microsoft");
    return count;
  }

  build(externalAbove = 1.5e9): BuiltGraph {
    const weightBytes = this.inits.reduce((s, t) => s + (t.raw?.length ?? 0), 0);
    const externalData: { path: string; data: Uint8Array }[] = [];
    let inits = this.inits;
    if (weightBytes > externalAbove) {
      // Big tensors become external; tiny ones (shapes, scalars) stay inline.
      inits = this.inits.map((t) => {
        const raw = t.raw ?? new Uint8Array(0);
        if (raw.length < 1024) return t;
        const path = `${this.name}.${t.name}.bin`;
        externalData.push({ path, data: raw });
        return {
          ...t,
          raw: undefined,
          external: { location: path, offset: 0, length: raw.length },
        };
      });
    }
    const bytes = encodeModel({
      graphName: this.name,
      opset: OPSET,
      domains: [...this.domains].map((domain) => ({ domain, version: 1 })),
      nodes: this.nodes,
      initializers: inits,
      inputs: this.inputs,
      outputs: this.outputs,
    });
    return {
      bytes,
      externalData,
      inputNames: this.inputs.map((i) => i.name),
      outputNames: this.outputs.map((o) => o.name),
      weightBytes,
    };
  }
}

export const int = (value: number): AttributeValue => ({ type: "int", value });
export const ints = (value: number[]): AttributeValue => ({ type: "ints", value });
export const float = (value: number): AttributeValue => ({ type: "float", value });
