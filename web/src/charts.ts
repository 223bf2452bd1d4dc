/**
 * Small SVG charts for the inspector: lines over steps (reward components),
 * bars (anomaly z-score per probed layer), a heatmap (cosine to each library
 * direction) and stacked bars (intent-probe class probabilities). Each chart
 * scales to its container's width (viewBox) and carries a <title> and text
 * labels, so it reads without colour and on a narrow screen. No chart library:
 * four shapes do not need one.
 */
import { fmt, h, s } from "./dom.js";

export const PALETTE = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#d97706",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#475569",
  "#ea580c",
];

export interface Series {
  name: string;
  values: number[];
  color?: string;
  bold?: boolean;
}

const W = 560;

/** Lines over an x index 0..n-1, with a vertical cursor at `cursor`. */
export function lineChart(title: string, series: Series[], cursor: number): HTMLElement {
  const H = 180;
  const pad = { l: 44, r: 8, t: 10, b: 22 };
  const n = Math.max(1, ...series.map((x) => x.values.length));
  const all = series.flatMap((x) => x.values);
  let lo = Math.min(0, ...all);
  let hi = Math.max(0, ...all);
  if (hi - lo < 1e-9) hi = lo + 1;
  const span = hi - lo;
  lo -= span * 0.05;
  hi += span * 0.05;
  const x = (i: number) => pad.l + ((W - pad.l - pad.r) * i) / Math.max(1, n - 1);
  const y = (v: number) => pad.t + ((H - pad.t - pad.b) * (hi - v)) / (hi - lo);
  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart", "aria-label": title },
    s("title", {}, title),
    s("line", { x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0), class: "axis" }),
    s("text", { x: pad.l - 4, y: y(hi) + 8, class: "tick", "text-anchor": "end" }, fmt(hi, 1)),
    s("text", { x: pad.l - 4, y: y(lo), class: "tick", "text-anchor": "end" }, fmt(lo, 1)),
    // The zero label only where it does not overlap the extremes' labels.
    Math.min(y(0) - y(hi), y(lo) - y(0)) > 12
      ? s("text", { x: pad.l - 4, y: y(0) + 3, class: "tick", "text-anchor": "end" }, "0")
      : null,
    s("text", { x: W - pad.r, y: H - 4, class: "tick", "text-anchor": "end" }, `step ${n - 1}`),
    s("line", { x1: x(cursor), x2: x(cursor), y1: pad.t, y2: H - pad.b, class: "cursor" }),
  );
  series.forEach((ser, k) => {
    const pts = ser.values.map((v, i) => `${fmt(x(i), 1)},${fmt(y(v), 1)}`).join(" ");
    svg.appendChild(
      s("polyline", {
        points: pts,
        fill: "none",
        stroke: ser.color ?? PALETTE[k % PALETTE.length],
        "stroke-width": ser.bold ? 2.5 : 1.5,
      }),
    );
  });
  const legend = h(
    "ul",
    { class: "legend" },
    series.map((ser, k) =>
      h(
        "li",
        {},
        h("span", {
          class: "swatch",
          style: `background:${ser.color ?? PALETTE[k % PALETTE.length]}`,
        }),
        `${ser.name} ${fmt(ser.values[Math.min(cursor, ser.values.length - 1)] ?? 0)}`,
      ),
    ),
  );
  return h("figure", { class: "figure" }, h("figcaption", {}, title), svg, legend);
}

/** Horizontal bars with signed values (a zero line in the middle when negatives occur). */
export function barChart(
  title: string,
  bars: { label: string; value: number; highlight?: boolean }[],
): HTMLElement {
  const row = 18;
  const padL = 110;
  const H = Math.max(1, bars.length) * row + 8;
  const maxAbs = Math.max(1, ...bars.map((b) => Math.abs(b.value)));
  const hasNeg = bars.some((b) => b.value < 0);
  const zero = hasNeg ? padL + (W - padL - 50) / 2 : padL;
  const scale = (W - padL - 50) / (hasNeg ? 2 * maxAbs : maxAbs);
  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart", "aria-label": title },
    s("title", {}, title),
    s("line", { x1: zero, x2: zero, y1: 0, y2: H, class: "axis" }),
  );
  bars.forEach((b, i) => {
    const y0 = 4 + i * row;
    const w = Math.abs(b.value) * scale;
    svg.appendChild(
      s("text", { x: padL - 6, y: y0 + 12, class: "tick", "text-anchor": "end" }, b.label),
    );
    svg.appendChild(
      s("rect", {
        x: b.value < 0 ? zero - w : zero,
        y: y0 + 2,
        width: Math.max(1, w),
        height: row - 6,
        class: b.highlight ? "bar hot" : "bar",
      }),
    );
    svg.appendChild(
      s(
        "text",
        { x: (b.value < 0 ? zero : zero + w) + 4, y: y0 + 12, class: "tick" },
        fmt(b.value),
      ),
    );
  });
  return h("figure", { class: "figure" }, h("figcaption", {}, title), svg);
}

