/**
 * Small SVG charts for the inspector: lines over steps (reward components),
 * bars (anomaly z-score per probed layer), a heatmap (cosine to each library
 * direction) and stacked bars (intent-probe class probabilities). Each chart is
 * drawn at its figure's own pixel width (a ResizeObserver redraws it when the
 * width changes), so one SVG unit is one CSS pixel and its text keeps its CSS
 * size, ≥ 10 px, from a 390 px phone to a wide screen, instead of shrinking
 * with a fixed viewBox. Each carries a <title> and text labels, so it reads
 * without colour. No chart library: four shapes do not need one.
 */
import { fmt, h, s } from "./dom.js";
import { niceTicks } from "./ticks.js";

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

/** Width before the figure is laid out; the last width seen, so a re-render rarely redraws. */
let lastWidth = 560;
const MIN_W = 260;
/** Average advance of a character of the 11 px tick font, for layout (no text measuring). */
const CHAR = 6.4;

/**
 * A figure whose SVG `draw(width)` fills its content width; redrawn when that
 * width changes. The observer goes away with the figure.
 */
function figure(title: string, draw: (w: number) => SVGSVGElement, ...after: Node[]): HTMLElement {
  let width = lastWidth;
  let svg = draw(width);
  const fig = h("figure", { class: "figure" }, h("figcaption", {}, title), svg, ...after);
  if (typeof ResizeObserver !== "undefined") {
    const ro = new ResizeObserver((entries) => {
      if (!fig.isConnected) return ro.disconnect();
      const w = Math.max(MIN_W, Math.floor(entries[0].contentRect.width));
      if (Math.abs(w - width) < 1) return;
      width = w;
      lastWidth = w;
      const next = draw(w);
      svg.replaceWith(next);
      svg = next;
    });
    ro.observe(fig);
  }
  return fig;
}

const svgRoot = (title: string, w: number, hgt: number) =>
  s(
    "svg",
    {
      viewBox: `0 0 ${w} ${hgt}`,
      width: w,
      height: hgt,
      role: "img",
      class: "chart",
      "aria-label": title,
    },
    s("title", {}, title),
  ) as SVGSVGElement;

/** Lines over an x index 0..n-1, with a vertical cursor at `cursor`; y ticks at nice values. */
export function lineChart(
  title: string,
  series: Series[],
  cursor: number,
  note?: string,
  axes = "x: step · y: cumulative reward",
): HTMLElement {
  const n = Math.max(1, ...series.map((x) => x.values.length));
  const all = series.flatMap((x) => x.values);
  let lo = Math.min(0, ...all);
  let hi = Math.max(0, ...all);
  if (hi - lo < 1e-9) hi = lo + 1;
  const span = hi - lo;
  lo -= span * 0.05;
  hi += span * 0.05;
  const yTicks = niceTicks(lo, hi, 5);
  const labelW = Math.max(...yTicks.map((t) => String(fmt(t, 2)).length)) * CHAR + 10;
  const draw = (W: number) => {
    const H = 200;
    const pad = { l: Math.max(36, labelW), r: 10, t: 10, b: 24 };
    const x = (i: number) => pad.l + ((W - pad.l - pad.r) * i) / Math.max(1, n - 1);
    const y = (v: number) => pad.t + ((H - pad.t - pad.b) * (hi - v)) / (hi - lo);
    const svg = svgRoot(title, W, H);
    // how many steps the lines span (tick labels round to nice values, so they cannot tell)
    svg.setAttribute("data-steps", String(n));
    for (const t of yTicks) {
      svg.appendChild(
        s("line", {
          x1: pad.l,
          x2: W - pad.r,
          y1: y(t),
          y2: y(t),
          class: t === 0 ? "axis" : "grid",
        }),
      );
      svg.appendChild(
        s("text", { x: pad.l - 4, y: y(t) + 4, class: "tick", "text-anchor": "end" }, fmt(t, 2)),
      );
    }
    // x ticks: steps at nice intervals that fit the width.
    const maxX = Math.max(2, Math.floor((W - pad.l - pad.r) / 40));
    for (const t of niceTicks(0, n - 1, Math.min(maxX, n - 1)).filter(Number.isInteger)) {
      svg.appendChild(
        s("line", { x1: x(t), x2: x(t), y1: H - pad.b, y2: H - pad.b + 4, class: "axis" }),
      );
      svg.appendChild(s("text", { x: x(t), y: H - 6, class: "tick", "text-anchor": "middle" }, t));
    }
    svg.appendChild(
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
    return svg;
  };
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
  const extra = note ? [h("p", { class: "chart-note" }, note)] : [];
  return figure(title, draw, h("p", { class: "axis-label" }, axes), legend, ...extra);
}

/** Horizontal bars with signed values (a zero line in the middle when negatives occur). */
export function barChart(
  title: string,
  bars: { label: string; value: number; highlight?: boolean }[],
): HTMLElement {
  const row = 20;
  const padL = Math.max(40, ...bars.map((b) => b.label.length * CHAR + 10));
  const maxAbs = Math.max(1, ...bars.map((b) => Math.abs(b.value)));
  const hasNeg = bars.some((b) => b.value < 0);
  const draw = (W: number) => {
    const padR = 44; // the value printed after a bar
    const H = Math.max(1, bars.length) * row + 8;
    const zero = hasNeg ? padL + (W - padL - padR) / 2 : padL;
    const scale = (W - padL - padR) / (hasNeg ? 2 * maxAbs : maxAbs);
    const svg = svgRoot(title, W, H);
    svg.appendChild(s("line", { x1: zero, x2: zero, y1: 0, y2: H, class: "axis" }));
    bars.forEach((b, i) => {
      const y0 = 4 + i * row;
      const w = Math.abs(b.value) * scale;
      svg.appendChild(
        s("text", { x: padL - 6, y: y0 + 13, class: "tick", "text-anchor": "end" }, b.label),
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
          {
            x: b.value < 0 ? zero - w - 4 : zero + w + 4,
            y: y0 + 13,
            class: "tick",
            "text-anchor": b.value < 0 ? "end" : "start",
          },
          fmt(b.value),
        ),
      );
    });
    return svg;
  };
  return figure(title, draw);
}

