"""Alternating self-play training for seige: Red vs Blue_k, then Blue vs Red_k+1, and so on.

    python training/alternate.py --env-url http://127.0.0.1:8000 --model Qwen/Qwen3-0.6B \\
        --adapter-endpoint http://127.0.0.1:8001/v1 --rounds 3 --out runs/alt

Each leg trains one role with `train_red.py` / `train_blue.py` against an opponent pool inside
the env: the initial scripted opponent plus the chosen adapters of past legs, each served by
name from an OpenAI-compatible endpoint that loads LoRA adapters (vLLM started with
`--enable-lora` and `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`; new adapters are registered with
its `/v1/load_lora_adapter`). The seige server must allow that endpoint
(`SEIGE_LLM_ALLOWLIST`), since `llm:` opponents run inside it.

A leg's checkpoint is chosen by held-out cross-play (`seige eval` on `--eval-seeds`, seeds the
training rows never use): the candidate with the highest mean return against the current
opponent pool. Never by training loss: the lowest GRPO loss favours the checkpoint that moved
least. Progress is written to `<out>/state.json` after every step of a leg, so a stopped run
resumes where it was (`--rounds` may be raised on resume).

What this does not do: start the seige server or the adapter endpoint (they are long-lived
services you run), or merge adapters into the base model.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
INITIAL = {"red": "scripted:steer", "blue": "scripted:probe-threshold"}
# Leg n trains on seeds [n * SEEDS_PER_LEG, (n + 1) * SEEDS_PER_LEG); evaluation seeds lie above all of them.
SEEDS_PER_LEG = 10_000


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="alternate.py",
        description="Alternate GRPO legs for Red and Blue with an opponent pool and checkpoint "
                    "choice by held-out cross-play.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--env-url", default=os.environ.get("SEIGE_ENV_URL") or "http://127.0.0.1:8000")
    p.add_argument("--model", default=os.environ.get("SEIGE_AGENT_MODEL_ID"),
                   help="base policy model for both roles (env SEIGE_AGENT_MODEL_ID)")
    p.add_argument("--out", default="runs/alternate", help="run folder (state.json, one folder per leg)")
    p.add_argument("--rounds", type=int, default=2, help="rounds; each is a Red leg then a Blue leg")
    p.add_argument("--steps-per-leg", type=int, default=20, help="--max-steps of each leg")
    p.add_argument("--num-generations", type=int, default=4)
    p.add_argument("--stage", type=int, default=1, choices=[1, 2, 3])
    p.add_argument("--max-ticks", type=int, default=4)
    p.add_argument("--eval-seeds", default="1000000..1000019",
                   help="held-out seeds for checkpoint choice (A..B); leg n trains on seeds "
                        "n*10000 onwards, far below these")
    p.add_argument("--pool-size", type=int, default=3, help="latest opponents a leg trains against")
    p.add_argument("--adapter-endpoint", default=None,
                   help="OpenAI-compatible base URL serving the base model with LoRA adapters by name")
    p.add_argument("--register", default="vllm", choices=["vllm", "none"],
                   help="how new adapters reach the endpoint: vLLM's /v1/load_lora_adapter, or "
                        "none (you register them yourself under the printed names)")
    p.add_argument("--initial-red", default=INITIAL["red"])
    p.add_argument("--initial-blue", default=INITIAL["blue"])
    p.add_argument("--seige", default="node bin/seige.js", help="how to run the seige CLI")
    p.add_argument("--python", default=sys.executable, help="interpreter for the train scripts")
    p.add_argument("--dry-run", action="store_true", help="print the next leg's commands and stop")
    p.add_argument("train_args", nargs=argparse.REMAINDER,
                   help="after `--`: extra flags for train_red.py / train_blue.py")
    return p


# ---------------------------------------------------------------- state


def load_state(out: str, args: argparse.Namespace) -> Dict[str, Any]:
    path = os.path.join(out, "state.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return {"legs": [], "pool": {"red": [args.initial_red], "blue": [args.initial_blue]}}


def save_state(out: str, state: Dict[str, Any]) -> None:
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, "state.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=2)
    os.replace(tmp, os.path.join(out, "state.json"))  # atomic: a crash never leaves half a file


def leg_schedule(rounds: int) -> List[Dict[str, Any]]:
    """Red vs Blue_k, then Blue vs Red_k+1, for k = 0..rounds-1."""
    legs = []
    for k in range(rounds):
        legs.append({"role": "red", "round": k, "name": f"red-{k + 1}"})
        legs.append({"role": "blue", "round": k, "name": f"blue-{k + 1}"})
    return legs


# ---------------------------------------------------------------- one leg


def train_command(args: argparse.Namespace, leg: Dict[str, Any], opponents: List[str], out_dir: str) -> List[str]:
    extra = [a for a in args.train_args if a != "--"]
    return [
        *shlex.split(args.python), os.path.join(HERE, f"train_{leg['role']}.py"),
        "--env-url", args.env_url, "--model", args.model, "--output-dir", out_dir,
        "--max-steps", str(args.steps_per_leg), "--num-generations", str(args.num_generations),
        "--opponent", ",".join(opponents), "--stage", str(args.stage),
        "--max-ticks", str(args.max_ticks),
        # Four checkpoints per leg, so cross-play has candidates to choose between.
        "--save-steps", str(max(1, args.steps_per_leg // 4)),
        # Each leg trains on its own seed range, all below the held-out evaluation seeds.
        "--seed-start", str(SEEDS_PER_LEG * (2 * leg["round"] + (0 if leg["role"] == "red" else 1))),
        *extra,
    ]


def candidates(out_dir: str) -> List[str]:
    """The leg's saved checkpoints and its final adapter, oldest first."""
    found = []
    if os.path.isdir(out_dir):
        ckpts = [d for d in os.listdir(out_dir) if d.startswith("checkpoint-")]
        ckpts.sort(key=lambda d: int(d.split("-")[1]) if d.split("-")[1].isdigit() else 0)
        found = [os.path.join(out_dir, d) for d in ckpts]
    if os.path.exists(os.path.join(out_dir, "adapter_config.json")):
        found.append(out_dir)
    return found


