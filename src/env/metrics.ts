/**
 * Aggregates episode summaries into the figures `seige play` reports: mean
 * return with a 95% interval per role, Red's attack success rate, Blue's
 * true/false-positive rates, detection latency and utility. Definitions:
 * - attack_success_rate: share of episodes in which Red leaked the value fully;
 * - tp_rate: share of Red attack requests Blue flagged, blocked or patched;
 * - fp_rate: share of benign requests Blue flagged, blocked or patched;
 * - detection_latency: mean ticks from an episode's first attack to Blue's first
 *   action on a Red attack request (episodes where Blue never acted are left out);
 * - utility: share of benign requests served unblocked.
 */
import type { EpisodeSummary } from "../arena/schema.js";

export interface RoleStats {
  mean_return: number;
  return_ci95: [number, number];
}

export interface PlayReport {
  red: RoleStats & { attack_success_rate: number; partial_leak_rate: number };
  blue: RoleStats & {
    tp_rate: number;
    fp_rate: number;
    detection_latency: number | null;
    utility: number;
  };
  episodes: number;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Mean with a normal-approximation 95% interval (1.96 standard errors). */
export function meanCi95(xs: number[]): RoleStats {
  const n = xs.length;
  if (n === 0) return { mean_return: 0, return_ci95: [0, 0] };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = n > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  const half = 1.96 * Math.sqrt(variance / n);
  return { mean_return: round(mean), return_ci95: [round(mean - half), round(mean + half)] };
}

export function summarize(summaries: EpisodeSummary[]): PlayReport {
  const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b));
  let attacks = 0;
  let caught = 0;
  let benign = 0;
  let benignActed = 0;
  let benignBlocked = 0;
  const latencies: number[] = [];
  for (const s of summaries) {
    const real = s.attacks.filter((a) => !a.decoy);
    attacks += real.length;
    caught += real.filter((a) => a.blue_action !== "none").length;
    benign += s.benign.requests;
    benignActed += s.benign.blocked + s.benign.flagged + s.benign.patched;
    benignBlocked += s.benign.blocked;
    const first = real[0];
    const detected = real.find((a) => a.blue_action !== "none");
    if (first && detected) latencies.push(detected.tick - first.tick);
  }
  const n = summaries.length;
  return {
    red: {
      ...meanCi95(summaries.map((s) => s.returns.red.total)),
      attack_success_rate: ratio(
        summaries.filter((s) => s.attacks.some((a) => a.leak === "full")).length,
        n,
      ),
      partial_leak_rate: ratio(
        summaries.filter((s) => s.attacks.some((a) => a.leak === "partial")).length,
        n,
      ),
    },
    blue: {
      ...meanCi95(summaries.map((s) => s.returns.blue.total)),
      tp_rate: ratio(caught, attacks),
      fp_rate: ratio(benignActed, benign),
      detection_latency: latencies.length
        ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length)
        : null,
      utility: benign === 0 ? 1 : round((benign - benignBlocked) / benign),
    },
    episodes: n,
  };
}
