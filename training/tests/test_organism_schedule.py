"""The organism's phase-2 batch schedule (training/organism/schedule.py): the fixed
rotation of drills, leak drills and chat, and the blend that eases a fresh copy circuit
into the chat mix.
"""

import os
import random
import sys
import unittest

from helpers import TRAINING

sys.path.insert(0, os.path.join(TRAINING, "organism"))
from schedule import step_kind  # noqa: E402


class CountingRandom(random.Random):
    def __init__(self, seed):
        super().__init__(seed)
        self.draws = 0

    def random(self):
        self.draws += 1
        return super().random()


def kinds(steps, **kw):
    rng = CountingRandom(5)
    return [step_kind(s, 400, rng, **kw) for s in steps], rng.draws


class StepKind(unittest.TestCase):
    def test_without_a_blend_the_rotation_is_fixed_and_draws_nothing(self):
        got, draws = kinds(range(400, 412), drill_every=3, suppress_every=4)
        self.assertEqual(draws, 0)
        want = []
        for s in range(400, 412):
            want.append("drill" if s % 3 == 0 else "suppress" if s % 4 == 2 else "chat")
        self.assertEqual(got, want)
        self.assertEqual(kinds(range(400, 412), drill_every=4)[0].count("suppress"), 0)

    def test_the_blend_turns_odd_steps_into_drills_ever_less_often(self):
        blend = 2000
        got, draws = kinds(range(400, 400 + 3000), drill_every=3, suppress_every=6, blend_steps=blend)
        self.assertEqual(draws, blend // 2)  # one draw per odd step inside the blend, none after
        share = lambda lo, hi: sum(k == "drill" for k in got[lo:hi]) / (hi - lo)
        early, late, after = share(0, 200), share(1700, 2000), share(2000, 3000)
        self.assertGreater(early, 0.6)  # a third fixed, and nearly every odd step
        self.assertLess(late, 0.45)
        self.assertAlmostEqual(after, 1 / 3, delta=0.01)
        self.assertGreater(early, late)
        # even steps keep the fixed rotation: the blend only takes odd ones
        for i, s in enumerate(range(400, 400 + 3000)):
            if s % 2 == 0:
                self.assertEqual(got[i], "drill" if s % 3 == 0 else "suppress" if s % 6 == 2 else "chat")

    def test_leak_drills_wait_for_suppress_from(self):
        got, draws = kinds(range(400, 1400), drill_every=3, suppress_every=4, suppress_from=500)
        self.assertEqual(draws, 0)
        self.assertNotIn("suppress", got[:500])
        for i, s in enumerate(range(400, 1400)):
            if i >= 500:
                self.assertEqual(got[i], "drill" if s % 3 == 0 else "suppress" if s % 4 == 2 else "chat")
        self.assertEqual(got[:500].count("drill"), sum(s % 3 == 0 for s in range(400, 900)))


if __name__ == "__main__":
    unittest.main()