def adapter_name(leg: Dict[str, Any], path: str) -> str:
    tail = os.path.basename(path.rstrip("/"))
    return f"seige-{leg['name']}" + ("" if tail.startswith(("red-", "blue-")) else f"-{tail}")


def register(args: argparse.Namespace, name: str, path: str) -> None:
    if args.register == "none":
        print(f"alternate: register adapter {name} = {os.path.abspath(path)} at {args.adapter_endpoint}")
        return
    body = json.dumps({"lora_name": name, "lora_path": os.path.abspath(path)}).encode()
    base = args.adapter_endpoint.rstrip("/")
    base = base if base.endswith("/v1") else base + "/v1"  # vLLM: POST /v1/load_lora_adapter
    req = urllib.request.Request(
        base + "/load_lora_adapter", data=body,
        headers={"content-type": "application/json"}, method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        if "already" not in text:  # re-registering on resume is fine
            raise RuntimeError(f"the adapter endpoint refused {name}: {e.code} {text[:300]}") from e


def evaluate(args: argparse.Namespace, role: str, specs: List[str], pool: List[str]) -> Dict[str, Any]:
    """`seige eval --json`: candidates against the pool on the held-out seeds."""
    red, blue = (specs, pool) if role == "red" else (pool, specs)
    cmd = [*shlex.split(args.seige), "eval", "--red", ",".join(red), "--blue", ",".join(blue),
           "--seeds", args.eval_seeds, "--stage", str(args.stage), "--json"]
    print("alternate: " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def choose(report: Dict[str, Any], role: str) -> Dict[str, Any]:
    """The candidate with the best mean return over the pool (ties: the later checkpoint)."""
    cells = report["cells"]
    scores = []
    if role == "red":
        for i, spec in enumerate(report["red"]):
            row = [c["red_return"]["mean"] for c in cells[i]]
            scores.append((sum(row) / len(row), i, spec))
    else:
        for j, spec in enumerate(report["blue"]):
            col = [cells[i][j]["blue_return"]["mean"] for i in range(len(report["red"]))]
            scores.append((sum(col) / len(col), j, spec))
    best = max(scores)
    return {"spec": best[2], "mean_return": best[0], "scores": {s: m for m, _, s in scores}}


def run_leg(args: argparse.Namespace, state: Dict[str, Any], leg: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    role, other = leg["role"], ("blue" if leg["role"] == "red" else "red")
    out_dir = os.path.join(args.out, leg["name"])
    opponents = state["pool"][other][-args.pool_size:]
    cmd = train_command(args, leg, opponents, out_dir)
    record = next((r for r in state["legs"] if r["name"] == leg["name"]), None)
    if record is None:
        record = {"name": leg["name"], "role": role, "opponents": opponents, "status": "planned"}
        state["legs"].append(record)
    if args.dry_run:
        print("alternate (dry run): " + " ".join(shlex.quote(c) for c in cmd))
        return None
    if record["status"] == "planned":
        print(f"alternate: leg {leg['name']} against {opponents}", flush=True)
        subprocess.run(cmd, check=True)
        record["status"] = "trained"
        save_state(args.out, state)
    if record["status"] == "trained":
        paths = candidates(out_dir)
        if not paths:
            raise RuntimeError(f"leg {leg['name']} saved no adapter in {out_dir}")
        specs = []
        for path in paths:
            name = adapter_name(leg, path)
            register(args, name, path)
            specs.append(f"llm:{args.adapter_endpoint}#{name}")
        record["candidates"] = dict(zip(specs, paths))
        report = evaluate(args, role, specs, opponents)
        record["eval"] = choose(report, role)
        record["status"] = "chosen"
        state["pool"][role].append(record["eval"]["spec"])
        save_state(args.out, state)
        print(f"alternate: {leg['name']} -> {record['eval']['spec']} "
              f"(held-out mean return {record['eval']['mean_return']:+.3f})", flush=True)
    return record


def main(argv: Optional[List[str]] = None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    if not args.model:
        p.error("--model (or SEIGE_AGENT_MODEL_ID) is required")
    if not args.adapter_endpoint and not args.dry_run:
        p.error("--adapter-endpoint is required: past adapters play as llm: opponents through it")
    args.adapter_endpoint = args.adapter_endpoint or "http://127.0.0.1:8001/v1"
    state = load_state(args.out, args)
    for leg in leg_schedule(args.rounds):
        done = next((r for r in state["legs"] if r["name"] == leg["name"]), None)
        if done is not None and done["status"] == "chosen":
            continue  # resuming: this leg is finished
        record = run_leg(args, state, leg)
        if args.dry_run:
            return 0
        assert record is not None and record["status"] == "chosen"
    print("alternate: pools " + json.dumps(state["pool"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
