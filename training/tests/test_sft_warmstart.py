"""sft_warmstart.py without TRL: --help works, and `seige rollout --format sft` lines load with
their tool-call arguments as objects, filtered by episode return."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from sft_warmstart import load_examples  # noqa: E402

LINE = {
    "messages": [
        {"role": "system", "content": "You are Blue"},
        {"role": "user", "content": "view"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_0", "type": "function",
             "function": {"name": "probe", "arguments": "{\"session_id\": \"s1\", \"layer\": 3}"}}]},
    ],
    "tools": [{"type": "function", "function": {"name": "probe", "description": "d", "parameters": {}}}],
    "seed": 1, "tick": 0, "episode_return": 5.0,
}


class SftWarmstartTest(unittest.TestCase):
    def test_help_needs_no_trl(self) -> None:
        r = subprocess.run([sys.executable, os.path.join(HERE, "..", "sft_warmstart.py"), "--help"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--data", r.stdout)

    def test_full_refuses_4bit_before_training(self) -> None:
        # --full trains the base weights, which a 4-bit base cannot have; refused before TRL loads
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(LINE) + "\n")
            r = subprocess.run([sys.executable, os.path.join(HERE, "..", "sft_warmstart.py"), "--data", path,
                                "--model", d, "--output-dir", d, "--full", "--load-in-4bit"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("--full", r.stderr)

    def test_load_and_filter(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.jsonl")
            low = dict(LINE, episode_return=-3.0)
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(LINE) + "\n" + json.dumps(low) + "\n")
            rows = load_examples(path)
            self.assertEqual(len(rows), 2)
            call = rows[0]["messages"][2]["tool_calls"][0]["function"]
            self.assertEqual(call["arguments"], {"session_id": "s1", "layer": 3})
            self.assertEqual(rows[0]["messages"][2]["content"], "")
            self.assertEqual(len(load_examples(path, min_return=0)), 1)

    def test_rejects_other_files(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps({"seed": 1}) + "\n")
            with self.assertRaises(ValueError):
                load_examples(path)


if __name__ == "__main__":
    unittest.main()
