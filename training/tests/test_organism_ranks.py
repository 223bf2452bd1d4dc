"""Data-parallel organism training (train.py --ranks): two gloo ranks on this machine take
the same optimizer step as one process training on both shares of the batch, and the
shares split a batch without losing or repeating a sequence. Needs PyTorch (Debian's
python3-torch); skipped without it, as in CI, which does not install it.
"""

import os
import random
import socket
import sys
import tempfile
import unittest

from helpers import TRAINING

try:
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp
except ImportError:
    torch = None

NO_TORCH = "no PyTorch: apt-get install python3-torch (training/organism/README.md)"
CONFIG = {
    "vocab_size": 40, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2,
    "num_attention_heads": 2, "num_key_value_heads": 2, "head_dim": 8,
    "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
}


def sequences(n, seed):
    r = random.Random(seed)
    out = []
    for _ in range(n):
        k = r.randint(6, 20)
        out.append(([r.randrange(1, 40) for _ in range(k)], [0] * (k // 2) + [1] * (k - k // 2)))
    return out


def network(ranks):
    from model import Organism

    torch.manual_seed(0)
    net = Organism(CONFIG)
    ranks.same_weights(net)
    return net


def flat(tensors):
    return torch.cat([x.detach().reshape(-1) for x in tensors])


def rank_worker(rank, port, out):
    sys.path.insert(0, os.path.join(TRAINING, "organism"))
    from train import Ranks, batch, loss_of, train_step

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        ranks, seqs = Ranks(rank, 2), sequences(8, 1)
        net = network(ranks)
        loss_of(net, *batch(ranks.share(seqs))).backward()
        ranks.mean_grads(net)
        grads = flat(p.grad for p in net.parameters())
        net = network(ranks)
        train_step(net, torch.optim.AdamW(net.parameters(), lr=1e-2), *batch(ranks.share(seqs)), ranks=ranks)
        torch.save((grads, flat(net.parameters())), os.path.join(out, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


@unittest.skipUnless(torch, NO_TORCH)
class DataParallel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(TRAINING, "organism"))

    def test_one_rank_keeps_the_batch_as_drawn(self):
        from train import Ranks

        seqs = sequences(8, 2)
        self.assertEqual(Ranks().share(seqs), seqs)

    def test_shares_split_a_batch_into_equal_parts_of_like_length(self):
        from train import Ranks

        seqs = sequences(9, 3)
        parts = [Ranks(r, 2).share(seqs) for r in range(2)]
        self.assertEqual(sorted(map(str, parts[0] + parts[1])), sorted(map(str, seqs)))
        self.assertEqual([len(p) for p in parts], [5, 4])
        # dealt from the sorted batch: the two longest sequences go to different ranks
        longest = sorted(len(s[0]) for s in seqs)[-2:]
        self.assertEqual(sorted(max(len(s[0]) for s in p) for p in parts), longest)

    def test_two_ranks_average_their_gradients_and_keep_the_same_weights(self):
        from train import Ranks, batch, loss_of

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with tempfile.TemporaryDirectory() as out:
            mp.spawn(rank_worker, args=(port, out), nprocs=2)
            (g0, w0), (g1, w1) = (torch.load(os.path.join(out, f"rank{r}.pt")) for r in range(2))
        # each share's gradient, by hand in this process
        seqs, alone = sequences(8, 1), []
        for r in range(2):
            net = network(Ranks())
            loss_of(net, *batch(Ranks(r, 2).share(seqs))).backward()
            alone.append(flat(p.grad for p in net.parameters()))
        self.assertFalse(torch.allclose(alone[0], alone[1]))
        for g in (g0, g1):
            self.assertTrue(torch.allclose(g, (alone[0] + alone[1]) / 2, atol=1e-7), float((g - (alone[0] + alone[1]) / 2).abs().max()))
        # after a training step the ranks hold the same weights, and they moved
        self.assertTrue(torch.equal(w0, w1), "the ranks' weights diverged")
        self.assertFalse(torch.equal(w0, flat(network(Ranks()).parameters())))


if __name__ == "__main__":
    unittest.main()
