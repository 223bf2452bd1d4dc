/**
 * Reading an HTTP request body as FastAPI does before the handler runs
 * (PROTOCOL.md §1.2): no body is `undefined`; a body that is not declared JSON is
 * `model_attributes_type`; JSON that does not parse is `json_invalid` at
 * `["body", 0]`. Size limits are enforced before this, by the body-limit middleware.
 */
import type { Context } from "hono";
import { RequestValidationError } from "../validation-errors.js";

/** Whether a Content-Type names JSON (`application/json`, `application/*+json`). */
export const isJsonType = (type: string | undefined): boolean =>
  /^application\/([\w.+-]+\+)?json\b/i.test((type ?? "").trim());

export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  if (!isJsonType(c.req.header("content-type"))) {
    throw new RequestValidationError([
      {
        type: "model_attributes_type",
        loc: ["body"],
        msg: "Input should be a valid dictionary or object to extract fields from",
        input: text.slice(0, 200),
      },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RequestValidationError([
      {
        type: "json_invalid",
        loc: ["body", 0],
        msg: "JSON decode error",
        input: {},
        ctx: { error: (e as Error).message },
      },
    ]);
  }
}
