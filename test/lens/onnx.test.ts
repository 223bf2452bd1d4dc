// The hand-written ONNX encoder: protobuf varints (incl. negative int64), and
// graphs that ORT accepts and computes correctly, with weights inline and as
// in-memory external data (the path for graphs over protobuf's 2 GB limit).
import { describe, expect, it } from "vitest";
import { DataType, GraphBuilder, ints, ProtoWriter } from "../../src/lens/onnx/index.js";
import { createSession } from "../../src/lens/ort.js";

const bytesOf = (f: (w: ProtoWriter) => void) => {
  const w = new ProtoWriter();
  f(w);
  return Array.from(w.finish());
};

describe("protobuf encoding", () => {
  it("encodes varints as protobuf does", () => {
    expect(bytesOf((w) => w.varint(1))).toEqual([1]);
    expect(bytesOf((w) => w.varint(300))).toEqual([0xac, 0x02]);
    expect(bytesOf((w) => w.varint(2 ** 40))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    // int64 -1: ten bytes of two's complement
    expect(bytesOf((w) => w.varint(-1))).toEqual([...Array(9).fill(0xff), 0x01]);
    expect(bytesOf((w) => w.int(2, 150))).toEqual([0x10, 0x96, 0x01]);
  });
});

function affineGraph(w: Float32Array): GraphBuilder {
  // y = transpose(x @ W, [0,2,1]) + 1, with a negative-int attribute and an int64 initializer
  const g = new GraphBuilder("affine");
  const x = g.input("x", ["B", "T", 4]);
  const y = g.op("MatMul", [x, g.weight("w", w, [4, 300])]);
  const t = g.op("Transpose", [y], { perm: ints([0, 2, 1]) });
  const r = g.op("Reshape", [g.op("Add", [t, g.scalar(1)]), g.ints([0, -1])]);
  g.output(r, "y", ["B", "N"]);
  return g;
}

describe("graphs built in TypeScript run on ORT", () => {
  const w = Float32Array.from({ length: 4 * 300 }, (_, i) => ((i * 37) % 11) - 5);
  const x = Float32Array.from([1, -2, 0.5, 3, 0, 1, 1, 0]);
  const expected = (t: number, n: number) =>
    [0, 1, 2, 3].reduce((s, k) => s + x[t * 4 + k] * w[k * 300 + n], 0) + 1;

  for (const external of [false, true]) {
    it(`computes x @ W + 1 with weights ${external ? "as in-memory external data" : "inline"}`, async () => {
      const built = affineGraph(w).build(external ? 0 : undefined);
      expect(built.externalData.length).toBe(external ? 1 : 0);
      const s = await createSession(built, { threads: 1 });
      const out = await s.run({ x: { data: x, dims: [1, 2, 4] } });
      expect(out.y.dims).toEqual([1, 600]);
      // Transposed: element [n, t] is at n*2 + t
      for (const n of [0, 7, 299])
        for (const t of [0, 1]) expect(out.y.data[n * 2 + t]).toBeCloseTo(expected(t, n), 4);
      await s.release();
    });
  }

  it("takes int64 inputs (Gather)", async () => {
    const g = new GraphBuilder("gather");
    const ids = g.input("ids", [2], DataType.INT64);
    g.output(
      g.op("Gather", [g.weight("e", Float32Array.from([10, 11, 20, 21, 30, 31]), [3, 2]), ids]),
      "e",
      [2, 2],
    );
    const s = await createSession(g.build());
    const out = await s.run({ ids: { data: BigInt64Array.from([2n, 0n]), dims: [2] } });
    expect(Array.from(out.e.data)).toEqual([30, 31, 10, 11]);
    await s.release();
  });
});
