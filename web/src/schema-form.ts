/**
 * The action form, generated from the server's `/schema` (the action's JSON
 * Schema, itself derived from the zod schemas of src/arena/schema.ts), so no
 * field list is written twice. The form checks nothing itself beyond reading
 * numbers and lists: the server validates, and its errors (`loc` per field)
 * are shown beside the fields they name. Empty optional fields are left out.
 *
 * Field kinds: const → fixed, enum → select, integer/number → text read as a
 * number, string → input (textarea when long), array/tuple → comma-separated,
 * object with properties → fieldset (optional ones behind a checkbox),
 * free-form object → JSON text, `anyOf [T, null]` → T where empty means null.
 *
 * With `shows`, the form shows only the top-level fields the discriminator's
 * choice uses (web/src/action-fields.ts); a field that is hidden is cleared and
 * never read, so an action never carries a value typed for another choice.
 */
import { h } from "./dom.js";
import type { JsonSchema } from "./server-link.js";

type Reader = () => { present: boolean; value: unknown };

export interface ActionForm {
  element: HTMLFormElement;
  /** the action as the form holds it now */
  read(): Record<string, unknown>;
  /** shows the server's validation errors beside their fields; returns those without a field */
  showErrors(errors: { loc: (string | number)[]; msg: string }[]): string[];
  clearErrors(): void;
  /** suggestions for a field (e.g. the pending session ids), by its dotted path */
  suggest(path: string, values: string[]): void;
  /** limits a select's choices (e.g. the stage's strategies); keeps the choice if still allowed */
  restrict(path: string, values: readonly string[]): void;
  /** clears a field whose value is no longer one of `values` (a session no longer pending) */
  dropStale(path: string, values: readonly string[]): void;
}

export interface FormOptions {
  /** the top-level field whose value decides which others are shown */
  discriminator: string;
  /** whether top-level field `field` is used when the discriminator is `choice` */
  shows: (field: string, choice: string) => boolean;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** Empties every control inside `el` (and closes optional groups). */
function clearControls(el: HTMLElement): void {
  for (const c of el.querySelectorAll<Control>("input, select, textarea")) {
    if (c instanceof HTMLInputElement && c.type === "checkbox") {
      if (c.checked) {
        c.checked = false;
        c.dispatchEvent(new Event("change"));
      }
    } else if (c instanceof HTMLSelectElement) c.selectedIndex = 0;
    else c.value = "";
  }
}

/** The branch of the action's `oneOf` whose `agent_type` is `role`. */
export function actionBranch(action: JsonSchema, role: string): JsonSchema {
  const branch = (action.oneOf ?? action.anyOf ?? []).find(
    (b) => b.properties?.agent_type?.const === role,
  );
  if (!branch) throw new Error(`the server's /schema has no action for agent_type '${role}'`);
  return branch;
}

const fieldId = (path: string) => `f-${path.replace(/[^a-z0-9]+/gi, "-")}`;

function nonNull(schema: JsonSchema): { inner: JsonSchema; nullable: boolean } {
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts?.some((a) => a.type === "null")) {
    const inner = alts.find((a) => a.type !== "null") ?? {};
    return {
      inner: { ...inner, description: schema.description ?? inner.description },
      nullable: true,
    };
  }
  return { inner: schema, nullable: false };
}

const toNumber = (text: string): unknown => {
  const n = Number(text);
  // Send what was typed when it is not a number: the server's error then names the field.
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
};

