"""`alternate.py`: the leg order, the opponent pools, checkpoint choice by held-out cross-play
(never by loss) and resuming. Training and `seige eval` are replaced by two small scripts so
the schedule itself is what runs: the fake trainer saves three candidates per leg, the fake
evaluator scores them so that the middle checkpoint wins.
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest

from helpers import TRAINING

FAKE_TRAIN = textwrap.dedent(
    """
    import json, os, sys
    argv = sys.argv[2:]  # argv[1] is the real train script, which this stands in for
    get = lambda flag: argv[argv.index(flag) + 1]
    out = get("--output-dir")
    with open(os.environ["ALT_LOG"], "a") as f:
        f.write(json.dumps({"script": os.path.basename(sys.argv[1]), "opponent": get("--opponent"),
                            "seed_start": int(get("--seed-start")), "extra": "--learning-rate" in argv}) + "\\n")
    for d in (os.path.join(out, "checkpoint-1"), os.path.join(out, "checkpoint-2"), out):
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "adapter_config.json"), "w").write("{}")
    """
)

FAKE_SEIGE = textwrap.dedent(
    """
    import json, sys
    a = sys.argv[1:]
    assert a[0] == "eval" and "--json" in a
    get = lambda flag: a[a.index(flag) + 1].split(",")
    red, blue = get("--red"), get("--blue")
    assert get("--seeds") == ["1000000..1000019"]
    def score(spec):  # the middle checkpoint is best, the final adapter second
        return 5.0 if spec.endswith("checkpoint-2") else 1.0 if spec.endswith("checkpoint-1") else 3.0
    cells = [[{"red_return": {"mean": score(r)}, "blue_return": {"mean": score(b)}} for b in blue] for r in red]
    print(json.dumps({"red": red, "blue": blue, "cells": cells}))
    """
)


class AlternateTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.log = os.path.join(d, "calls.jsonl")
        for name, text in (("fake_train.py", FAKE_TRAIN), ("fake_seige.py", FAKE_SEIGE)):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        self.out = os.path.join(d, "run")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def run_alt(self, rounds: int, *extra: str, register: str = "none",
                endpoint: str = "http://127.0.0.1:8001/v1") -> subprocess.CompletedProcess:
        d = self.tmp.name
        cmd = [
            sys.executable, os.path.join(TRAINING, "alternate.py"), "--model", "m", "--out", self.out,
            "--rounds", str(rounds), "--adapter-endpoint", endpoint, "--register", register,
            "--python", f"{sys.executable} {os.path.join(d, 'fake_train.py')}",
            "--seige", f"{sys.executable} {os.path.join(d, 'fake_seige.py')}", *extra,
        ]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "ALT_LOG": self.log})

    def calls(self) -> list:
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def state(self) -> dict:
        with open(os.path.join(self.out, "state.json")) as f:
            return json.load(f)

    def test_legs_alternate_and_checkpoints_are_chosen_by_cross_play(self) -> None:
        done = self.run_alt(2, "--", "--learning-rate", "2e-5")
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        calls = self.calls()
        self.assertEqual([c["script"] for c in calls], ["train_red.py", "train_blue.py"] * 2)
        self.assertTrue(all(c["extra"] for c in calls))
        # Every leg trains on its own seeds, all below the held-out evaluation seeds.
        starts = [c["seed_start"] for c in calls]
        self.assertEqual(len(set(starts)), 4)
        self.assertTrue(all(s < 1_000_000 for s in starts))
        state = self.state()
        ep = "llm:http://127.0.0.1:8001/v1#"
        self.assertEqual(state["pool"]["red"], ["scripted:steer", ep + "seige-red-1-checkpoint-2",
                                                ep + "seige-red-2-checkpoint-2"])
        self.assertEqual(state["pool"]["blue"][1], ep + "seige-blue-1-checkpoint-2")
        # Red_1 trained against Blue_0; Blue_1 against the pool holding Red_1; Red_2 against Blue_1.
        self.assertEqual(calls[0]["opponent"], "scripted:probe-threshold")
        self.assertEqual(calls[1]["opponent"], "scripted:steer," + ep + "seige-red-1-checkpoint-2")
        self.assertIn(ep + "seige-blue-1-checkpoint-2", calls[2]["opponent"])
        leg = state["legs"][0]
        self.assertEqual(leg["eval"]["scores"][ep + "seige-red-1"], 3.0)
        self.assertEqual(leg["eval"]["mean_return"], 5.0)

    def test_a_finished_run_resumes_without_retraining_and_extends_with_more_rounds(self) -> None:
        self.assertEqual(self.run_alt(1).returncode, 0)
        self.assertEqual(len(self.calls()), 2)
        self.assertEqual(self.run_alt(1).returncode, 0)
        self.assertEqual(len(self.calls()), 2)  # nothing ran again
        self.assertEqual(self.run_alt(2).returncode, 0)
        self.assertEqual([c["script"] for c in self.calls()][2:], ["train_red.py", "train_blue.py"])
        self.assertEqual(len(self.state()["pool"]["red"]), 3)

    def test_a_leg_trained_but_not_evaluated_resumes_at_evaluation(self) -> None:
        self.assertEqual(self.run_alt(1).returncode, 0)
        state = self.state()
        state["legs"][1]["status"] = "trained"
        state["pool"]["blue"].pop()
        with open(os.path.join(self.out, "state.json"), "w") as f:
            json.dump(state, f)
        self.assertEqual(self.run_alt(1).returncode, 0)
        self.assertEqual(len(self.calls()), 2)  # no training, only the evaluation again
        self.assertEqual(len(self.state()["pool"]["blue"]), 2)

    def test_new_adapters_are_registered_with_vllm_by_name(self) -> None:
        posts = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["content-length"]))
                posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"Success")

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            # No /v1 on the endpoint: registration still goes to vLLM's /v1/load_lora_adapter.
            done = self.run_alt(1, register="vllm", endpoint=f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        self.assertEqual({p for p, _ in posts}, {"/v1/load_lora_adapter"})
        names = [b["lora_name"] for _, b in posts]
        self.assertEqual(names[:3], ["seige-red-1-checkpoint-1", "seige-red-1-checkpoint-2", "seige-red-1"])
        self.assertEqual(len(names), 6)
        self.assertTrue(all(os.path.isabs(b["lora_path"]) for _, b in posts))

    def test_dry_run_prints_the_next_leg_and_runs_nothing(self) -> None:
        done = self.run_alt(1, "--dry-run")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("train_red.py", done.stdout)
        self.assertEqual(self.calls(), [])

    def test_an_endpoint_is_required_for_a_real_run(self) -> None:
        done = subprocess.run(
            [sys.executable, os.path.join(TRAINING, "alternate.py"), "--model", "m", "--out", self.out],
            capture_output=True, text=True, timeout=60,
        )
        self.assertEqual(done.returncode, 2)
        self.assertIn("--adapter-endpoint", done.stderr)


if __name__ == "__main__":
    unittest.main()
