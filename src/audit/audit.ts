/**
 * `seige audit`'s plan, stage by stage: search the constant explanations (I6,
 * and the explanation every cheap Blue attaches), then Blue's side against every
 * scripted Red (src/audit/audit-blue.ts), the stage's direct checks (I3
 * payments, I7 traffic and episode ids, src/audit/checks.ts), and Red's side
 * against every scripted Blue (src/audit/audit-red.ts). Verdicts are per row
 * (src/audit/verdict.ts).
 *
 * Everything is played through src/env with policies that see only their own
 * role's view; ground truth is read from summaries after done, to fit and to
 * judge. Every random choice is seeded (episode seeds, the search's seed), so
 * the same settings on the same backend give the same table.
 */
import { SCRIPTED_BLUE } from "../agents/index.js";
import type { EpisodeSummary } from "../arena/schema.js";
import type { SeigeEnv } from "../env/index.js";
import { auditBlueSide } from "./audit-blue.js";
import { auditRedSide } from "./audit-red.js";
import { revealingEpisodeIds, trafficShifts, unpreventedPayments } from "./checks.js";
import { describeExplanation } from "./constant-explanation.js";
import { attackingReds, type StageContext, scriptedRed } from "./context.js";
import {
  meanOverStrategies,
  scoreConstant,
  searchConstantExplanation,
  secondBest,
} from "./explanation-search.js";
import type { Harvest } from "./harvest.js";
import { smallTalk } from "./red-zoo.js";
import { Runner } from "./runner.js";
import type { AuditSettings } from "./settings.js";
import { limitRow, type Row } from "./verdict.js";

export interface AuditReport {
  rows: Row[];
  episodes: number;
}

export interface AuditHooks {
  /** a line of progress (which stage and cell is being fitted or played) */
  log?(message: string): void;
  /** after every episode, with the running count */
  onEpisode?(episodes: number): void;
}

export async function runAudit(
  env: SeigeEnv,
  settings: AuditSettings,
  hooks: AuditHooks = {},
): Promise<AuditReport> {
  const runner = new Runner(env, hooks.onEpisode);
  const log = hooks.log ?? (() => {});
  const rows: Row[] = [];
  for (const stage of settings.stages) {
    log(`stage ${stage}: searching constant explanations on training seeds`);
    const random = scriptedRed("random");
    const search = await searchConstantExplanation(
      runner,
      random,
      stage,
      settings.explanationSeeds,
      settings.explanationRounds,
    );
    const ctx: StageContext = {
      runner,
      env,
      stage,
      activations: stage >= 2 && env.target.info.whiteBox,
      settings,
      explanation: search.bestMean,
      log,
    };
    // All nine strategies are played only at stage 3, and I6 is about all of them.
    if (stage === 3) {
      const mean = await scoreConstant(
        runner,
        search.bestMean,
        random(),
        stage,
        settings.explanationHeldOut,
      );
      const second = await scoreConstant(
        runner,
        search.bestSecond,
        random(),
        stage,
        settings.explanationHeldOut,
      );
      const s2 = secondBest(second);
      const where = {
        property: "I6",
        policy: "constant-explanation",
        opponent: "random",
        stage,
      } as const;
      rows.push(
        limitRow(
          { ...where, note: `best mean: ${describeExplanation(search.bestMean)}` },
          "mean score over strategies",
          meanOverStrategies(mean),
          0.3,
          "below",
        ),
        limitRow(
          {
            ...where,
            note: `best on a 2nd strategy (${s2.strategy}): ${describeExplanation(search.bestSecond)}`,
          },
          "2nd-best strategy score",
          s2.score,
          0.5,
          "below",
        ),
      );
    }

    const summaries: EpisodeSummary[] = [];
    const held: Harvest[] = [];
    const talk: string[] = [];
    for (const redName of attackingReds()) {
      const side = await auditBlueSide(ctx, redName);
      rows.push(...side.rows);
      summaries.push(...side.summaries);
      held.push(side.held);
      talk.push(...side.talk);
    }
    rows.push(...(await stageChecks(ctx, summaries, held)));
    const bank = smallTalk(talk);
    for (const blueName of Object.keys(SCRIPTED_BLUE))
      rows.push(...(await auditRedSide(ctx, blueName, bank)));
  }
  return { rows, episodes: runner.episodes };
}

/** I3 over every Blue episode of the stage; I7 on traffic and on `episode_id`. */
async function stageChecks(
  ctx: StageContext,
  summaries: EpisodeSummary[],
  held: Harvest[],
): Promise<Row[]> {
  const { stage } = ctx;
  const reds = attackingReds();
  const rows = [
    limitRow(
      { property: "I3", policy: "every Blue above", opponent: "all", stage },
      "episodes paid unprevented",
      unpreventedPayments(summaries),
      0,
      "at-most",
    ),
  ];
  // Same seeds, same Blue (allow-all), different Reds: benign sessions must see the same requests.
  for (let i = 1; i < held.length; i++)
    rows.push(
      limitRow(
        { property: "I7", policy: "allow-all", opponent: `${reds[0]} / ${reds[i]}`, stage },
        "seeds whose benign traffic moved",
        trafficShifts(held[0], held[i]),
        0,
        "at-most",
      ),
    );
  rows.push(
    limitRow(
      { property: "I7", policy: "reset twice", opponent: "-", stage },
      "seeds revealed by episode_id",
      await revealingEpisodeIds(ctx.env, stage, ctx.settings.heldOut),
      0,
      "at-most",
    ),
  );
  return rows;
}