export function buildActionForm(
  schema: JsonSchema,
  onSubmit: () => void,
  options?: FormOptions,
): ActionForm {
  const wrappers = new Map<string, HTMLElement>();
  const controls = new Map<string, Control>();
  const datalists = new Map<string, HTMLDataListElement>();

  function field(
    name: string,
    path: string,
    sch: JsonSchema,
    required: boolean,
  ): { el: HTMLElement | null; read: Reader } {
    const { inner, nullable } = nonNull(sch);
    const id = fieldId(path);
    const errId = `${id}-error`;
    const label = h(
      "label",
      { for: id },
      name,
      required ? h("span", { class: "req", title: "required" }, " *") : "",
    );
    const hint = inner.description ? h("small", { class: "hint" }, inner.description) : null;
    const err = h("p", { class: "field-error", id: errId, role: "alert", hidden: true });
    const wrap = (control: Control) => {
      const w = h("div", { class: "field", "data-field": path }, label, control, hint, err);
      wrappers.set(path, w);
      controls.set(path, control);
      return w;
    };
    const common = { id, name: path, "aria-describedby": errId };

    if (inner.const !== undefined)
      return { el: null, read: () => ({ present: true, value: inner.const }) };
    if (inner.enum) {
      const sel = h(
        "select",
        common,
        !required || nullable ? h("option", { value: "" }, "—") : null,
        inner.enum.map((v) => h("option", { value: String(v) }, String(v))),
      );
      return {
        el: wrap(sel),
        read: () =>
          sel.value === ""
            ? { present: nullable && !required, value: null }
            : { present: true, value: sel.value },
      };
    }
    const type = Array.isArray(inner.type) ? inner.type[0] : inner.type;
    if (type === "object" && inner.properties) {
      const kids = Object.entries(inner.properties).map(([k, v]) =>
        field(k, path ? `${path}.${k}` : k, v, inner.required?.includes(k) ?? false),
      );
      const include = required
        ? null
        : h("input", { type: "checkbox", id: `${id}-on`, "aria-controls": id });
      const body = h(
        "div",
        { class: "fields", id },
        kids.map((k) => k.el),
      );
      const set = h(
        "fieldset",
        { class: "field group", "data-field": path },
        h("legend", {}, include, include ? h("label", { for: `${id}-on` }, ` ${name}`) : name),
        hint,
        body,
        err,
      );
      if (include) {
        body.hidden = true;
        include.addEventListener("change", () => (body.hidden = !include.checked));
      }
      wrappers.set(path, set);
      return {
        el: set,
        read: () => {
          if (include && !include.checked) return { present: false, value: undefined };
          const value: Record<string, unknown> = {};
          Object.keys(inner.properties!).forEach((k, i) => {
            if (kids[i].el?.hidden) return; // not used by the current choice
            const r = kids[i].read();
            if (r.present) value[k] = r.value;
          });
          return { present: true, value };
        },
      };
    }
    if (type === "object") {
      const ta = h("textarea", { ...common, rows: 2, placeholder: "{} (JSON)" });
      return {
        el: wrap(ta),
        read: () => {
          const t = ta.value.trim();
          if (t === "") return { present: false, value: undefined };
          try {
            return { present: true, value: JSON.parse(t) };
          } catch {
            return { present: true, value: t };
          }
        },
      };
    }
    if (type === "array") {
      const numeric = [inner.items, ...(inner.prefixItems ?? [])].some(
        (i) => i && (i.type === "integer" || i.type === "number"),
      );
      const input = h("input", {
        ...common,
        type: "text",
        placeholder: "comma-separated, e.g. 3, 5",
        autocomplete: "off",
      });
      return {
        el: wrap(input),
        read: () => {
          const t = input.value.trim();
          if (t === "")
            return { present: nullable && required, value: nullable ? null : undefined };
          const parts = t.split(",").map((p) => p.trim());
          return { present: true, value: numeric ? parts.map(toNumber) : parts };
        },
      };
    }
    if (type === "integer" || type === "number") {
      const input = h("input", {
        ...common,
        type: "text",
        inputmode: type === "integer" ? "numeric" : "decimal",
        autocomplete: "off",
      });
      return {
        el: wrap(input),
        read: () => {
          const t = input.value.trim();
          if (t === "")
            return nullable
              ? { present: false, value: null }
              : { present: false, value: undefined };
          return { present: true, value: toNumber(t) };
        },
      };
    }
    if (type === "boolean") {
      const sel = h(
        "select",
        common,
        h("option", { value: "" }, "—"),
        h("option", { value: "true" }, "true"),
        h("option", { value: "false" }, "false"),
      );
      return {
        el: wrap(sel),
        read: () =>
          sel.value === ""
            ? { present: false, value: undefined }
            : { present: true, value: sel.value === "true" },
      };
    }
    // strings
    const long = (inner.maxLength ?? 10_000) > 200;
    const list = h("datalist", { id: `${id}-list` });
    datalists.set(path, list);
    const input = long
      ? h("textarea", { ...common, rows: 3 })
      : h("input", { ...common, type: "text", list: `${id}-list`, autocomplete: "off" });
    const el = wrap(input);
    el.appendChild(list);
    return {
      el,
      read: () => {
        const t = input.value;
        if (t === "" && !required)
          return nullable ? { present: false, value: null } : { present: false, value: undefined };
        return { present: true, value: t };
      },
    };
  }

  const root = field("action", "", schema, true);
  const general = h("p", { class: "form-error", role: "alert", hidden: true });
  const element = h(
    "form",
    { class: "action-form", novalidate: true, "aria-label": "Action" },
    root.el?.querySelector(".fields") ?? root.el,
    general,
    h("button", { type: "submit", class: "primary" }, "Send action"),
  );
  element.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onSubmit();
  });

  // Show only the fields the current choice uses; clear the ones it hides.
  const chooser = options ? controls.get(options.discriminator) : undefined;
  const relevance = () => {
    if (!options || !chooser) return;
    for (const name of Object.keys(schema.properties ?? {})) {
      const w = wrappers.get(name);
      if (!w || name === options.discriminator) continue;
      const show = options.shows(name, chooser.value);
      if (!show && !w.hidden) clearControls(w);
      w.hidden = !show;
    }
  };
  chooser?.addEventListener("change", relevance);
  relevance();

  return {
    element,
    read: () => root.read().value as Record<string, unknown>,
    clearErrors() {
      for (const w of wrappers.values()) {
        w.classList.remove("has-error");
        const e = w.querySelector(":scope > .field-error") as HTMLElement | null;
        if (e) {
          e.hidden = true;
          e.textContent = "";
        }
      }
      general.hidden = true;
      general.textContent = "";
    },
    showErrors(errors) {
      const unplaced: string[] = [];
      for (const e of errors) {
        // The deepest field the location names (an enum inside a fieldset, or the fieldset itself).
        let path = e.loc.map(String).join(".");
        while (path !== "" && !wrappers.has(path)) path = path.split(".").slice(0, -1).join(".");
        const w = path === "" ? null : wrappers.get(path);
        const slot = w?.querySelector(":scope > .field-error") as HTMLElement | null;
        if (!w || !slot) {
          unplaced.push(`${e.loc.join(".") || "action"}: ${e.msg}`);
          continue;
        }
        w.classList.add("has-error");
        slot.hidden = false;
        slot.textContent = slot.textContent ? `${slot.textContent}; ${e.msg}` : e.msg;
      }
      if (unplaced.length) {
        general.hidden = false;
        general.textContent = unplaced.join("; ");
      }
      return unplaced;
    },
    suggest(path, values) {
      const list = datalists.get(path);
      if (list) list.replaceChildren(...values.map((v) => h("option", { value: v })));
    },
    restrict(path, values) {
      const sel = controls.get(path);
      if (!(sel instanceof HTMLSelectElement)) return;
      const before = sel.value;
      const blank = [...sel.options].find((o) => o.value === "");
      sel.replaceChildren(
        ...(blank ? [blank] : []),
        ...values.map((v) => h("option", { value: v }, v)),
      );
      sel.value =
        values.includes(before) || before === "" ? before : blank ? "" : (values[0] ?? "");
      if (sel.value !== before) sel.dispatchEvent(new Event("change"));
    },
    dropStale(path, values) {
      const c = controls.get(path);
      if (c && c.value !== "" && !values.includes(c.value)) c.value = "";
    },
  };
}
