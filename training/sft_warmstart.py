"""Warm-start an agent model on seige's tool calls before GRPO (LoRA adapters only).

A small model that never calls a tool gets reward 0 on every GRPO rollout and so no gradient
(`reward_std` 0). This script fine-tunes it, with supervised learning, on transcripts of a
teacher policy exported by

    node bin/seige.js rollout --format sft --role blue --policy probe-threshold \
        --opponent scripted:steer --stage 2 --seeds 0..199 --out blue-sft.jsonl

(one chat example per decision: the `llm:` agent's system and user messages for that view,
then the teacher's action as a tool call; `--min-return R` keeps only good episodes) and,
to warm-start for GRPO, re-rendered by `training/sft_env_render.py` as the GRPO env shows the
conversation; then saves a PEFT LoRA adapter that `train_red.py`/`train_blue.py
--init-adapter` or vLLM `--lora-modules` can load. Each example becomes plain text as GRPO's
token stream holds it (`grpo_text`: the prompt with the tools and the generation prompt under
the template TRL trains with, each earlier call and tool result as TRL appends them), split
into prompt and completion (the last call); the loss is on the completion only. Plain text
also keeps the varying tool schemas out of an Arrow schema. The base weights are never
merged; with `--load-in-4bit` (QLoRA, bitsandbytes on a GPU) only the adapter is trained.

    python training/sft_warmstart.py --data blue-sft.jsonl --model Qwen/Qwen3-0.6B \
        --output-dir runs/blue-sft --epochs 1

TRL, transformers and peft are imported only after the arguments are parsed (or inside
`grpo_chat_template`), so `--help` and `load_examples` work without them.
"""

import argparse
import json
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple


