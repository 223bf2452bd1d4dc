"""Time a training step of the organism (training/organism/train.py) in fp32 and in bf16
(`--precision bf16`), interleaved in one process, on the shipped network's shape (hidden 128,
4 layers, a 4,676-token vocabulary) and the batch shapes a run trains on: an induction drill
(32 x 128 tokens, every position a target), a chat batch (8 x 300, a third of the positions
targets) and a leak drill with its paired refusals (two chat batches in one step).

  OPENBLAS_NUM_THREADS=1 taskset -c 0 /usr/bin/python3 bench/organism-train-step.py [--reps 12] [--threads 1]

Needs PyTorch (training/organism/README.md, "Speed"). Prints the median seconds a step of
each and the ratio fp32 / bf16; a CPU without AVX512-BF16 or AMX emulates bf16 (slower).
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training", "organism"))
from model import Organism  # noqa: E402
from train import cpu_has_bf16, keep_freed_memory, train_step  # noqa: E402

CONFIG = {
    "vocab_size": 4676, "hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4,
    "num_attention_heads": 4, "num_key_value_heads": 4, "head_dim": 32,
    "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
}


def batch_of(g, rows, length, targets):
    ids = torch.randint(0, CONFIG["vocab_size"], (rows, length), generator=g)
    tgt = ids.roll(-1, 1)
    tgt[torch.rand(rows, length, generator=g) >= targets] = -100
    return ids, tgt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=12)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    keep_freed_memory()  # as train.py does
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    net = Organism(CONFIG)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
    shapes = {
        "drill 32x128": lambda: (batch_of(g, 32, 128, 1.0), None),
        "chat 8x300": lambda: (batch_of(g, 8, 300, 0.33), None),
        "leak drill + refusals 2x8x300": lambda: (batch_of(g, 8, 300, 0.33), (*batch_of(g, 8, 300, 0.33), None)),
    }
    print(f"torch {torch.__version__}, {a.threads} thread(s), CPU bf16 native: {cpu_has_bf16()}")
    for name, make in shapes.items():
        times = {False: [], True: []}
        for rep in range(a.reps + 1):
            for bf16 in (False, True):
                (ids, tgt), also = make()
                t = time.perf_counter()
                train_step(net, opt, ids, tgt, bf16=bf16, also=also)
                if rep:  # the first of each is a warm-up
                    times[bf16].append(time.perf_counter() - t)
        f32, b16 = statistics.median(times[False]), statistics.median(times[True])
        print(f"{name:32s} fp32 {f32:.3f} s  bf16 {b16:.3f} s  fp32/bf16 {f32 / b16:.2f}x")
    print("goal (issue 13): a run from nothing in under an hour on 2 cores; more steps in the hour")
    print("reproduce: OPENBLAS_NUM_THREADS=1 taskset -c 0 /usr/bin/python3 bench/organism-train-step.py --reps", a.reps)


if __name__ == "__main__":
    main()
