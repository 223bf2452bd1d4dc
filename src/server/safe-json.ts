/**
 * Replies that cannot throw (issue 11, item 2). Two halves:
 * - `boundEcho` makes the copy of a caller's input that a validation error
 *   echoes (`input`, `ctx`): nesting, string length and entry counts are
 *   capped, so an 8 KB frame nested 4,000 deep echoes a few hundred bytes and
 *   serialising the error cannot overflow the stack;
 * - `encodeOr` serialises a reply and, should that still fail, returns a fixed
 *   protocol-shaped fallback instead of throwing into a socket callback.
 * It knows nothing of transports; each one passes its own fallback text.
 */

/** How much of a caller's input an error may echo. */
export const ECHO_LIMITS = { depth: 4, stringChars: 200, entries: 16 } as const;

const MORE = "…";

/**
 * A JSON-safe, bounded copy of `value`: strings over `stringChars` are cut and
 * end in "…", objects and arrays keep their first `entries` entries (then a
 * "…" key or element), anything below `depth` levels becomes "…". Only own
 * enumerable keys are read (a `__proto__` key is copied as data).
 */
export function boundEcho(value: unknown, depth: number = ECHO_LIMITS.depth): unknown {
  if (typeof value === "string") {
    return value.length > ECHO_LIMITS.stringChars
      ? value.slice(0, ECHO_LIMITS.stringChars) + MORE
      : value;
  }
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "object") return value === undefined ? undefined : String(value);
  if (depth <= 0) return MORE;
  if (Array.isArray(value)) {
    const out = value.slice(0, ECHO_LIMITS.entries).map((v) => boundEcho(v, depth - 1));
    if (value.length > ECHO_LIMITS.entries) out.push(MORE);
    return out;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const k of keys.slice(0, ECHO_LIMITS.entries)) {
    const key = k.length > ECHO_LIMITS.stringChars ? k.slice(0, ECHO_LIMITS.stringChars) + MORE : k;
    // defineProperty: a key named "__proto__" stays a plain data key.
    Object.defineProperty(out, key, {
      value: boundEcho((value as Record<string, unknown>)[k], depth - 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (keys.length > ECHO_LIMITS.entries) out[MORE] = keys.length - ECHO_LIMITS.entries;
  return out;
}

/** A caller's text cut to `max` characters, for messages that quote it. */
export const clip = (s: string, max = 80): string => (s.length > max ? s.slice(0, max) + MORE : s);

/** `JSON.stringify(value)`, or `fallback` (reported to `onFail`) if that throws. */
export function encodeOr(
  value: unknown,
  fallback: string,
  onFail: (e: unknown) => void = () => {},
): string {
  try {
    const text = JSON.stringify(value);
    if (typeof text === "string") return text;
    onFail(new Error("reply is not JSON-serialisable"));
  } catch (e) {
    onFail(e);
  }
  return fallback;
}
