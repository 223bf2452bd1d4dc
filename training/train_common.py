"""What `train_red.py` and `train_blue.py` share: flags, the seeded dataset, and the TRL run.

The flow is GRPO with TRL 1.13's `environment_factory`: a dataset whose rows carry a `seed`
(plus `stage`, `opponent`, `max_ticks`), each row repeated `num_generations` times by TRL so a
group of rollouts shares one episode; one `SeigeRedEnv`/`SeigeBlueEnv` instance per rollout
over its own WebSocket session; the env's own return as the only reward (`get_reward`); LoRA
adapters via PEFT, saved under `--output-dir`, never merged into the base.

TRL, transformers, peft and torch are imported only after the arguments are parsed, so
`--help` works on a machine without them. Nothing here logs to a tracker unless `--report-to`
names one.
"""

import argparse
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

from seige_env import role_env, role_prompt
from seige_ws import DEFAULT_ENV_URL, WsSession, ws_url

OPPONENT_KINDS = ("scripted:", "replay:", "llm:")
DEFAULT_OPPONENT = {"red": "scripted:probe-threshold", "blue": "scripted:steer"}


def build_parser(role: str) -> argparse.ArgumentParser:
    other = "Blue" if role == "red" else "Red"
    p = argparse.ArgumentParser(
        prog=f"train_{role}.py",
        description=(
            f"Train the {role.capitalize()} role of seige with TRL's GRPOTrainer against a frozen "
            f"{other} opponent inside the env. Needs a running `seige serve` and "
            "`pip install -r training/requirements.txt`."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--env-url", default=os.environ.get("SEIGE_ENV_URL") or DEFAULT_ENV_URL,
                   help="seige server: http(s)://host:port or ws(s)://host:port/ws (env SEIGE_ENV_URL)")
    p.add_argument("--model", default=os.environ.get("SEIGE_AGENT_MODEL_ID"),
                   help="policy model: a local directory or a hub id (env SEIGE_AGENT_MODEL_ID); "
                        "its chat template must support tool calling (e.g. Qwen3)")
    p.add_argument("--output-dir", default=f"runs/{role}",
                   help="where the LoRA adapter and checkpoints are saved")
    p.add_argument("--max-steps", type=int, default=10, help="optimizer steps")
    p.add_argument("--num-generations", type=int, default=4,
                   help="rollouts per group; a group shares one seed, hence one episode")
    p.add_argument("--opponent", default=DEFAULT_OPPONENT[role],
                   help="comma-separated opponent specs (scripted:<name>, replay:<file>, "
                        "llm:<url>#<model>); rows cycle through them, one per group")
    p.add_argument("--init-adapter", default=None,
                   help="continue from this LoRA adapter (e.g. training/sft_warmstart.py's output) "
                        "instead of a fresh one; --lora-r/--lora-alpha are then the adapter's own")
    p.add_argument("--lora-r", type=int, default=16, help="LoRA rank")
    p.add_argument("--lora-alpha", type=int, default=32, help="LoRA alpha")
    p.add_argument("--report-to", default="none", help="none, wandb, tensorboard, trackio, ...")
    p.add_argument("--stage", type=int, default=1, choices=[1, 2, 3], help="curriculum stage")
    p.add_argument("--max-ticks", type=int, default=4,
                   help="episode length; episodes must finish within the tool-call budget, since "
                        "hidden reward components are paid only at done")
    p.add_argument("--seed-start", type=int, default=0,
                   help="first training seed; keep held-out evaluation seeds outside the range")
    p.add_argument("--batch-size", type=int, default=None,
                   help="per-device train batch size (a multiple of --num-generations; "
                        "default --num-generations: one group per step)")
    p.add_argument("--gradient-accumulation-steps", type=int, default=1)
    p.add_argument("--learning-rate", type=float, default=1e-5)
    p.add_argument("--max-completion-length", type=int, default=1024,
                   help="tokens for the whole multi-turn completion, tool results included")
    p.add_argument("--max-tool-calling-iterations", type=int, default=None,
                   help="tool calls per rollout (default: enough to finish an episode)")
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--save-steps", type=int, default=50)
    p.add_argument("--seed", type=int, default=0, help="trainer seed (sampling, shuffling)")
    p.add_argument("--use-vllm", action="store_true", help="generate with vLLM (GPU, opt-in)")
    p.add_argument("--vllm-mode", default="colocate", choices=["colocate", "server"])
    p.add_argument("--bf16", action="store_true", help="train in bfloat16 (GPU, opt-in)")
    return p


def parse_args(role: str, argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = build_parser(role)
    args = p.parse_args(argv)
    if not args.model:
        p.error("--model (or SEIGE_AGENT_MODEL_ID) is required: a local model directory or a hub id")
    try:
        args.env_url = ws_url(args.env_url)
    except ValueError as e:
        p.error(str(e))
    args.opponents = [s.strip() for s in args.opponent.split(",") if s.strip()]
    for spec in args.opponents:
        if not spec.startswith(OPPONENT_KINDS):
            p.error(f"opponent {spec!r}: use scripted:<name>, replay:<file.jsonl> or llm:<url>#<model>")
    if args.num_generations < 2:
        p.error("--num-generations must be at least 2 (GRPO compares rollouts within a group)")
    if args.batch_size is None:
        args.batch_size = args.num_generations
    if (args.batch_size * args.gradient_accumulation_steps) % args.num_generations:
        p.error("--batch-size × --gradient-accumulation-steps must be a multiple of --num-generations")
    if args.max_tool_calling_iterations is None:
        # Red acts once per tick; Blue at least once (monitor) and up to blue_actions_per_tick.
        args.max_tool_calling_iterations = args.max_ticks + 2 if role == "red" else 3 * args.max_ticks
    return args


def dataset_rows(args: argparse.Namespace, role: str) -> List[Dict[str, Any]]:
    """One row per group: a distinct seed, the stage, an opponent (cycled) and the prompt."""
    per_step = args.batch_size * args.gradient_accumulation_steps // args.num_generations
    n = max(1, args.max_steps * per_step)
    prompt = [{"role": "user", "content": role_prompt(role)}]
    return [
        {
            "prompt": prompt,
            "seed": args.seed_start + i,
            "stage": args.stage,
            "max_ticks": args.max_ticks,
            "opponent": args.opponents[i % len(args.opponents)],
        }
        for i in range(n)
    ]


def check_env(args: argparse.Namespace, role: str) -> None:
    """One reset per opponent before loading any model, so a wrong URL or spec fails in seconds."""
    session = WsSession(args.env_url, timeout_s=60)
    try:
        for spec in args.opponents:
            session.reset({"seed": args.seed_start, "role": role, "opponent": spec,
                           "stage": args.stage, "max_ticks": args.max_ticks})
    finally:
        session.close()


def train(role: str, argv: Optional[List[str]] = None) -> int:
    args = parse_args(role, argv)
    # The env classes are built by TRL with no arguments: they read the URL from here.
    os.environ["SEIGE_ENV_URL"] = args.env_url
    if os.path.isdir(args.model):
        # A local model needs no hub; these must be set before transformers is imported.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        check_env(args, role)
    except Exception as e:  # noqa: BLE001 - report any env failure plainly, before the heavy imports
        print(f"train_{role}: the seige env is not usable: {e}", file=sys.stderr)
        return 2

    from datasets import Dataset
    from peft import LoraConfig
    from trl import GRPOConfig, GRPOTrainer

    config_kwargs: Dict[str, Any] = dict(
        output_dir=args.output_dir,
        max_steps=args.max_steps,
        num_generations=args.num_generations,
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        learning_rate=args.learning_rate,
        temperature=args.temperature,
        max_completion_length=args.max_completion_length,
        max_tool_calling_iterations=args.max_tool_calling_iterations,
        logging_steps=1,
        save_strategy="steps",
        save_steps=args.save_steps,
        report_to=args.report_to,
        seed=args.seed,
        bf16=args.bf16,
        use_vllm=args.use_vllm,
    )
    if args.use_vllm:
        config_kwargs["vllm_mode"] = args.vllm_mode
    if args.bf16:
        config_kwargs["model_init_kwargs"] = {"dtype": "bfloat16"}
    config = GRPOConfig(**config_kwargs)
    peft_config = LoraConfig(
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=0.0,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    model: Any = args.model
    if args.init_adapter:
        # The warm-started adapter is trained on, not merged: the base stays as it is.
        from peft import PeftModel
        from transformers import AutoModelForCausalLM

        base = AutoModelForCausalLM.from_pretrained(args.model, **config_kwargs.get("model_init_kwargs", {}))
        model = PeftModel.from_pretrained(base, args.init_adapter, is_trainable=True)
        peft_config = None
    trainer = GRPOTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(dataset_rows(args, role)),
        peft_config=peft_config,
        # finish=True: a rollout that stops calling tools early is played out with the
        # role's passive default before it is scored, so quitting never dodges a penalty.
        environment_factory=role_env(role, finish=True),
    )
    started = time.time()
    trainer.train()
    # A PEFT model saves its adapter only (adapter_config.json + adapter_model.safetensors).
    trainer.save_model(args.output_dir)
    meta = {
        "role": role,
        "model": args.model,
        "opponents": args.opponents,
        "stage": args.stage,
        "max_ticks": args.max_ticks,
        "seeds": [args.seed_start, args.seed_start + len(dataset_rows(args, role)) - 1],
        "max_steps": args.max_steps,
        "num_generations": args.num_generations,
        "lora_r": args.lora_r,
        "lora_alpha": args.lora_alpha,
        "init_adapter": args.init_adapter,
        "seconds": round(time.time() - started, 1),
    }
    with open(os.path.join(args.output_dir, "seige_run.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    print(f"train_{role}: adapter saved in {args.output_dir}")
    return 0
