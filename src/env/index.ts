export { type EnvHooks, SeigeEnv, type Transition } from "./env.js";
export {
  makeOpponent,
  type OpponentConfig,
  opponentConfigFromEnv,
  opponentSeed,
  replayPath,
} from "./opponents.js";
export { type EnvResetOptions, EnvResetOptionsSchema } from "./options.js";
export { type EpisodeOutcome, playEpisode } from "./play.js";
export {
  parseRecording,
  RECORDING_VERSION,
  Recorder,
  type RecordLine,
  type ReplayReport,
  replayEpisodes,
} from "./recording.js";
