/**
 * The policies the page can run itself: the scripted ones of src/agents/scripted
 * (pure TypeScript), read from their registry tables, so a newly registered
 * scripted policy shows up in the selects by itself. The page imports that
 * folder and `two-player.ts` directly rather than src/agents/index.ts, whose
 * LLM policies call remote endpoints with server-side keys and do not belong
 * in a browser bundle.
 */
import { SCRIPTED_BLUE, SCRIPTED_RED } from "../../src/agents/scripted/index.js";
import type { BluePolicy, RedPolicy } from "../../src/agents/types.js";

export const redNames = (): string[] => Object.keys(SCRIPTED_RED);
export const blueNames = (): string[] => Object.keys(SCRIPTED_BLUE);
export const policyNames = (role: "red" | "blue"): string[] =>
  role === "red" ? redNames() : blueNames();

export function makeRed(name: string): RedPolicy {
  const make = SCRIPTED_RED[name];
  if (!make) throw new Error(`no scripted red policy '${name}'`);
  return make();
}

export function makeBlue(name: string): BluePolicy {
  const make = SCRIPTED_BLUE[name];
  if (!make) throw new Error(`no scripted blue policy '${name}'`);
  return make();
}
