/** ONNX ModelProto encoding and a small graph builder (no transformer knowledge here). */
export { type BuiltGraph, float, GraphBuilder, int, ints, OPSET } from "./builder.js";
export { DataType, encodeModel, type ModelSpec, ProtoWriter } from "./proto.js";
