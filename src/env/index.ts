export { type EnvHooks, SeigeEnv, type Transition } from "./env.js";
export { type EnvResetOptions, EnvResetOptionsSchema } from "./options.js";
export { parseRecording, RECORDING_VERSION, type RecordLine, Recorder, type ReplayReport, replayEpisodes } from "./recording.js";
export { type EpisodeOutcome, playEpisode } from "./play.js";