/**
 * A rows × cols heatmap of values in [-1, 1] (blue negative, red positive).
 * Column labels are rotated 45°; the right and top padding leave room for the
 * longest one, so the last column's label is never cut. Values are printed in
 * the cells when they fit, and are always in each cell's tooltip.
 */
export function heatmap(
  title: string,
  rows: string[],
  cols: string[],
  values: number[][],
): HTMLElement {
  const longest = Math.max(1, ...cols.map((c) => c.length)) * CHAR;
  const padL = Math.max(40, ...rows.map((r) => r.length * CHAR + 10));
  const padT = Math.ceil(longest * Math.SQRT1_2) + 14;
  const rh = 22;
  const draw = (W: number) => {
    const padR = Math.ceil(longest * Math.SQRT1_2) + 6;
    const cw = Math.min(56, (W - padL - padR) / Math.max(1, cols.length));
    const H = padT + rows.length * rh + 4;
    const svg = svgRoot(title, W, H);
    cols.forEach((c, j) => {
      const cx = padL + j * cw + cw / 2;
      svg.appendChild(
        s(
          "text",
          {
            x: cx,
            y: padT - 6,
            class: "tick col-label",
            transform: `rotate(-45 ${cx} ${padT - 6})`,
          },
          c,
        ),
      );
    });
    rows.forEach((r, i) => {
      svg.appendChild(
        s("text", { x: padL - 6, y: padT + i * rh + 15, class: "tick", "text-anchor": "end" }, r),
      );
      cols.forEach((c, j) => {
        const v = values[i][j] ?? 0;
        const a = Math.min(1, Math.abs(v));
        const fill = v >= 0 ? `rgba(220,38,38,${a})` : `rgba(37,99,235,${a})`;
        svg.appendChild(
          s(
            "rect",
            {
              x: padL + j * cw,
              y: padT + i * rh,
              width: Math.max(1, cw - 1),
              height: rh - 1,
              fill,
              class: "cell",
            },
            s("title", {}, `${r} · ${c}: ${fmt(v, 3)}`),
          ),
        );
        if (cw >= 30)
          svg.appendChild(
            s(
              "text",
              {
                x: padL + j * cw + cw / 2,
                y: padT + i * rh + 15,
                class: a > 0.6 ? "cellv light" : "cellv",
                "text-anchor": "middle",
              },
              fmt(v),
            ),
          );
      });
    });
    return svg;
  };
  return figure(title, draw);
}

/** One stacked bar per row: the share of each class, labelled with the largest. */
export function stackedBars(
  title: string,
  rows: { label: string; parts: Record<string, number> }[],
  classes: readonly string[],
): HTMLElement {
  const row = 22;
  const padL = Math.max(40, ...rows.map((r) => r.label.length * CHAR + 10));
  const draw = (W: number) => {
    const H = rows.length * row + 8;
    const span = W - padL - 10;
    const svg = svgRoot(title, W, H);
    rows.forEach((r, i) => {
      const y0 = 4 + i * row;
      svg.appendChild(
        s("text", { x: padL - 6, y: y0 + 14, class: "tick", "text-anchor": "end" }, r.label),
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
        const text = `${c} ${fmt(p)}`;
        if (w > text.length * CHAR + 8)
          svg.appendChild(s("text", { x: x0 + 4, y: y0 + 14, class: "cellv light" }, text));
        x0 += w;
      });
    });
    return svg;
  };
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
  return figure(title, draw, legend);
}
