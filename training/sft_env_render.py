"""Re-render a teacher's decisions as the GRPO environment shows them (SFT data for the warm start).

`seige rollout --format sft` writes each decision with the TypeScript `llm:` agent's prompts and
tool schemas; GRPO (train_red.py/train_blue.py) shows the model something else: `seige_env.py`'s
role prompt with the first view appended, the env's own tools (its public methods, as TRL picks
them), each tool result as a `tool` message, and the whole conversation so far. A warm start on
the first format taught the model nothing GRPO could use (tools/call_frequency 0). This script
replays every episode of such a file in the Python env, against the server, with the same seed,
stage, opponent and length (the env is deterministic per seed, so the views are the teacher's;
a view whose tick differs from the recorded one stops the script), and writes one example per
decision: the conversation exactly as TRL builds it up to that decision, then the teacher's
action as a call of the env's tool, plus the env's tool schemas.

    python training/sft_env_render.py --teacher blue-teacher.jsonl --role blue --stage 2 \
        --max-ticks 4 --opponent scripted:steer --env-url http://127.0.0.1:8000 --out blue-sft.jsonl

The tool schemas need transformers (`get_json_schema`, as TRL uses); the conversation itself
needs only the env client.
"""

import argparse
import inspect
import json
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from seige_env import role_env, role_prompt
from seige_ws import ws_url
from sft_warmstart import sft_lines

EXPLANATION = "explanation"


def env_tools(env: Any) -> List[Callable[..., str]]:
    """The env's tools as TRL 1.13 picks them: public bound methods except reset and get_reward."""
    return [
        member
        for name, member in inspect.getmembers(env, predicate=inspect.ismethod)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    ]


def tool_schemas(env: Any) -> List[Dict[str, Any]]:
    """The JSON schemas transformers renders for those tools (what the chat template is given)."""
    from transformers.utils import get_json_schema

    return [get_json_schema(t) for t in env_tools(env)]


def env_call(name: str, arguments: Dict[str, Any], env: Any) -> Dict[str, Any]:
    """A teacher's tool call (TypeScript tool vocabulary) as the arguments of the env's tool.

    The env's flag/block/explain take the explanation's fields flat; other arguments the env's
    tool does not take are an error rather than silently dropped.
    """
    method = getattr(env, name, None)
    if method is None or name.startswith("_") or name in ("reset", "get_reward"):
        raise ValueError(f"the env has no tool {name!r}")
    params = inspect.signature(method).parameters
    args = {k: v for k, v in arguments.items() if k != EXPLANATION}
    # Explanation fields the env's tool cannot express (e.g. anomaly_score) are left out; the
    # replay's return check (render_episode) shows whether that changed the episode.
    args.update({k: v for k, v in (arguments.get(EXPLANATION) or {}).items() if k in params})
    unknown = sorted(k for k in args if k not in params)
    if unknown:
        raise ValueError(f"tool {name}: the env's tool takes no {', '.join(unknown)}")
    return {k: v for k, v in args.items() if v is not None}


def teacher_episodes(path: str) -> Iterator[Tuple[int, List[Dict[str, Any]]]]:
    """Groups `seige rollout --format sft` lines by episode (consecutive lines with one seed)."""
    seed: Optional[int] = None
    rows: List[Dict[str, Any]] = []
    for row in sft_lines(path, ("seed", "messages")):
        if row["seed"] != seed and rows:
            yield seed, rows  # type: ignore[misc]
            rows = []
        seed = row["seed"]
        rows.append(row)
    if rows:
        yield seed, rows  # type: ignore[misc]


def _teacher_call(row: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    fn = row["messages"][-1]["tool_calls"][0]["function"]
    args = fn["arguments"]
    return fn["name"], json.loads(args) if isinstance(args, str) else dict(args)


def render_episode(
    env: Any, role: str, seed: int, rows: List[Dict[str, Any]], reset: Dict[str, Any]
) -> List[Dict[str, Any]]:
    """One teacher episode replayed in `env`: one example per decision, as TRL's conversation."""
    first = env.reset(seed=seed, **reset)
    # TRL appends reset()'s text to the last prompt message (no separator).
    messages: List[Dict[str, Any]] = [{"role": "user", "content": role_prompt(role) + first}]
    out: List[Dict[str, Any]] = []
    for row in rows:
        view = (env.last_result.get("observation") or {}).get(role) or {}
        if env.done or view.get("tick") != row["tick"]:
            raise RuntimeError(
                f"seed {seed}: the replay left the teacher's episode (env tick {view.get('tick')}, "
                f"teacher tick {row['tick']}); are --stage, --max-ticks and --opponent the teacher's?"
            )
        name, targs = _teacher_call(row)
        args = env_call(name, targs, env)
        call = {"role": "assistant", "content": "",
                "tool_calls": [{"type": "function", "function": {"name": name, "arguments": args}}]}
        messages.append(call)
        out.append({"messages": [dict(m) for m in messages], "seed": seed, "tick": row["tick"]})
        result = getattr(env, name)(**args)
        messages.append({"role": "tool", "name": name, "content": str(result)})
    ret = round(env.episode_return, 6)
    want = rows[0].get("episode_return")
    if want is not None and abs(ret - float(want)) > 1e-4:
        raise RuntimeError(f"seed {seed}: replay return {ret} differs from the teacher's {want}")
    for e in out:
        e["episode_return"] = ret
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sft_env_render.py",
        description="Re-render `seige rollout --format sft` decisions as the GRPO env's conversation.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--teacher", required=True, help="JSONL from `seige rollout --format sft`")
    p.add_argument("--role", required=True, choices=["red", "blue"])
    p.add_argument("--opponent", required=True, help="the teacher's --opponent")
    p.add_argument("--stage", type=int, required=True, choices=[1, 2, 3])
    p.add_argument("--max-ticks", type=int, required=True, help="the teacher's --max-ticks")
    p.add_argument("--env-url", required=True, help="a running `seige serve` (http or ws URL)")
    p.add_argument("--out", required=True, help="JSONL for training/sft_warmstart.py")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    env = role_env(args.role)(url=ws_url(args.env_url), opponent=args.opponent)
    schemas = tool_schemas(env)
    reset = {"stage": args.stage, "max_ticks": args.max_ticks}
    n_ep = n_ex = 0
    with open(args.out, "w", encoding="utf-8") as f:
        for seed, rows in teacher_episodes(args.teacher):
            for e in render_episode(env, args.role, seed, rows, reset):
                f.write(json.dumps({"messages": e["messages"], "tools": schemas, "seed": e["seed"],
                                    "tick": e["tick"], "episode_return": e["episode_return"]}) + "\n")
                n_ex += 1
            n_ep += 1
    print(f"sft_env_render: {n_ex} examples from {n_ep} episodes -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
