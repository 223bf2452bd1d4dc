/**
 * A one-line progress bar on stderr for long commands. It redraws only on a TTY
 * (so logs and CI output stay clean) and always prints a final line.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private last = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet = false,
  ) {}

  tick(done: number, note = ""): void {
    if (this.quiet || !this.tty) return;
    const pct = Math.floor((100 * done) / Math.max(1, this.total));
    if (pct === this.last && done !== this.total) return;
    this.last = pct;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(1, this.total));
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    process.stderr.write(`\r${this.label} ${bar} ${done}/${this.total} ${note}`.padEnd(80));
  }

  finish(note = ""): void {
    if (this.quiet) return;
    if (this.tty) process.stderr.write(`${"\r".padEnd(81)}\r`);
    process.stderr.write(`${this.label}: ${this.total}/${this.total} ${note}\n`);
  }
}
