export {
  allowAll,
  blockAll,
  flagAll,
  ProbeThresholdBlue,
  type ProbeThresholdOptions,
} from "./blue.js";
export { IdleRed, RandomRed, SteerRed, type SteerRedOptions, TextRed } from "./red.js";
export { textSuspicion } from "./suspicion.js";

import type { BluePolicy, RedPolicy } from "../types.js";
import { allowAll, blockAll, flagAll, ProbeThresholdBlue } from "./blue.js";
import { IdleRed, RandomRed, SteerRed, TextRed } from "./red.js";

/** Scripted policies by name, per role. */
export const SCRIPTED_RED: Record<string, () => RedPolicy> = {
  idle: () => new IdleRed(),
  random: () => new RandomRed(),
  text: () => new TextRed(),
  steer: () => new SteerRed(),
};

export const SCRIPTED_BLUE: Record<string, () => BluePolicy> = {
  "allow-all": allowAll,
  "block-all": blockAll,
  "flag-all": flagAll,
  "probe-threshold": () => new ProbeThresholdBlue(),
};
