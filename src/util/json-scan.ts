/**
 * Finding JSON objects inside free text (model output): the index of the `}`
 * that closes the object opened at a given `{`, skipping braces inside strings.
 * Used wherever generated text may carry a JSON action or tool call.
 */

/** The end of a balanced JSON object starting at `start` (a `{`), or -1. */
export function jsonObjectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  return -1;
}
