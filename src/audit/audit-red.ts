/**
 * Red's side of one stage's audit, against one scripted Blue: play the informed
 * Red, the do-nothing (idle) Red, the random Red, a benign-mimicking Red and the
 * quitters on held-out seeds, and judge (GAME.md I4, I5, I8):
 *
 * - I8: the informed `steer` Red beats random and idle Reds (attacking well has
 *   positive value); the audit adds a mimic — steer's interventions behind
 *   harvested benign text — which must not beat steer either, or looking like
 *   traffic would pay better than attacking well;
 * - I5: spamming invalid actions or burning the token budget is no better than
 *   idling;
 * - I4: an idle Red costs Blue no hidden-truth penalty.
 */
import type { RedPolicy } from "../agents/types.js";
import { hiddenCost } from "./checks.js";
import {
  DO_NOTHING,
  idleRed,
  SKILLED,
  type StageContext,
  scriptedBlue,
  scriptedRed,
} from "./context.js";
import { mimicking, QuitRed } from "./red-zoo.js";
import { limitRow, type Row, returnRow } from "./verdict.js";

export async function auditRedSide(
  ctx: StageContext,
  blueName: string,
  talk: readonly string[],
): Promise<Row[]> {
  const { runner, stage, settings } = ctx;
  const where = (policy: string, property: Row["property"]) => ({
    property,
    policy,
    opponent: blueName,
    stage,
  });
  const play = (red: RedPolicy) =>
    runner.play(red, scriptedBlue(blueName)(), stage, settings.heldOut, "red");

  ctx.log(`stage ${stage}: Red vs ${blueName}: playing held-out seeds`);
  const skilled = await play(scriptedRed(SKILLED.red)());
  const idle = await play(idleRed(talk));
  const rows: Row[] = [
    returnRow(where(DO_NOTHING.red, "I8"), idle.returns, SKILLED.red, skilled.returns, "below"),
  ];
  const random = await play(scriptedRed("random")());
  rows.push(
    returnRow(where("random", "I8"), random.returns, SKILLED.red, skilled.returns, "below"),
  );
  if (ctx.activations) {
    const mimic = await play(mimicking(scriptedRed(SKILLED.red)(), talk));
    rows.push(
      returnRow(
        where(`mimic(${SKILLED.red})`, "I8"),
        mimic.returns,
        SKILLED.red,
        skilled.returns,
        "below",
      ),
    );
  }
  for (const mode of ["invalid", "burn"] as const) {
    const quit = await play(new QuitRed(mode));
    rows.push(
      returnRow(where(`quit-${mode}`, "I5"), quit.returns, DO_NOTHING.red, idle.returns, "at-most"),
    );
  }
  rows.push(
    limitRow(
      { property: "I4", policy: DO_NOTHING.red, opponent: blueName, stage },
      "Blue's hidden cost",
      hiddenCost(idle.summaries),
      0,
      "at-most",
    ),
  );
  return rows;
}
