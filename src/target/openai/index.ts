/**
 * src/target/openai: the black-box `TargetSystem` over any OpenAI-compatible chat
 * endpoint (no activations; GAME.md's black-box configuration). `createTarget`
 * builds it from SEIGE_TARGET_URL, SEIGE_TARGET_MODEL and SEIGE_TARGET_API_KEY
 * through `openAITargetFromEnv`.
 */
export { openAITargetFromEnv } from "./from-env.js";
export { OpenAITarget, type OpenAITargetOptions } from "./openai-target.js";
