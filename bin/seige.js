#!/usr/bin/env node
// The `seige` command. The CLI is TypeScript compiled to dist/ by `npm run build`
// (`npm start` builds first); this shim only finds it and says what to do if it is missing.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "seige: the CLI is not built yet. Run `npm run build` in the package folder first.\n",
  );
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
