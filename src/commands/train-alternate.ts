/**
 * `seige train --alternate R`: self-play by alternating best responses. Round r
 * trains the first role against the other role's round r−1 policy (round 0 is
 * `--opponent`), then trains the other role against that fresh policy; from round
 * 2 on each role continues from its previous round's weights. Every leg writes
 * its own folder (`round-r/<role>`, as a plain `seige train` does), and at the
 * end the learned policies of both roles, with the starting opponent, play a
 * cross-play table on the held-out seeds (`alternate.json`, `alternate.html`,
 * and the text tables on stderr), so one can check that later pairs beat
 * earlier ones. With `population`, each leg trains against every policy of the
 * other role so far (the starting opponent for the first role, and every earlier
 * round), one per episode in turn — fictitious play rather than best response to
 * the latest, so a round keeps what beat the earlier opponents.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Role } from "../arena/schema.js";
import { crossPlay, formatCrossPlay, renderCrossPlayHtml } from "../rollout/index.js";
import { type LegOptions, trainLeg } from "./train.js";

const other = (r: Role): Role => (r === "red" ? "blue" : "red");

export async function alternate(
  leg: LegOptions,
  rounds: number,
  population = false,
): Promise<void> {
  const first = leg.role;
  const second = other(first);
  const learned: Record<Role, string[]> = { red: [], blue: [] };
  let opponent = leg.opponent;
  for (let r = 1; r <= rounds; r++) {
    for (const role of [first, second]) {
      const dir = join(leg.out, `round-${r}`, role);
      const previous = learned[role].at(-1);
      await trainLeg({
        ...leg,
        role,
        opponent,
        out: dir,
        seed: leg.seed * 100 + r * 2 + (role === first ? 0 : 1),
        extraOpponents: learned[other(role)].map((d) => `learned:${d}`),
        ...(population
          ? {
              population: [
                ...(role === first ? [leg.opponent] : []),
                ...learned[other(role)].map((d) => `learned:${d}`),
              ],
            }
          : {}),
        ...(previous ? { init: previous } : {}),
      });
      learned[role].push(dir);
      opponent = `learned:${dir}`;
    }
  }
  const start = leg.opponent;
  const list = (role: Role) => [
    ...(role === second ? [start] : []),
    ...learned[role].map((d) => `learned:${d}`),
  ];
  const report = await crossPlay({
    red: list("red"),
    blue: list("blue"),
    seeds: leg.evalSeeds,
    stage: leg.stage,
    target: leg.target,
  });
  writeFileSync(join(leg.out, "alternate.json"), `${JSON.stringify(report)}\n`);
  writeFileSync(join(leg.out, "alternate.html"), renderCrossPlayHtml(report, leg.command));
  process.stderr.write(
    `seige train: alternating rounds, cross-play on held-out seeds\n${formatCrossPlay(report)}`,
  );
}
