/**
 * `--target BACKEND`, the flag of every command that builds a target: it overrides
 * SEIGE_TARGET_BACKEND (docs/cli.md, "Target backends"), so `seige serve --target
 * organism` works as `seige play --target organism` does (issue 13 names the flag).
 * The value is checked by `createTarget`, which names the backends.
 */

export const TARGET_OPTION = { target: { type: "string" } } as const;

/**
 * The flag's help lines, its description starting at `column` as in the command's help;
 * `fallback` says what runs when neither the flag nor the variable is set.
 */
export function targetHelp(column: number, fallback = "sim"): string {
  const indent = " ".repeat(column);
  return (
    `${"  --target".padEnd(column)}sim | lens | organism | openai: overrides SEIGE_TARGET_BACKEND (default ${fallback});\n` +
    `${indent}organism = the model organism shipped in models/organism (docs/organism.md)`
  );
}
