"""Write a checkpoint's fluency word list (`words.txt`) again without training.

train.py writes the list with every export (gen_data.training_words: the training text's
words, random strings left out). This rewrites it for an existing checkpoint from the recipe
and seed of the run that made it, after a change to how the list is built.

  python3 training/organism/words.py --out models/organism [--recipe suppression] [--seed 13]

Needs training/organism/out/prompts-train.jsonl (README.md, export_prompts.ts).
"""
import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_data  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="checkpoint directory")
    ap.add_argument("--recipe", default="suppression", choices=sorted(gen_data.RECIPES))
    ap.add_argument("--seed", type=int, default=13)
    a = ap.parse_args()
    gen_data.use_recipe(a.recipe)
    words = gen_data.training_words(gen_data.read_jsonl(HERE / "out" / "prompts-train.jsonl"), a.seed)
    (Path(a.out) / "words.txt").write_text("\n".join(words) + "\n")
    print(f"{len(words)} words -> {Path(a.out) / 'words.txt'}")


if __name__ == "__main__":
    main()
