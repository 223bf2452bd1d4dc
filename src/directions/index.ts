/**
 * src/directions: direction libraries, clean baselines and intent probes (as
 * plain data), and the one function that turns a residual vector into the
 * probe summary Blue sees. Building these artifacts for a real model comes with
 * a later issue; the sim builds its own in src/target/sim.
 */
export { anomalyZ, round4, softmax, summarizeActivation } from "./summary.js";
export type { Baseline, DirectionLibrary, IntentProbe, ProbeKit } from "./types.js";
