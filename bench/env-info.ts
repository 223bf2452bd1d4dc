/**
 * The facts every benchmark prints beside its figures (STYLE.md §13): commit,
 * Node and ORT versions, CPU, threads, and the command that reproduces the run.
 */
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

function ortVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(
        new URL("../node_modules/onnxruntime-node/package.json", import.meta.url),
        "utf8",
      ),
    );
    return pkg.version;
  } catch {
    return "not installed";
  }
}

function commit(): string {
  try {
    const sha = execSync("git rev-parse --short HEAD", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execSync("git status --porcelain", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim()
      ? "+dirty"
      : "";
    return sha + dirty;
  } catch {
    return "unknown";
  }
}

export function benchHeader(command: string, extra: Record<string, string | number> = {}): string {
  const cpu = cpus();
  const rows: Record<string, string | number> = {
    command,
    commit: commit(),
    node: process.version,
    onnxruntime: ortVersion(),
    cpu: `${cpu[0]?.model ?? "unknown"} × ${cpu.length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    ...extra,
  };
  return Object.entries(rows)
    .map(([k, v]) => `# ${k}: ${v}`)
    .join("\n");
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
