"""Runs checkpoints through HF transformers itself, for the optional parity check.

Loads each checkpoint directory with `AutoModelForCausalLM.from_pretrained` exactly
as it is on disk (float32, eager attention: no config patching, no custom code),
runs one forward over the given token ids with `output_hidden_states=True`, and
writes the logits and hidden states to a JSON file. test/lens/hf-parity.test.ts
calls this (with the python named by SEIGE_HF_PYTHON) on make-tiny checkpoints and
compares the result with the lens reference forward and the ORT runtime.

A load failure is reported per checkpoint (the error text), not raised, so one
failing architecture does not hide the others.

Usage: python scripts/hf-check.py --tokens 3,17,42 --out result.json DIR [DIR ...]
Needs: torch and transformers (checked with transformers 5.18, torch 2.14).
"""

import argparse
import json
import sys
import traceback


def run_one(path: str, tokens: list[int]) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=torch.float32, attn_implementation="eager"
        )
    except Exception as err:  # reported to the caller, which names the architecture
        return {"ok": False, "stage": "load", "error": f"{type(err).__name__}: {err}",
                "trace": traceback.format_exc(limit=4)}
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.tensor([tokens]), output_hidden_states=True, use_cache=False)
    except Exception as err:
        return {"ok": False, "stage": "forward", "error": f"{type(err).__name__}: {err}",
                "trace": traceback.format_exc(limit=4)}
    logits = out.logits[0].to(torch.float64)
    hidden = [h[0].to(torch.float64).flatten().tolist() for h in out.hidden_states]
    return {
        "ok": True,
        "class": type(model).__name__,
        "vocab": logits.shape[-1],
        "logits": logits.flatten().tolist(),
        "hidden_states": hidden,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", required=True, help="comma-separated token ids")
    ap.add_argument("--out", required=True, help="JSON file to write")
    ap.add_argument("dirs", nargs="+", help="checkpoint directories")
    args = ap.parse_args()
    tokens = [int(t) for t in args.tokens.split(",") if t.strip()]

    import torch
    import transformers

    torch.manual_seed(0)
    torch.set_num_threads(1)
    result = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "models": {d: run_one(d, tokens) for d in args.dirs},
    }
    with open(args.out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
