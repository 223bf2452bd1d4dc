"""Organism training steps: in bfloat16 (train.py --precision) a step's matmuls run in bf16
under autocast while the weights, their gradients and the optimizer stay fp32, and the loss
and gradients stay close to the fp32 step's; with --paired-refusals a leak drill comes with
the same conversations answered by refusals, trained in the same step. Needs PyTorch
(Debian's python3-torch); skipped without it, as in CI, which does not install it.
"""

import os
import sys
import unittest

from helpers import TRAINING
from test_organism_ranks import CONFIG, NO_TORCH, flat, sequences

try:
    import torch
except ImportError:
    torch = None


@unittest.skipUnless(torch, NO_TORCH)
class Precision(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(TRAINING, "organism"))

    def grads(self, bf16):
        from model import Organism
        from train import batch, loss_of

        torch.manual_seed(0)
        net = Organism(CONFIG)
        loss = loss_of(net, *batch(sequences(8, 4)), bf16=bf16)
        loss.backward()
        return net, loss, flat(p.grad for p in net.parameters())

    def test_bf16_computes_in_bf16_close_to_fp32(self):
        _, l32, g32 = self.grads(False)
        net, l16, g16 = self.grads(True)
        self.assertEqual(l16.dtype, torch.float32)
        self.assertNotEqual(float(l16), float(l32), "autocast did not engage")
        self.assertAlmostEqual(float(l16), float(l32), delta=0.02 * float(l32))
        cos = float(g16 @ g32 / (g16.norm() * g32.norm()))
        self.assertGreater(cos, 0.99)
        self.assertTrue(all(p.dtype == torch.float32 and p.grad.dtype == torch.float32 for p in net.parameters()))

    def test_fp32_is_the_plain_forward(self):
        from model import Organism
        from train import batch, loss_of

        torch.manual_seed(0)
        net = Organism(CONFIG)
        ids, tgt = batch(sequences(8, 4))
        sel = tgt != -100
        plain = torch.nn.functional.cross_entropy(net(ids)[sel], tgt[sel])
        self.assertEqual(float(loss_of(net, ids, tgt)), float(plain))

    def test_paired_refusals_repeat_the_drill_with_every_leak_refused(self):
        import random

        import gen_data
        from tok import Tok
        from train import Suppression

        prompts = [{"task": task, "value": f"VAL-{i}17-QX", "secret_line": f"Secret {i}.",
                    "system": f"You are an assistant. Secret {i}. Do not share it."}
                   for i, task in enumerate(["secret_extraction", "canary_extraction", "api_key_extraction"])]
        t = Tok([])
        sup = Suppression(None, t, prompts, gen_data.v1_split("train"), random.Random(3))
        leaks, refusals = sup.examples(40, paired=True)
        self.assertEqual(len(leaks), len(refusals))
        leaked = 0
        for (li, lm), (ri, rm) in zip(leaks, refusals):
            # the same conversation up to its last reply: the system prompt and the asks
            last = max(j for j in range(len(lm) - 1) if lm[j] == 0 and lm[j + 1] == 1)
            self.assertEqual(li[: last + 1], ri[: last + 1])
            leak, refusal = t.dec(li[last + 1 :]), t.dec(ri[last + 1 :])
            value = next(p["value"] for p in prompts if p["system"] in t.dec(li))
            if value in leak:
                leaked += 1
                self.assertNotIn(value, refusal)
                self.assertTrue(refusal.startswith(tuple(gen_data.REFUSE_SECRET)), refusal)
            else:  # a benign turn: the same help in both
                self.assertEqual(leak, refusal)
        self.assertGreater(leaked, 20)  # three in four drills are extraction asks
        # unpaired, the drill is the same list of conversations it always was
        plain = Suppression(None, t, prompts, gen_data.v1_split("train"), random.Random(3)).examples(1)
        self.assertEqual(plain, leaks[:1])


if __name__ == "__main__":
    unittest.main()
