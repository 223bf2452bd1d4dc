"""A tiny random Qwen3 model in a local folder, for the CPU smoke runs (docs/training.md).

The smoke recipe needs a model whose chat template TRL parses tool calls from (Qwen3's), and a
machine without the hub cannot fetch `trl-internal-testing/tiny-Qwen3MoeForCausalLM`. This
writes one: a byte-level BPE tokenizer trained on the given JSONL (e.g. `seige rollout --format
sft` output) with Qwen's special tokens, TRL's own copy of the Qwen3 chat template (so TRL
recognises it and parses `<tool_call>` blocks), and a Qwen3ForCausalLM with random weights
(2 layers, width 64 by default). It is not a language model: a warm start teaches it the
tool-call format and nothing else.

    python training/make_tiny_qwen3.py --data blue-sft.jsonl --out runs/tiny-qwen3
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterator, List, Optional

SPECIAL = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
]


def texts(path: str) -> Iterator[str]:
    """Every string of every line (messages, tool calls, tool schemas), for the tokenizer."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.dumps(json.loads(line), ensure_ascii=False)


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="JSONL whose text the tokenizer is trained on")
    p.add_argument("--out", required=True, help="folder to write the model to")
    p.add_argument("--vocab", type=int, default=1024)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-std", type=float, default=0.3,
                   help="weight init std; larger than HF's 0.02 so that the frozen random base "
                        "gives LoRA logits with range to learn from (at 0.02 they stay near uniform)")
    args = p.parse_args(argv)

    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3ForCausalLM
    from trl.chat_template_utils import qwen3_chat_template

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        texts(args.data),
        trainers.BpeTrainer(
            vocab_size=args.vocab,
            special_tokens=SPECIAL,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tok = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL[1:],
    )
    tok.chat_template = qwen3_chat_template
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(out)

    torch.manual_seed(args.seed)
    heads = 4
    config = Qwen3Config(
        vocab_size=len(tok),
        hidden_size=args.hidden,
        intermediate_size=2 * args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=heads,
        num_key_value_heads=2,
        head_dim=args.hidden // heads,
        max_position_embeddings=32768,
        tie_word_embeddings=True,
        eos_token_id=tok.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tok.pad_token_id,
        bos_token_id=None,
        initializer_range=args.init_std,
    )
    model = Qwen3ForCausalLM(config)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.save_pretrained(out)
    n = sum(t.numel() for t in model.parameters())
    print(f"make_tiny_qwen3: {n} parameters, vocabulary {len(tok)}, written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
