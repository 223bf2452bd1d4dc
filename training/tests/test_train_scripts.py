"""`train_red.py` / `train_blue.py`: `--help` without TRL, argument checks, the seeded dataset,
and a full run through the stand-in TRL of `fake_trl/` against a live server (the wiring:
config field names, environment_factory, groups sharing an episode, the adapter saved).
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

from helpers import ENV_URL, NO_SERVER, TRAINING

import train_common

FAKE_TRL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_trl")


def read_json(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def run_script(role: str, *argv: str, fake_trl: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SEIGE_AGENT_MODEL_ID")}
    if fake_trl:
        env["PYTHONPATH"] = FAKE_TRL
    return subprocess.run(
        [sys.executable, os.path.join(TRAINING, f"train_{role}.py"), *argv],
        capture_output=True, text=True, env=env, timeout=120,
    )


class HelpAndArgsTest(unittest.TestCase):
    def test_help_works_without_trl(self) -> None:
        probe = subprocess.run([sys.executable, "-c", "import trl"], capture_output=True)
        for role in ("red", "blue"):
            with self.subTest(role=role):
                done = run_script(role, "--help")
                self.assertEqual(done.returncode, 0, done.stderr)
                for flag in ("--env-url", "--model", "--output-dir", "--max-steps", "--num-generations",
                             "--opponent", "--lora-r", "--lora-alpha", "--report-to"):
                    self.assertIn(flag, done.stdout)
        # The point is that --help needs no TRL; say so if this interpreter happens to have it.
        if probe.returncode == 0:
            self.skipTest("trl is importable here, so --help was not tested without it")

    def test_model_is_required(self) -> None:
        done = run_script("red", "--env-url", "http://127.0.0.1:1")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--model", done.stderr)

    def test_bad_arguments_are_refused_before_anything_runs(self) -> None:
        cases = [
            (["--opponent", "bogus"], "opponent"),
            (["--num-generations", "1"], "at least 2"),
            (["--num-generations", "4", "--batch-size", "6"], "multiple"),
            (["--env-url", "ftp://x"], "scheme"),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra):
                err = io.StringIO()
                with self.assertRaises(SystemExit), contextlib.redirect_stderr(err):
                    train_common.parse_args("red", ["--model", "m", *extra])
                self.assertIn(message, err.getvalue())

    def test_model_and_url_come_from_the_environment_too(self) -> None:
        old = dict(os.environ)
        try:
            os.environ["SEIGE_AGENT_MODEL_ID"] = "some/model"
            os.environ["SEIGE_ENV_URL"] = "https://example.test:8443"
            args = train_common.parse_args("blue", [])
            self.assertEqual(args.model, "some/model")
            self.assertEqual(args.env_url, "wss://example.test:8443/ws")
        finally:
            os.environ.clear()
            os.environ.update(old)

    def test_rows_carry_one_seed_per_group_and_cycle_opponents(self) -> None:
        args = train_common.parse_args(
            "red", ["--model", "m", "--max-steps", "3", "--num-generations", "2", "--batch-size", "4",
                    "--opponent", "scripted:allow-all,scripted:probe-threshold", "--seed-start", "100"])
        rows = train_common.dataset_rows(args, "red")
        self.assertEqual([r["seed"] for r in rows], list(range(100, 106)))
        self.assertEqual([r["opponent"] for r in rows[:3]],
                         ["scripted:allow-all", "scripted:probe-threshold", "scripted:allow-all"])
        self.assertEqual(rows[0]["prompt"][0]["role"], "user")
        self.assertIn("You are Red", rows[0]["prompt"][0]["content"])
        self.assertEqual(args.max_tool_calling_iterations, args.max_ticks + 2)


@unittest.skipUnless(ENV_URL, NO_SERVER)
class FakeTrlRunTest(unittest.TestCase):
    def test_a_run_wires_the_env_into_grpo_and_saves_an_adapter(self) -> None:
        for role, tool in (("red", "persona_manipulation"), ("blue", "monitor")):
            with self.subTest(role=role), tempfile.TemporaryDirectory() as out:
                done = run_script(
                    role, "--env-url", ENV_URL or "", "--model", "tiny/model", "--output-dir", out,
                    "--max-steps", "2", "--num-generations", "3", "--batch-size", "6",
                    "--max-ticks", "3", "--seed-start", "40", fake_trl=True,
                )
                self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
                self.assertTrue(os.path.exists(os.path.join(out, "adapter_config.json")))
                log = read_json(os.path.join(out, "fake_trl_log.json"))
                meta = read_json(os.path.join(out, "seige_run.json"))
                self.assertEqual(meta["role"], role)
                self.assertIn(tool, log["tools"])
                self.assertEqual(log["config"]["report_to"], "none")
                self.assertFalse(log["config"]["bf16"])
                self.assertFalse(log["config"]["use_vllm"])
                self.assertEqual(log["peft"]["r"], 16)
                groups = log["groups"]
                self.assertEqual([g["seed"] for g in groups], [40, 41, 42, 43])
                for g in groups:
                    self.assertTrue(g["same_first_observation"])
                    self.assertEqual(len(set(g["rewards"])), 1, g)  # same seed, same actions
                    self.assertTrue(all(g["done"]), g)

    def test_an_unreachable_env_fails_fast_with_a_clear_message(self) -> None:
        done = run_script("red", "--env-url", "http://127.0.0.1:9", "--model", "m", fake_trl=True)
        self.assertEqual(done.returncode, 2)
        self.assertIn("cannot reach the seige server", done.stderr)


if __name__ == "__main__":
    unittest.main()
