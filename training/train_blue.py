"""Train seige's Blue role with TRL's GRPOTrainer (LoRA adapters only). See training/README.md.

    python training/train_blue.py --env-url http://127.0.0.1:8000 --model <dir or hub id> \
        --output-dir runs/blue --max-steps 10 --num-generations 4

Thin on purpose: the flags, dataset and trainer live in train_common.py, the environment in
seige_env.py. TRL is imported only after the arguments are parsed, so `--help` needs no TRL.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from train_common import train  # noqa: E402

if __name__ == "__main__":
    sys.exit(train("blue"))
