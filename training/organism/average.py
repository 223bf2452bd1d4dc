"""Average the weights of several exports of one run (checkpoint averaging).

Late exports of a phase-2 run swing from one to the next (harmful refusal 0.5-0.8 two
hundred steps apart, docs/organism.md); their mean is a flatter point between them. The
exports must share a vocabulary and shape (one run, or continuations with --init). The
tokenizer, config and word list are copied from the first.

  python3 training/organism/average.py --out DIR EXPORT [EXPORT ...]
"""
import argparse
import shutil
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import read_safetensors, write_safetensors  # noqa: E402

COPIED = ["config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json", "words.txt"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("exports", nargs="+")
    a = ap.parse_args()
    states = [read_safetensors(Path(e) / "model.safetensors") for e in a.exports]
    for e, s in zip(a.exports[1:], states[1:]):
        if s.keys() != states[0].keys() or any(s[k].shape != states[0][k].shape for k in s):
            sys.exit(f"{e}: its tensors differ from {a.exports[0]}'s; average exports of one run")
    mean = {k: torch.stack([s[k].float() for s in states]).mean(0) for k in states[0]}
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / "model.safetensors", mean)
    for f in COPIED:
        shutil.copy(Path(a.exports[0]) / f, out / f)
    print(f"wrote {out} (mean of {len(states)} exports)")


if __name__ == "__main__":
    main()
