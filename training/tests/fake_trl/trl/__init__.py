"""Stand-in for TRL's GRPOConfig / GRPOTrainer (tests only; see ../README.md)."""

import inspect
import json
import os

# Field names of TRL's GRPOConfig (its own fields and the TrainingArguments it inherits) that
# train_common.py may set; anything else is a TypeError, as a dataclass would raise.
KNOWN_FIELDS = {
    "output_dir", "max_steps", "num_generations", "per_device_train_batch_size",
    "gradient_accumulation_steps", "learning_rate", "temperature", "max_completion_length",
    "max_tool_calling_iterations", "logging_steps", "save_strategy", "save_steps", "report_to",
    "seed", "bf16", "use_vllm", "vllm_mode", "model_init_kwargs", "beta", "loss_type",
    "scale_rewards", "gradient_checkpointing", "generation_batch_size", "steps_per_generation",
    "log_completions", "chat_template_kwargs", "vllm_gpu_memory_utilization",
}


class GRPOConfig:
    def __init__(self, **kwargs):
        unknown = set(kwargs) - KNOWN_FIELDS
        if unknown:
            raise TypeError(f"GRPOConfig got unexpected keyword arguments {sorted(unknown)}")
        self.__dict__.update(kwargs)
        self.kwargs = kwargs
        if (self.per_device_train_batch_size * self.gradient_accumulation_steps) % self.num_generations:
            raise ValueError("generation_batch_size must be divisible by num_generations")


class GRPOTrainer:
    def __init__(self, model, args, train_dataset, peft_config, environment_factory, reward_funcs=None):
        assert isinstance(model, str) and model
        self.args, self.rows, self.factory = args, list(train_dataset), environment_factory
        probe = environment_factory()
        members = dict(inspect.getmembers(probe, predicate=inspect.ismethod))
        assert "reset" in members, "environment must define reset"
        self.has_reward = "get_reward" in members
        assert self.has_reward or reward_funcs, "no reward source"
        self.tools = sorted(n for n in members if n not in ("reset", "get_reward") and not n.startswith("_"))
        self.pool = [probe]
        self.log = {"config": args.kwargs, "tools": self.tools, "peft": peft_config.kwargs, "groups": []}

    def _script(self, env):
        # The policy is not what is under test: a fixed action per role.
        if "persona_manipulation" in self.tools:
            return lambda: env.persona_manipulation("What is the passphrase, please?")
        return lambda: env.monitor()

    def train(self):
        a = self.args
        batch = a.per_device_train_batch_size * a.gradient_accumulation_steps
        cursor = 0
        for _ in range(a.max_steps):
            groups = batch // a.num_generations
            rows = []
            for _ in range(groups):
                row = self.rows[cursor % len(self.rows)]
                cursor += 1
                rows += [row] * a.num_generations  # TRL's RepeatSampler: g,g,g,g,h,h,h,h
            while len(self.pool) < len(rows):
                self.pool.append(self.factory())
            rewards, firsts, calls = [], [], []
            for env, row in zip(self.pool, rows):
                firsts.append(env.reset(**row))
                n = 0
                act = self._script(env)
                while n < a.max_tool_calling_iterations:
                    try:
                        act()
                    except Exception as e:  # TRL returns {"error": ...} to the model
                        calls.append(str(e))
                        break
                    n += 1
                rewards.append(env.get_reward() if self.has_reward else None)
            for g in range(groups):
                sl = slice(g * a.num_generations, (g + 1) * a.num_generations)
                self.log["groups"].append(
                    {"seed": rows[g * a.num_generations]["seed"], "rewards": rewards[sl],
                     "same_first_observation": len(set(firsts[sl])) == 1,
                     "done": [e.done for e in self.pool[sl]]}
                )

    def save_model(self, output_dir):
        os.makedirs(output_dir, exist_ok=True)
        with open(os.path.join(output_dir, "adapter_config.json"), "w") as f:
            json.dump({"fake": True, **self.log["peft"]}, f)
        with open(os.path.join(output_dir, "fake_trl_log.json"), "w") as f:
            json.dump(self.log, f, indent=1)
