/**
 * A few DOM helpers so the page's views read as trees: `h(tag, attrs, ...kids)`
 * builds an element, `replace(el, ...kids)` swaps an element's content. Text is
 * always set as text (never as HTML), so nothing a policy or the target wrote
 * can inject markup. No virtual DOM, no diffing: views re-render on change.
 */

export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

function append(el: Node, kid: Child): void {
  if (kid === null || kid === undefined || kid === false) return;
  if (Array.isArray(kid)) for (const k of kid) append(el, k);
  else el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...kids: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, kids);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element (charts). */
export function s(tag: string, attrs: Record<string, string | number> = {}, ...kids: Child[]) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, kids);
  return el;
}

export function replace(el: Element, ...kids: Child[]): void {
  el.replaceChildren();
  append(el, kids);
}

/** A number with at most `digits` decimals, no trailing zeros. */
export const fmt = (x: number, digits = 2): string =>
  Number.isFinite(x) ? String(Math.round(x * 10 ** digits) / 10 ** digits) : String(x);
