/**
 * The game's tools (src/arena/tools.ts) as MCP serves them: `tools/list` entries
 * with the input schema emitted as both `inputSchema` (MCP spec) and
 * `input_schema` (OpenEnv's snake_case dump, PROTOCOL.md §3.3), and argument
 * validation that fails with the protocol's validation error.
 *
 * This file knows nothing of sessions: it turns (name, arguments) into an action.
 */

import type { Action } from "../../arena/schema.js";
import { TOOLS, type ToolDef, toolInputSchema } from "../../arena/tools.js";
import { RequestValidationError, zodToDetails } from "../validation-errors.js";

export { findTool, TOOLS, type ToolDef } from "../../arena/tools.js";

let listing: Record<string, unknown>[] | null = null;

/** `tools/list` entries; built once (the schemas are static). */
export function toolList(): Record<string, unknown>[] {
  listing ??= TOOLS.map((t) => {
    const schema = toolInputSchema(t);
    return { name: t.name, description: t.description, inputSchema: schema, input_schema: schema };
  });
  return listing;
}

/** Validates a tool's arguments and returns the action, or throws RequestValidationError. */
export function toolAction(tool: ToolDef, args: Record<string, unknown>): Action | null {
  const parsed = tool.args.safeParse(args);
  if (!parsed.success) throw new RequestValidationError(zodToDetails(parsed.error, args));
  return tool.toAction ? tool.toAction(parsed.data as Record<string, unknown>) : null;
}
