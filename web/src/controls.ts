/**
 * Small labelled controls shared by the Watch and Play panes (selects, number
 * inputs, a status line), so both panes look and behave alike and every
 * control has a visible label for keyboard and screen-reader users.
 */
import { h } from "./dom.js";

export function select(
  label: string,
  name: string,
  options: readonly (string | number)[],
  value: string | number,
  onChange: (v: string) => void,
): { wrap: HTMLElement; el: HTMLSelectElement } {
  const id = `c-${name}`;
  const el = h(
    "select",
    { id, name },
    options.map((o) =>
      h("option", { value: String(o), selected: String(o) === String(value) }, String(o)),
    ),
  );
  el.addEventListener("change", () => onChange(el.value));
  return { wrap: h("div", { class: "control" }, h("label", { for: id }, label), el), el };
}

export function numberInput(
  label: string,
  name: string,
  value: number,
  min: number,
  max: number,
  onChange: (v: number) => void,
): { wrap: HTMLElement; el: HTMLInputElement } {
  const id = `c-${name}`;
  const el = h("input", {
    id,
    name,
    type: "number",
    min,
    max,
    step: 1,
    value,
    inputmode: "numeric",
  });
  el.addEventListener("change", () => {
    const n = Math.round(Number(el.value));
    if (Number.isFinite(n) && n >= min && n <= max) onChange(n);
    else el.value = String(value);
  });
  return { wrap: h("div", { class: "control" }, h("label", { for: id }, label), el), el };
}

/** A status line: loading, errors (with an optional retry), or nothing. */
export class StatusLine {
  readonly element = h("div", { class: "status", role: "status", "aria-live": "polite" });

  clear(): void {
    this.element.className = "status";
    this.element.removeAttribute("data-error-kind");
    this.element.replaceChildren();
  }

  loading(text: string): void {
    this.element.className = "status loading";
    this.element.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), text);
  }

  info(text: string): void {
    this.element.className = "status info";
    this.element.replaceChildren(text);
  }

  error(text: string, kind: string, retry?: () => void): void {
    this.element.className = "status error";
    this.element.setAttribute("data-error-kind", kind);
    this.element.replaceChildren(h("span", {}, text));
    if (retry)
      this.element.append(h("button", { type: "button", onclick: () => retry() }, "Retry"));
  }
}
