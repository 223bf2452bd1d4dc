/**
 * Validation failures in the wire shape OpenEnv clients know: pydantic's error
 * entries `{type, loc, msg, input, ctx?}` (PROTOCOL.md §1.3, §2.3). Two sources
 * feed it: zod issues from the arena's schemas (actions, reset options, tool
 * arguments) and the hand-written envelope checks of envelope.ts. Clients and
 * our tests compare `type` and `loc`; `msg` is for people. We do not copy
 * pydantic's `url` field: it would point at pydantic docs for a zod check.
 *
 * `input` echoes only what the caller itself sent, never server state (GAME.md §1),
 * and only a bounded copy of it (safe-json.ts): every entry is bounded when the
 * error is made, so no later reply path can meet a 4,000-deep echo.
 */
import type { z } from "zod";
import { boundEcho, clip, ECHO_LIMITS } from "./safe-json.js";

export type Loc = (string | number)[];

export interface ErrorDetail {
  type: string;
  loc: Loc;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** A request whose envelope or payload failed validation; becomes HTTP 422 or VALIDATION_ERROR. */
export class RequestValidationError extends Error {
  readonly details: ErrorDetail[];
  constructor(details: ErrorDetail[]) {
    super("Invalid message");
    this.name = "RequestValidationError";
    this.details = details.slice(0, ECHO_LIMITS.entries).map(bounded);
  }
}

function bounded(d: ErrorDetail): ErrorDetail {
  const out: ErrorDetail = {
    type: d.type,
    loc: d.loc.map((k) => (typeof k === "string" ? clip(k, ECHO_LIMITS.stringChars) : k)),
    msg: clip(d.msg, 1000),
    input: boundEcho(d.input),
  };
  if (d.ctx !== undefined) out.ctx = boundEcho(d.ctx) as Record<string, unknown>;
  return out;
}

function at(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ["string_type", "Input should be a valid string"],
  number: ["float_type", "Input should be a valid number"],
  int: ["int_type", "Input should be a valid integer"],
  boolean: ["bool_type", "Input should be a valid boolean"],
  object: ["dict_type", "Input should be a valid dictionary"],
  record: ["dict_type", "Input should be a valid dictionary"],
  array: ["list_type", "Input should be a valid list"],
  tuple: ["tuple_type", "Input should be a valid tuple"],
};

function one(issue: z.core.$ZodIssue, input: unknown, prefix: Loc): ErrorDetail[] {
  const path = issue.path.filter((k): k is string | number => typeof k !== "symbol");
  const loc = [...prefix, ...path];
  const value = at(input, issue.path);
  const parentHas = (() => {
    const parent = at(input, issue.path.slice(0, -1));
    const key = issue.path[issue.path.length - 1];
    return parent !== null && typeof parent === "object" && key !== undefined && key in parent;
  })();
  // zod reports a missing required field as a type or enum mismatch on undefined.
  if (value === undefined && path.length > 0 && !parentHas && issue.code !== "unrecognized_keys") {
    return [
      { type: "missing", loc, msg: "Field required", input: at(input, issue.path.slice(0, -1)) },
    ];
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => ({
        type: "extra_forbidden",
        loc: [...loc, k],
        msg: "Extra inputs are not permitted",
        input: (value as Record<string, unknown>)?.[k],
      }));
    case "invalid_type": {
      if (issue.expected === "int" && typeof value === "number") {
        return [
          {
            type: "int_from_float",
            loc,
            msg: "Input should be a valid integer, got a number with a fractional part",
            input: value,
          },
        ];
      }
      const [type, msg] = TYPE_NAMES[issue.expected] ?? [`${issue.expected}_type`, issue.message];
      return [{ type, loc, msg, input: value }];
    }
    case "invalid_value":
      return [
        {
          type: "literal_error",
          loc,
          msg: `Input should be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`,
          input: value,
          ctx: { expected: issue.values },
        },
      ];
    case "invalid_union":
      if ((issue as { discriminator?: string }).discriminator) {
        return [{ type: "union_tag_invalid", loc, msg: issue.message, input: value }];
      }
      return [{ type: "union_error", loc, msg: issue.message, input: value }];
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = small
        ? (issue as { minimum: number | bigint }).minimum
        : (issue as { maximum: number | bigint }).maximum;
      const n = Number(bound);
      if (issue.origin === "string") {
        return [
          {
            type: small ? "string_too_short" : "string_too_long",
            loc,
            msg: issue.message,
            input: value,
            ctx: { [small ? "min_length" : "max_length"]: n },
          },
        ];
      }
      if (issue.origin === "array" || issue.origin === "set") {
        return [
          {
            type: small ? "too_short" : "too_long",
            loc,
            msg: issue.message,
            input: value,
            ctx: { [small ? "min_length" : "max_length"]: n },
          },
        ];
      }
      const type = small
        ? issue.inclusive
          ? "greater_than_equal"
          : "greater_than"
        : issue.inclusive
          ? "less_than_equal"
          : "less_than";
      const key = small ? (issue.inclusive ? "ge" : "gt") : issue.inclusive ? "le" : "lt";
      return [{ type, loc, msg: issue.message, input: value, ctx: { [key]: n } }];
    }
    default:
      return [{ type: issue.code, loc, msg: issue.message, input: value }];
  }
}

/** Zod issues as pydantic-style entries; `prefix` is prepended to every loc (e.g. ["body"]). */
export function zodToDetails(error: z.ZodError, input: unknown, prefix: Loc = []): ErrorDetail[] {
  return error.issues.flatMap((issue) => one(issue, input, prefix));
}

/** One line per entry (`loc: msg`), for JSON-RPC messages and logs. */
export function describeDetails(details: ErrorDetail[]): string {
  return details.map((d) => `${d.loc.join(".") || "(root)"}: ${d.msg}`).join("; ");
}