def sft_lines(path: str, needs: Tuple[str, ...]) -> Iterator[Dict[str, Any]]:
    """The JSON objects of a `seige rollout --format sft` file (or sft_env_render.py's output),
    blank lines skipped; a line without every key in `needs` is refused with its line number."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if any(k not in row for k in needs):
                raise ValueError(f"{path}:{n}: not a seige sft line (needs {' and '.join(needs)})")
            yield row


def load_examples(path: str, min_return: Optional[float] = None) -> List[Dict[str, Any]]:
    """Reads `seige rollout --format sft` lines; tool-call arguments become objects."""
    out: List[Dict[str, Any]] = []
    for row in sft_lines(path, ("messages", "tools")):
        if min_return is not None and row.get("episode_return", 0) < min_return:
            continue
        for m in row["messages"]:
            for call in m.get("tool_calls") or []:
                fn = call["function"]
                if isinstance(fn.get("arguments"), str):
                    fn["arguments"] = json.loads(fn["arguments"])
            if m.get("content") is None:
                m["content"] = ""
        out.append({"messages": row["messages"], "tools": row["tools"]})
    return out


def _after(full: str, prefix: str) -> str:
    if not full.startswith(prefix):
        raise ValueError("the chat template does not render a conversation as a prefix of its continuation")
    return full[len(prefix):]


def _to_eos(text: str, eos: str) -> str:
    """A turn as generated: up to and including the end-of-turn token (TRL cuts there too)."""
    i = text.rfind(eos)
    return text[: i + len(eos)] if i >= 0 else text


def grpo_chat_template(tokenizer: Any) -> Optional[str]:
    """The template GRPO renders with: TRL swaps a template that is not prefix-preserving (Qwen3's
    writes an empty `<think>` block into the last assistant turn only) for its training version."""
    from trl.chat_template_utils import get_training_chat_template, is_chat_template_prefix_preserving

    return None if is_chat_template_prefix_preserving(tokenizer) else get_training_chat_template(tokenizer)


def grpo_text(
    tokenizer: Any, messages: List[Dict[str, Any]], tools: List[Dict[str, Any]],
    chat_template: Optional[str] = None,
) -> Tuple[str, str]:
    """(prompt, completion) as GRPO's token stream has them, the completion being the last call.

    TRL 1.13 does not re-render a multi-turn rollout with the chat template: it concatenates the
    prompt (rendered with the tools and the generation prompt), each generated turn up to its
    end-of-turn token, and each tool result's suffix (rendered after a dummy call, cut at the
    dummy's end-of-turn, `_get_tool_suffix_ids`), all with `chat_template` (`grpo_chat_template`).
    This renders every turn the way GRPO's stream holds it.
    """
    eos = tokenizer.eos_token
    render = lambda msgs, gen: tokenizer.apply_chat_template(  # noqa: E731
        msgs, tools=tools or None, tokenize=False, add_generation_prompt=gen, chat_template=chat_template)
    first = next(i for i, m in enumerate(messages) if m["role"] == "assistant")
    head = messages[:first]
    text = render(head, True)
    prompt, completion = text, ""
    i = first
    while i < len(messages):
        m = messages[i]
        if m["role"] != "assistant":
            raise ValueError(f"message {i}: expected an assistant turn, got {m['role']}")
        turn = _to_eos(_after(render(head + [m], False), render(head, True)), eos)
        j = i + 1
        results = []
        while j < len(messages) and messages[j]["role"] == "tool":
            results.append(messages[j])
            j += 1
        if j == len(messages) and not results:
            prompt, completion = text, turn
            break
        if not results:
            raise ValueError(f"message {i}: an assistant turn that is not the last needs tool results")
        dummy = [{"role": "user", "content": "dummy"}, {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": results[0].get("name", "tool"), "arguments": {}}}]}]
        base = _to_eos(render(dummy, False), eos)
        text += turn + _after(render(dummy + results, True), base)
        i = j
    if not completion:
        raise ValueError("the example does not end with an assistant tool call")
    return prompt, completion


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sft_warmstart.py",
        description="Supervised warm start on seige tool-call transcripts (LoRA adapter).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--data", required=True, help="JSONL from `seige rollout --format sft`")
    p.add_argument("--model", required=True, help="base model: a folder or a hub id")
    p.add_argument("--output-dir", required=True, help="where the adapter is saved")
    p.add_argument("--min-return", type=float, default=None, help="keep episodes with at least this return")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--learning-rate", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--grad-accum", type=int, default=4)
    p.add_argument("--max-length", type=int, default=4096, help="tokens per example")
    p.add_argument("--keep-end", action="store_true",
                   help="truncate long examples from the start, so the assistant's tool call survives "
                        "--max-length (the CPU smoke run trains on the last tokens only)")
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--lora-alpha", type=int, default=32)
    p.add_argument("--load-in-4bit", action="store_true", help="QLoRA (needs bitsandbytes and a GPU)")
    p.add_argument("--full", action="store_true",
                   help="train every weight and save a whole model, not an adapter: only for the tiny "
                        "random models of the CPU smoke run, whose frozen random base LoRA cannot steer; "
                        "never for a real (or a 4-bit) checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--report-to", default="none")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.full and args.load_in_4bit:
        print("sft_warmstart: --full trains the base weights; it cannot be combined with --load-in-4bit", file=sys.stderr)
        return 2
    examples = load_examples(args.data, args.min_return)
    if not examples:
        print("sft_warmstart: no examples to train on", file=sys.stderr)
        return 2

    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    # Prompt and completion as GRPO's stream holds them; the loss is on the completion (the call).
    template = grpo_chat_template(tokenizer)
    pairs = [grpo_text(tokenizer, e["messages"], e["tools"], template) for e in examples]
    model_kwargs: Dict[str, Any] = {}
    if args.load_in_4bit:
        from transformers import BitsAndBytesConfig

        model_kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    model = AutoModelForCausalLM.from_pretrained(args.model, **model_kwargs)
    # TRL's SFTConfig asks for bf16 by default, which a CPU cannot do: fp32 there.
    import torch

    on_gpu = torch.cuda.is_available()
    config = SFTConfig(
        bf16=on_gpu,
        use_cpu=not on_gpu,
        output_dir=args.output_dir,
        num_train_epochs=args.epochs,
        learning_rate=args.learning_rate,
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        max_length=args.max_length,
        truncation_mode="keep_end" if args.keep_end else "keep_start",
        seed=args.seed,
        report_to=args.report_to,
        save_strategy="no",
    )
    peft_config = LoraConfig(
        r=args.lora_r, lora_alpha=args.lora_alpha, target_modules="all-linear", task_type="CAUSAL_LM"
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list([{"prompt": p, "completion": c} for p, c in pairs]),
        processing_class=tokenizer,
        peft_config=None if args.full else peft_config,
    )
    trainer.train()
    # a PeftModel saves its adapter only; --full saves the whole model with its tokenizer, which
    # train_*.py then take as --model (GRPO trains a fresh adapter on it)
    trainer.save_model(args.output_dir)
    if args.full:
        tokenizer.save_pretrained(args.output_dir)
    what = "model" if args.full else "adapter"
    print(f"sft_warmstart: {len(examples)} examples; {what} saved to {args.output_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
