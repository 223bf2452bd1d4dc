/**
 * The wait of a long-running command (`serve`, `lens serve`) for SIGINT or SIGTERM.
 * Call it before saying the server is up: a supervisor (or a test) that sends SIGTERM
 * as soon as it reads that line would otherwise meet the signal's default action, an
 * exit without the command's shutdown (seen as a killed child, exit code null).
 */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}
