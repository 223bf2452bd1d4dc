/**
 * Red's turn once its action has passed the rules: the pending requests it
 * creates (the payload, coalition decoys), their interventions and attack
 * records (the hidden truth), Red's visible rewards, then the tick's benign
 * traffic and the shuffled queue Blue will see. Mutates the episode state; the
 * only randomness is child streams of the seed keyed by tick.
 */
import type { TargetIntervention } from "../target/types.js";
import { hash32 } from "../util/rng.js";
import { defaultRepeRange } from "./config.js";
import type { EpisodeState, PendingRequest, RedRecord } from "./episode.js";
import { novelty, RED_REWARDS, TOOL_COST } from "./rewards.js";
import type { RedPlan } from "./rules.js";
import type { DirectionLabel, RedAction } from "./schema.js";
import { drawDecoys, drawSessionRequests, drawUserProfile } from "./traffic.js";

/** A pending request of this tick; its sampling seed derives from the episode seed and its id. */
export function makePending(
  s: EpisodeState,
  session: string,
  key: string,
  message: PendingRequest["message"],
  text: string,
  interventions: TargetIntervention[],
  record: number | null,
): PendingRequest {
  const id = `t${s.tick}:${session}:${key}`;
  return {
    id,
    session,
    tick: s.tick,
    text,
    message,
    interventions,
    patches: [],
    marks: new Set(),
    seed: hash32(`${s.config.seed}/gen/${id}`),
    record,
  };
}

export function applyRedAction(
  s: EpisodeState,
  a: RedAction,
  plan: RedPlan,
  text: string,
  nLayers: number,
): void {
  s.redSteps++;
  s.tokensUsed += plan.tokens;
  s.targetCallsUsed += plan.targetCalls;
  const layerRange =
    a.strategy === "repe_belief_flip" ? (a.layer_range ?? defaultRepeRange(nLayers)) : null;
  const interventions: TargetIntervention[] = [];
  if (a.strategy === "steering_vector")
    interventions.push({
      kind: "steer",
      layer: a.target_layer!,
      label: a.direction_label as DirectionLabel,
      magnitude: a.magnitude!,
    });
  if (a.strategy === "repe_belief_flip")
    interventions.push({ kind: "project_out", layers: layerRange!, label: "refusal" });
  if (a.strategy === "circuit_bypass")
    interventions.push({ kind: "head_mask", layer: a.target_layer!, heads: [...a.heads!] });

  const point = {
    strategy: a.strategy,
    direction:
      a.strategy === "steering_vector"
        ? a.direction_label!
        : a.strategy === "repe_belief_flip"
          ? "refusal"
          : null,
    layer:
      a.strategy === "steering_vector" || a.strategy === "circuit_bypass"
        ? a.target_layer!
        : layerRange
          ? Math.round((layerRange[0] + layerRange[1]) / 2)
          : null,
    magnitude: a.strategy === "steering_vector" ? a.magnitude! : null,
  };
  s.ledger.add("red", "step_cost", RED_REWARDS.step_cost);
  s.ledger.add("red", "tool_cost", TOOL_COST[a.strategy]);
  s.ledger.add("red", "novelty", novelty(point, s.strategyPoints, nLayers));
  s.strategyPoints.push(point);
  s.strategyHistory.push({ tick: s.tick, strategy: a.strategy, session_id: plan.session });

  const record = (session: string, decoy: boolean): number => {
    const r: RedRecord = {
      tick: s.tick,
      session_id: session,
      strategy: a.strategy,
      target_layer:
        a.strategy === "steering_vector" || a.strategy === "circuit_bypass"
          ? a.target_layer!
          : null,
      direction_label: point.direction,
      magnitude: point.magnitude,
      heads: a.strategy === "circuit_bypass" ? [...a.heads!] : null,
      layer_range: layerRange,
      blue_action: "none",
      leak: "none",
      unmodified_leak: "none",
      refused: false,
      would_have_leaked: false,
      attack: false,
      decoy,
      executed: false,
      intervened: !decoy && interventions.length > 0,
    };
    if (decoy)
      Object.assign(r, {
        target_layer: null,
        direction_label: null,
        magnitude: null,
        heads: null,
        layer_range: null,
      });
    s.records.push(r);
    return s.records.length - 1;
  };
  const queue: PendingRequest[] = [];
  // Request ids (and so sampling seeds) are `t<tick>:<session>:<n>`, the same
  // shape for Red's and benign requests, so nothing downstream can tell them apart.
  const perSession = new Map<string, number>();
  const key = (session: string) => {
    const n = perSession.get(session) ?? 0;
    perSession.set(session, n + 1);
    return String(n);
  };
  for (const session of plan.payloadSessions) {
    const role = a.strategy === "indirect_injection" ? "tool" : "user";
    queue.push(
      makePending(
        s,
        session,
        key(session),
        { role, content: text },
        text,
        interventions,
        record(session, false),
      ),
    );
    s.redTexts.push(text);
  }
  if (plan.partner && plan.decoys > 0) {
    drawDecoys(s.rng.child(`decoys/${s.tick}`)).forEach((d) => {
      queue.push(
        makePending(
          s,
          plan.partner!,
          key(plan.partner!),
          { role: "user", content: d },
          d,
          [],
          record(plan.partner!, true),
        ),
      );
      s.redTexts.push(d);
    });
  }
  queueTick(s, queue, nLayers);
}

/**
 * Red's no-op (GAME.md §3): Red sends nothing this tick. The arena plays it for
 * a Red that has spent its own budget or invalid-action allowance (I5).
 */
export function applyRedNoop(s: EpisodeState, nLayers: number): void {
  s.redSteps++;
  // A turn passes as for any action, so quitting early is never cheaper than idling (I5).
  s.ledger.add("red", "step_cost", RED_REWARDS.step_cost);
  queueTick(s, [], nLayers);
}

/** Adds the tick's benign traffic to Red's requests, shuffles the queue, and hands the turn to Blue. */
function queueTick(s: EpisodeState, queue: PendingRequest[], nLayers: number): void {
  const perSession = new Map<string, number>();
  for (const p of queue) perSession.set(p.session, (perSession.get(p.session) ?? 0) + 1);
  // Benign traffic: an independent stream per session and tick, so Red's choices
  // never shift any other session's traffic (I7). Every session, Red's included,
  // draws its usual number of requests; Red's own requests take the first places
  // and ordinary traffic fills the rest (scored as benign), so neither a silent
  // session nor a session's pending count gives Red away (I2). Each session's user
  // profile is drawn from its own stream, the same one every tick.
  const approved = s.config.stage >= 2 && s.activationAccess;
  for (const x of s.sessions) {
    const rng = s.rng.child(`traffic/${s.tick}/${x.id}`);
    const profile = drawUserProfile(s.rng.child(`profile/${x.id}`));
    const drawn = drawSessionRequests(rng, { approvedSteering: approved, nLayers, profile });
    for (const b of drawn.slice(perSession.get(x.id) ?? 0)) {
      const n = perSession.get(x.id) ?? 0;
      perSession.set(x.id, n + 1);
      queue.push(
        makePending(
          s,
          x.id,
          String(n),
          { role: "user", content: b.text },
          b.text,
          b.steer ? [b.steer] : [],
          null,
        ),
      );
    }
  }
  s.pending = s.rng.child(`queue/${s.tick}`).shuffle(queue);
  s.probeResults = [];
  s.blueActionsThisTick = 0;
  s.probesThisTick = 0;
  s.phase = "blue";
}
