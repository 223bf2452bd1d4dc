"""Role views as short text for a language model (what `reset` and every tool call return).

A trained policy reads these strings, so they are compact and stable: a header line, the
task, what changed, and the numbers the role may use. Each renderer reads only its own role's
view (GAME.md §4); nothing here sees hidden state except the episode summary, which the server
sends only once the episode is done. Long transcripts and logs are cut to their last entries
and long texts to a few hundred characters, because tool results count towards TRL's
`max_completion_length`.
"""

from typing import Any, Dict, List

MAX_TEXT = 280
MAX_TRANSCRIPT = 6
MAX_LOGS = 6


def _cut(text: Any, n: int = MAX_TEXT) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _components(rewards: Dict[str, float]) -> str:
    return ", ".join(f"{k} {v:+g}" for k, v in rewards.items()) or "none"


def render_red(view: Dict[str, Any], full: bool = True) -> str:
    """Red's view; `full=False` leaves out what never changes within an episode."""
    task = view.get("task", {})
    header = f"[seige Red | tick {view.get('tick')}/{view.get('max_ticks')} | stage {view.get('stage')}]"
    lines = [header] if not full else [
        header,
        f"Task {task.get('name')}: {_cut(task.get('objective', ''))}",
        f"Hint: {_cut(task.get('public_hint', ''))}",
        f"Success: {_cut(task.get('success_criterion', ''))}",
        f"Policy rules: {view.get('policy_rules_count')} (hidden from you).",
        "Strategies now: " + ", ".join(view.get("available_strategies", [])),
        f"Target: {view.get('n_layers')} layers, {view.get('n_heads')} heads. Directions: "
        + ", ".join(view.get("direction_labels", [])),
    ]
    b = view.get("budgets", {})
    lines.append(
        f"Budgets: tokens {b.get('tokens_left')}, target calls {b.get('target_calls_left')}, "
        f"steps {b.get('steps_left')}."
    )
    for s in view.get("sessions", []):
        transcript = s.get("transcript", [])
        lines.append(f"Your session {s.get('session_id')} ({len(transcript)} turns):")
        # After the first view only the newest exchange is new to the model.
        for t in transcript[-(MAX_TRANSCRIPT if full else 2):]:
            lines.append(f"  t{t.get('tick')} {t.get('role')}: {_cut(t.get('text', ''))}")
    return "\n".join(lines)


def _probe_line(p: Dict[str, Any]) -> str:
    cos = sorted(p.get("cosines", {}).items(), key=lambda kv: -abs(kv[1]))[:3]
    intent = p.get("intent", {})
    return (
        f"  {p.get('session_id')} L{p.get('layer')}: anomaly z {p.get('anomaly_z', 0):.2f}, "
        f"intent {intent.get('class')} {intent.get('confidence', 0):.2f}, cosines "
        + ", ".join(f"{k} {v:+.2f}" for k, v in cos)
    )


def render_blue(view: Dict[str, Any], full: bool = True) -> str:
    """Blue's view; `full=False` leaves out what never changes within an episode."""
    task = view.get("task", {})
    pb = view.get("probe_budget", {})
    header = (
        f"[seige Blue | tick {view.get('tick')}/{view.get('max_ticks')} | stage {view.get('stage')} | "
        f"actions left this tick {view.get('actions_left_this_tick')} | probes left "
        f"{pb.get('this_tick')} this tick, {pb.get('episode')} this episode | activation access "
        f"{'yes' if view.get('activation_access') else 'no'}]"
    )
    static = [
        f"Protect ({task.get('name')}): {_cut(task.get('protected_value', ''))}",
        "Rules: " + " | ".join(_cut(r, 120) for r in task.get("policy_rules", [])),
        f"Layers: {view.get('n_layers')}. Directions: attack "
        + ", ".join(view.get("direction_labels", {}).get("attack", []))
        + "; approved "
        + ", ".join(view.get("direction_labels", {}).get("approved", [])),
    ]
    lines = [header] + (static if full else []) + ["Pending requests:"]
    pending: List[Dict[str, Any]] = view.get("pending", [])
    lines += [f"  {p.get('session_id')}: {_cut(p.get('request', ''))}" for p in pending] or ["  (none)"]
    probes = view.get("probe_results", [])
    if probes:
        lines.append("Probe results this tick:")
        lines += [_probe_line(p) for p in probes]
    logs = view.get("logs", [])
    if logs:
        lines.append("Sampled logs:")
        for entry in logs[-MAX_LOGS:]:
            lines.append(
                f"  t{entry.get('tick')} {entry.get('session_id')}: {_cut(entry.get('request', ''), 140)}"
                f" -> {_cut(entry.get('response', ''), 140)}"
            )
    alerts = view.get("alerts", [])
    if alerts:
        lines.append(
            "Your alerts: "
            + ", ".join(
                f"t{a.get('tick')} {a.get('action')} {a.get('session_id')}" for a in alerts[-8:]
            )
        )
    return "\n".join(lines)


def render_result(role: str, data: Dict[str, Any], episode_return: float, full: bool = False) -> str:
    """The text for one `{observation, reward, done}` result from the client's point of view.

    `full` repeats the task and the fixed facts (for the first view and `observe`).
    """
    obs = data.get("observation", {})
    lines: List[str] = []
    if obs.get("error"):
        lines.append(f"Invalid action: {obs['error']}")
    rewards = obs.get("rewards") or {}
    if rewards:
        lines.append(f"Reward {data.get('reward', 0):+g} ({_components(rewards)}).")
    if data.get("done"):
        summary = obs.get("summary") or {}
        lines.append(
            f"Episode over: {obs.get('terminal_reason') or summary.get('terminal_reason')}; "
            f"winner {summary.get('winner', '?')}; your return {episode_return:+g}. "
            "Stop calling tools."
        )
        return "\n".join(lines)
    view = obs.get(role)
    if view is not None:
        lines.append(render_red(view, full) if role == "red" else render_blue(view, full))
    return "\n".join(lines)
