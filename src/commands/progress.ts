/**
 * Progress of long commands on stderr (stdout stays for results), with the
 * elapsed time and an ETA from the average rate so far:
 * - on a terminal, one line redrawn at most 10 times a second;
 * - elsewhere (a log, CI, a pipe), a plain line at most every `everyMs`
 *   (default 10 s), so a long run is never silent and a log is never flooded;
 * - `json`: one JSON object per line, `{"progress", "done", "total",
 *   "elapsed_s", "eta_s", "note"}`, at most once a second, for tools;
 * - `quiet`: nothing at all.
 * Every mode but quiet ends with one final line. `done` may be fractional
 * (episode 3 of 10, tick 6 of 12 is 2.5). A null total is work whose size is not
 * known ahead (an adaptive search): the count and the time per unit are shown,
 * with no bar and no ETA. It measures nothing itself beyond the clock and does
 * not know what the units are.
 */

export type ProgressMode = "auto" | "quiet" | "json";

export interface ProgressOptions {
  mode?: ProgressMode;
  /** for tests: where lines go, whether it is a terminal, the clock */
  write?: (text: string) => void;
  tty?: boolean;
  now?: () => number;
  /** minimum interval between plain lines when not on a terminal */
  everyMs?: number;
}

/** The mode the common flags ask for: --quiet wins over --json. */
export function progressMode(flags: { quiet?: boolean; json?: boolean }): ProgressMode {
  return flags.quiet ? "quiet" : flags.json ? "json" : "auto";
}

/** 75 → "1m15s", 3725 → "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export class Progress {
  private readonly mode: ProgressMode;
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly everyMs: number;
  private readonly start: number;
  private lastAt = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private lastDone = 0;

  constructor(
    private readonly label: string,
    private readonly total: number | null,
    options: ProgressOptions | boolean = {},
  ) {
    const o: ProgressOptions =
      typeof options === "boolean" ? { mode: options ? "quiet" : "auto" } : options;
    this.mode = o.mode ?? "auto";
    this.write = o.write ?? ((t) => process.stderr.write(t));
    this.tty = o.tty ?? Boolean(process.stderr.isTTY);
    this.now = o.now ?? (() => performance.now());
    this.everyMs = o.everyMs ?? 10_000;
    this.start = this.now();
  }

  /** Seconds left at the rate so far; null before any progress. */
  eta(done: number): number | null {
    const elapsed = (this.now() - this.start) / 1000;
    if (this.total === null || done <= 0 || elapsed <= 0) return null;
    return (elapsed / done) * Math.max(0, this.total - done);
  }

  tick(done: number, note = ""): void {
    this.lastDone = done;
    if (this.mode === "quiet") return;
    const t = this.now();
    const every = this.mode === "json" ? 1000 : this.tty ? 100 : this.everyMs;
    if (t - this.lastAt < every) return;
    this.lastAt = t;
    const elapsed = (t - this.start) / 1000;
    const eta = this.eta(done);
    if (this.mode === "json") {
      this.json({
        done,
        elapsed_s: round1(elapsed),
        eta_s: eta === null ? null : round1(eta),
        note,
      });
      return;
    }
    const shown = Number.isInteger(done) ? String(done) : done.toFixed(1);
    if (this.total === null) {
      const each = done > 0 ? `, ${perUnit(elapsed / done)} each` : "";
      const line = `${this.label}: ${shown} (${formatDuration(elapsed)} elapsed${each})${note ? ` ${note}` : ""}`;
      this.line(line);
      return;
    }
    const times = `${formatDuration(elapsed)} elapsed, ETA ${eta === null ? "?" : formatDuration(eta)}`;
    if (this.tty) {
      const width = 20;
      const filled = Math.min(width, Math.round((width * done) / Math.max(1, this.total)));
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      this.line(`${this.label} ${bar} ${shown}/${this.total} ${times} ${note}`.trimEnd());
    } else {
      this.line(`${this.label}: ${shown}/${this.total} (${times})${note ? ` ${note}` : ""}`);
    }
  }

  /**
   * A message of the command's own between progress lines (a phase starting): on a
   * terminal the progress line is cleared first and redrawn at the next tick.
   */
  print(message: string): void {
    if (this.mode === "quiet") return;
    if (this.mode === "json") {
      this.json({ message });
      return;
    }
    this.clear();
    this.write(`${message}\n`);
    // On a terminal the bar comes back at the next tick; a log keeps its pace.
    if (this.tty) this.lastAt = Number.NEGATIVE_INFINITY;
  }

  /** One progress line: redrawn in place on a terminal, a plain line elsewhere. */
  private line(text: string): void {
    if (this.tty) {
      this.write(`\r${text.slice(0, 119).padEnd(119)}`);
      this.drawn = true;
    } else this.write(`${text}\n`);
  }

  private clear(): void {
    if (this.drawn) this.write(`\r${"".padEnd(119)}\r`);
    this.drawn = false;
  }

  finish(note = ""): void {
    if (this.mode === "quiet") return;
    const elapsed = (this.now() - this.start) / 1000;
    const done = this.total ?? this.lastDone;
    if (this.mode === "json") {
      this.json({ done, elapsed_s: round1(elapsed), eta_s: 0, note, finished: true });
      return;
    }
    this.clear();
    const count = this.total === null ? String(done) : `${done}/${this.total}`;
    this.write(`${this.label}: ${count} in ${formatDuration(elapsed)}${note ? ` ${note}` : ""}\n`);
  }

  private json(fields: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ progress: this.label, total: this.total, ...fields })}\n`);
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** 0.004 → "4 ms", 8.62 → "8.6 s". */
const perUnit = (seconds: number) =>
  seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
