/**
 * The policies the page can run itself: the scripted ones of src/agents/scripted
 * (pure TypeScript), read from their registry tables, so a newly registered
 * scripted policy shows up in the selects by itself, and learned ones
 * (`learned:<run>`, a `seige train` output inside the server's runs folder):
 * their checkpoint is fetched from the server's read-only `/runs/<run>/policy`
 * and run in the browser by the same code as the CLI (src/learn/from-checkpoint.ts).
 * The page imports those folders and `two-player.ts` directly rather than
 * src/agents/index.ts, whose LLM policies call remote endpoints with
 * server-side keys and do not belong in a browser bundle.
 */
import { SCRIPTED_BLUE, SCRIPTED_RED } from "../../src/agents/scripted/index.js";
import type { BluePolicy, RedPolicy } from "../../src/agents/types.js";
import { type Checkpoint, policyFromCheckpoint } from "../../src/learn/from-checkpoint.js";
import { fetchCheckpoint } from "./server-link.js";

type Role = "red" | "blue";

/** A learned policy's name in the page: `learned:` and its run's name inside the runs folder. */
const LEARNED = /^learned:[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;
export const isLearnedName = (name: string): boolean => LEARNED.test(name) && !name.includes("/..");

/** Learned policies offered in the selects: from the URL and from the Training tab. */
const learned: Record<Role, string[]> = { red: [], blue: [] };

export function offerLearned(role: Role, name: string): void {
  if (isLearnedName(name) && !learned[role].includes(name)) learned[role].push(name);
}

export const redNames = (): string[] => [...Object.keys(SCRIPTED_RED), ...learned.red];
export const blueNames = (): string[] => [...Object.keys(SCRIPTED_BLUE), ...learned.blue];
export const policyNames = (role: Role): string[] => (role === "red" ? redNames() : blueNames());

const checkpoints = new Map<string, Promise<Checkpoint>>();

/** The policy called `name`: scripted, or learned (its checkpoint fetched once per page). */
export async function loadPolicy(role: "red", name: string): Promise<RedPolicy>;
export async function loadPolicy(role: "blue", name: string): Promise<BluePolicy>;
export async function loadPolicy(role: Role, name: string): Promise<RedPolicy | BluePolicy> {
  if (isLearnedName(name)) {
    const run = name.slice("learned:".length);
    let c = checkpoints.get(run);
    if (!c) {
      c = fetchCheckpoint(run);
      checkpoints.set(run, c);
      c.catch(() => checkpoints.delete(run)); // a failed fetch is retried next time
    }
    return policyFromCheckpoint(role, name, await c) as RedPolicy | BluePolicy;
  }
  const make = role === "red" ? SCRIPTED_RED[name] : SCRIPTED_BLUE[name];
  if (!make) throw new Error(`no ${role} policy '${name}'`);
  return make();
}
