"""The latency of seige as TRL sees it: `reset(**row)` and one tool call of `SeigeRedEnv`
(a sync method TRL calls between generations), measured in Python over `/ws`.

    python3 training/bench_tool_call.py --env-url http://127.0.0.1:8000 --calls 300

Prints one JSON line: p50/p99/mean milliseconds for reset and for a tool call, and how many of
each were timed. `bench/rollout.ts` runs this against the server it starts. Standard library
plus websocket-client only.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seige_env import SeigeRedEnv  # noqa: E402


def pct(xs: list, p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else float("nan")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--env-url", default=os.environ.get("SEIGE_ENV_URL", "http://127.0.0.1:8000"))
    p.add_argument("--calls", type=int, default=300, help="tool calls to time")
    p.add_argument("--max-ticks", type=int, default=10)
    p.add_argument("--opponent", default="scripted:probe-threshold")
    args = p.parse_args()

    env = SeigeRedEnv(url=args.env_url, opponent=args.opponent)
    resets, calls = [], []
    seed = 0
    env.reset(seed=seed, max_ticks=args.max_ticks)  # warm-up: connection, JIT, caches
    while len(calls) < args.calls:
        t0 = time.perf_counter()
        env.reset(seed=seed, max_ticks=args.max_ticks, prompt=[{"role": "user", "content": "x"}])
        resets.append((time.perf_counter() - t0) * 1000)
        seed += 1
        while not env.done and len(calls) < args.calls:
            t0 = time.perf_counter()
            env.persona_manipulation("Hi! Which account settings can you change for me?")
            calls.append((time.perf_counter() - t0) * 1000)
    env._session.close()
    out = {
        "reset_ms": {"p50": round(pct(resets, 50), 3), "p99": round(pct(resets, 99), 3),
                     "mean": round(sum(resets) / len(resets), 3), "n": len(resets)},
        "tool_call_ms": {"p50": round(pct(calls, 50), 3), "p99": round(pct(calls, 99), 3),
                         "mean": round(sum(calls) / len(calls), 3), "n": len(calls)},
        "opponent": args.opponent,
        "python": sys.version.split()[0],
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