/** A rows × cols heatmap of values in [-1, 1] (blue negative, red positive), values printed. */
export function heatmap(
  title: string,
  rows: string[],
  cols: string[],
  values: number[][],
): HTMLElement {
  const cw = Math.min(52, (W - 110) / Math.max(1, cols.length));
  const rh = 20;
  const padL = 110;
  const padT = 70;
  const H = padT + rows.length * rh + 4;
  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart", "aria-label": title },
    s("title", {}, title),
  );
  cols.forEach((c, j) => {
    const cx = padL + j * cw + cw / 2;
    svg.appendChild(
      s(
        "text",
        { x: cx, y: padT - 6, class: "tick", transform: `rotate(-45 ${cx} ${padT - 6})` },
        c,
      ),
    );
  });
  rows.forEach((r, i) => {
    svg.appendChild(
      s("text", { x: padL - 6, y: padT + i * rh + 14, class: "tick", "text-anchor": "end" }, r),
    );
    cols.forEach((_, j) => {
      const v = values[i][j] ?? 0;
      const a = Math.min(1, Math.abs(v));
      const fill = v >= 0 ? `rgba(220,38,38,${a})` : `rgba(37,99,235,${a})`;
      svg.appendChild(
        s("rect", {
          x: padL + j * cw,
          y: padT + i * rh,
          width: cw - 1,
          height: rh - 1,
          fill,
          class: "cell",
        }),
      );
      svg.appendChild(
        s(
          "text",
          {
            x: padL + j * cw + cw / 2,
            y: padT + i * rh + 14,
            class: a > 0.6 ? "cellv light" : "cellv",
            "text-anchor": "middle",
          },
          fmt(v),
        ),
      );
    });
  });
  return h("figure", { class: "figure" }, h("figcaption", {}, title), svg);
}

/** One stacked bar per row: the share of each class, labelled with the largest. */
export function stackedBars(
  title: string,
  rows: { label: string; parts: Record<string, number> }[],
  classes: readonly string[],
): HTMLElement {
  const row = 20;
  const padL = 110;
  const H = rows.length * row + 8;
  const span = W - padL - 10;
  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart", "aria-label": title },
    s("title", {}, title),
  );
  rows.forEach((r, i) => {
    const y0 = 4 + i * row;
    svg.appendChild(
      s("text", { x: padL - 6, y: y0 + 13, class: "tick", "text-anchor": "end" }, r.label),
    );
    let x0 = padL;
    classes.forEach((c, k) => {
      const p = r.parts[c] ?? 0;
      const w = p * span;
      if (w <= 0) return;
      svg.appendChild(
        s(
          "rect",
          { x: x0, y: y0 + 2, width: w, height: row - 5, fill: PALETTE[k % PALETTE.length] },
          s("title", {}, `${c} ${fmt(p, 3)}`),
        ),
      );
      if (w > 60)
        svg.appendChild(
          s("text", { x: x0 + 4, y: y0 + 13, class: "cellv light" }, `${c} ${fmt(p)}`),
        );
      x0 += w;
    });
  });
  const legend = h(
    "ul",
    { class: "legend" },
    classes.map((c, k) =>
      h(
        "li",
        {},
        h("span", { class: "swatch", style: `background:${PALETTE[k % PALETTE.length]}` }),
        c,
      ),
    ),
  );
  return h("figure", { class: "figure" }, h("figcaption", {}, title), svg, legend);
}
