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

const asBytes = (a: Float32Array | BigInt64Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: InitializerSpec[] = [];
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

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
