"""Shared by the training tests: import path, the server URL, and the names GAME.md §8 fixes.

The server is started by `test/training/python.test.ts` (vitest), which passes its URL in
SEIGE_TEST_ENV_URL; run alone, the tests that need it are skipped with that reason.
"""

import os
import sys

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAINING not in sys.path:
    sys.path.insert(0, TRAINING)

ENV_URL = os.environ.get("SEIGE_TEST_ENV_URL")
NO_SERVER = "no seige server: run through `npx vitest run test/training` (sets SEIGE_TEST_ENV_URL)"

RED_STRATEGIES = [
    "persona_manipulation",
    "indirect_injection",
    "multi_turn_escalation",
    "steering_vector",
    "soft_prompt_gcg",
    "repe_belief_flip",
    "circuit_bypass",
    "coalition_distraction",
    "coalition_poisoning",
]
BLUE_ACTIONS = ["probe", "monitor", "defer", "flag", "block", "patch", "explain"]
