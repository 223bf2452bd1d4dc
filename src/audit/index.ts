/**
 * src/audit: the adversary behind `seige audit` (ARCHITECTURE.md). It plays
 * through src/env like any client and imports no rule internals: what it needs
 * to know it reads from a role's view, or from summaries after done.
 */
export { type AuditHooks, type AuditReport, runAudit } from "./audit.js";
export { type CemOptions, type CemResult, crossEntropy } from "./cem.js";
export { attackingReds, DEGENERATE_BLUES, DO_NOTHING, SKILLED } from "./context.js";
export {
  creditByStrategy,
  meanOverStrategies,
  type StrategyScores,
  secondBest,
} from "./explanation-search.js";
export { type AuditSettings, auditSettings, type SettingsInput } from "./settings.js";
export { auroc, type Estimate, estimate, pairedDifference } from "./stats.js";
export { formatTable, propertySummary } from "./table.js";
export {
  type Bar,
  exitCode,
  failedProperties,
  limitRow,
  PROPERTIES,
  type Property,
  type Row,
  returnRow,
} from "./verdict.js";
