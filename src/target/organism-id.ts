/**
 * The model id the shipped organism reports (`info.modelId`) and that recordings made
 * on it carry. Its own file so that code that only names the organism (replay's choice
 * of target) does not import the lens runtime.
 */
export const ORGANISM_MODEL_ID = "seige-organism";
