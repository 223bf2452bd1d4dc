/**
 * The first place two JSON values differ, as a path (`$.observation.red.tick`)
 * and the two values there. `seige replay` uses it to say exactly where a
 * replayed line departs from the recording instead of printing both lines.
 * It compares parsed JSON only (objects by key in sorted order, arrays by
 * index); it does not produce a full diff.
 */

export interface JsonDifference {
  /** a JSONPath-like location, `$` for the root */
  path: string;
  /** the value at `path` on each side; `undefined` where the side has nothing there */
  expected: unknown;
  actual: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const key = (path: string, k: string) =>
  /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;

/** The first difference between `expected` and `actual`, or null when they are equal. */
export function firstDifference(
  expected: unknown,
  actual: unknown,
  path = "$",
): JsonDifference | null {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const k of keys) {
      const d = firstDifference(expected[k], actual[k], key(path, k));
      if (d) return d;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : { path, expected, actual };
}

/** The first difference between two JSON texts; a text that does not parse differs at `$`. */
export function firstTextDifference(expected: string, actual: string): JsonDifference | null {
  const parse = (t: string): unknown => {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  };
  return firstDifference(parse(expected), parse(actual));
}

/** A value for one line of a message: JSON, cut to `max` characters; `(absent)` for undefined. */
export function showValue(v: unknown, max = 200): string {
  if (v === undefined) return "(absent)";
  const t = JSON.stringify(v);
  return t.length > max ? `${t.slice(0, max)}… (${t.length} chars)` : t;
}
