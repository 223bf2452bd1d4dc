// Runs `seige <args>` from the sources in a child process (through tsx) and waits
// for the line that says where it listens; for tests of long-running commands.
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
