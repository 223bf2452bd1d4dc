/**
 * The protocol's envelopes, checked the way OpenEnv's FastAPI/pydantic models
 * check them (PROTOCOL.md §1.2, §1.3, §2.2): HTTP `ResetRequest` and
 * `StepRequest` bodies (extra keys allowed) and WebSocket frames (extra keys
 * forbidden). Failures become pydantic-style entries with `loc` starting at
 * `"body"` (HTTP) or at the frame's key (WS). The *contents* (an action, reset
 * options) are not checked here but by the arena's zod schemas in session.ts.
 */
import { clip } from "./safe-json.js";
import { type ErrorDetail, type Loc, RequestValidationError } from "./validation-errors.js";

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** pydantic's lax int: integers, integral floats and integer strings. */
function checkInt(value: unknown, loc: Loc, ge: number | null): ErrorDetail | null {
  let n = value;
  if (typeof value === "string") {
    if (!/^\s*[-+]?\d+\s*$/.test(value)) {
      return {
        type: "int_parsing",
        loc,
        msg: "Input should be a valid integer, unable to parse string as an integer",
        input: value,
      };
    }
    n = Number(value);
  }
  if (typeof n !== "number" || !Number.isFinite(n))
    return { type: "int_type", loc, msg: "Input should be a valid integer", input: value };
  if (!Number.isInteger(n))
    return {
      type: "int_from_float",
      loc,
      msg: "Input should be a valid integer, got a number with a fractional part",
      input: value,
    };
  if (ge !== null && n < ge)
    return {
      type: "greater_than_equal",
      loc,
      msg: `Input should be greater than or equal to ${ge}`,
      input: value,
      ctx: { ge },
    };
  return null;
}

function checkPositive(value: unknown, loc: Loc): ErrorDetail | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || Number.isNaN(n))
    return { type: "float_parsing", loc, msg: "Input should be a valid number", input: value };
  if (!(n > 0))
    return {
      type: "greater_than",
      loc,
      msg: "Input should be greater than 0",
      input: value,
      ctx: { gt: 0.0 },
    };
  return null;
}

function checkString(value: unknown, loc: Loc, max: number): ErrorDetail | null {
  if (typeof value !== "string")
    return { type: "string_type", loc, msg: "Input should be a valid string", input: value };
  if (value.length > max) {
    return {
      type: "string_too_long",
      loc,
      msg: `String should have at most ${max} characters`,
      input: value,
      ctx: { max_length: max },
    };
  }
  return null;
}

function fail(details: (ErrorDetail | null)[]): void {
  const real = details.filter((d): d is ErrorDetail => d !== null);
  if (real.length) throw new RequestValidationError(real);
}

const notObject = (input: unknown): ErrorDetail => ({
  type: "model_attributes_type",
  loc: ["body"],
  msg: "Input should be a valid dictionary or object to extract fields from",
  input,
});

export interface ResetRequest {
  /** the keys the client sent, nulls removed (OpenEnv forwards only explicitly set keys) */
  options: JsonObject;
  episodeId: string | null;
}

/** `POST /reset`: the body is optional; `seed` int ≥ 0, `episode_id` ≤ 255 chars; extras allowed. */
export function parseResetBody(body: unknown): ResetRequest {
  if (body === undefined || body === null) return { options: {}, episodeId: null };
  if (!isObject(body)) throw new RequestValidationError([notObject(body)]);
  fail([
    body.seed == null ? null : checkInt(body.seed, ["body", "seed"], 0),
    body.episode_id == null ? null : checkString(body.episode_id, ["body", "episode_id"], 255),
  ]);
  const options: JsonObject = {};
  for (const [k, v] of Object.entries(body)) if (v !== null) options[k] = v;
  if (typeof options.seed === "string") options.seed = Number(options.seed);
  return { options, episodeId: (body.episode_id as string | null | undefined) ?? null };
}

export interface StepRequest {
  action: JsonObject;
  /** seige's HTTP extension: which episode to continue (the reset observation's episode_id) */
  episodeId: string;
}

const NO_EPISODE =
  "Field required: OpenEnv's HTTP /step is stateless, so seige needs the episode to continue: " +
  'POST /reset, then send its observation.episode_id beside action ({"action": {...}, "episode_id": "..."}), ' +
  "or play over the WebSocket /ws";

/** `POST /step`: `action` object required; `timeout_s` > 0; `request_id` ≤ 255; `episode_id` required (seige). */
export function parseStepBody(body: unknown): StepRequest {
  if (body === undefined)
    throw new RequestValidationError([
      { type: "missing", loc: ["body"], msg: "Field required", input: null },
    ]);
  if (!isObject(body)) throw new RequestValidationError([notObject(body)]);
  fail([
    !("action" in body)
      ? { type: "missing", loc: ["body", "action"], msg: "Field required", input: body }
      : isObject(body.action)
        ? null
        : {
            type: "dict_type",
            loc: ["body", "action"],
            msg: "Input should be a valid dictionary",
            input: body.action,
          },
    body.timeout_s == null ? null : checkPositive(body.timeout_s, ["body", "timeout_s"]),
    body.request_id == null ? null : checkString(body.request_id, ["body", "request_id"], 255),
    body.episode_id == null ? null : checkString(body.episode_id, ["body", "episode_id"], 255),
  ]);
  if (body.episode_id == null) {
    throw new RequestValidationError([
      { type: "missing", loc: ["body", "episode_id"], msg: NO_EPISODE, input: body },
    ]);
  }
  return { action: body.action as JsonObject, episodeId: body.episode_id as string };
}

// ---------------------------------------------------------------- WebSocket frames

export type Frame =
  | { type: "reset"; data: JsonObject }
  | { type: "step"; data: JsonObject }
  | { type: "state" }
  | { type: "close" }
  | { type: "mcp"; data: JsonObject };

const FRAME_KEYS: Record<Frame["type"], { data: "none" | "optional" | "required" }> = {
  reset: { data: "optional" },
  step: { data: "required" },
  state: { data: "none" },
  close: { data: "none" },
  mcp: { data: "required" },
};

export class UnknownFrameType extends Error {
  constructor(readonly frameType: string) {
    super(`Unknown message type: ${clip(frameType)}`);
  }
}

/** Checks one parsed frame object (`extra="forbid"`); throws UnknownFrameType or RequestValidationError. */
export function parseFrame(frame: JsonObject): Frame {
  const type = typeof frame.type === "string" ? frame.type : "";
  const spec = FRAME_KEYS[type as Frame["type"]];
  if (!spec || !Object.hasOwn(FRAME_KEYS, type)) throw new UnknownFrameType(type);
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(frame)) {
    if (key === "type" || (key === "data" && spec.data !== "none")) continue;
    details.push({
      type: "extra_forbidden",
      loc: [key],
      msg: "Extra inputs are not permitted",
      input: frame[key],
    });
  }
  if (spec.data === "required" && !("data" in frame))
    details.push({ type: "missing", loc: ["data"], msg: "Field required", input: frame });
  else if (spec.data !== "none" && "data" in frame && !isObject(frame.data)) {
    details.push({
      type: "dict_type",
      loc: ["data"],
      msg: "Input should be a valid dictionary",
      input: frame.data,
    });
  }
  if (details.length) throw new RequestValidationError(details);
  return (
    spec.data === "none" ? { type } : { type, data: (frame.data as JsonObject | undefined) ?? {} }
  ) as Frame;
}
