// Runs `seige <args>` from the sources: in a child process (through tsx), waiting
// for the line that says where it listens (long-running commands), or in process
// with its output captured (captureMain).
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** the first capture group of `listening` in stderr */
  url: string;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
}

export async function startCli(
  args: string[],
  listening: RegExp,
  timeoutMs = 30_000,
  /** the child's environment (default: this process's) */
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliProcess> {
  const code = `const { main } = await import("./src/cli.ts"); process.exitCode = await main(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), timeoutMs);
      child.stderr.on("data", (d) => {
        err += d;
        const m = listening.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const stop = () => {
      const exit = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      child.kill("SIGTERM");
      return exit;
    };
    return { child, url, stop };
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
}

/** `main(argv)` in this process, with what it wrote to stdout and stderr. */
export async function captureMain(
  argv: string[],
): Promise<{ code: number; out: string; err: string }> {
  const { vi } = await import("vitest");
  const { main } = await import("../../src/cli.js");
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  try {
    return { code: await main(argv), out: out.join(""), err: err.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
