"""sft_env_render.py: a teacher episode re-rendered for the warm start equals, message for
message, the conversation TRL's GRPOTrainer builds when the same actions are taken in the env
(the role prompt with the first view appended, assistant tool calls, `tool` results); with
transformers and trl present, sft_warmstart's text is GRPO's token stream under Qwen3's template."""

import json
import os
import tempfile
import unittest
from typing import Any, Dict, List, Tuple

from helpers import ENV_URL, NO_SERVER

from seige_env import SeigeBlueEnv, role_prompt
from seige_ws import ws_url
from sft_env_render import env_call, env_tools, render_episode, teacher_episodes

SEED = 7
RESET = {"stage": 2, "max_ticks": 3}
EXPLANATION = {"threat_level": "high", "detection_method": "intent_probe", "recommended_action": "flag",
               "layer_implicated": None, "direction_match": None, "evidence_turns": [],
               "anomaly_score": 0.9}


def teacher_call(view: Dict[str, Any], i: int) -> Tuple[str, Dict[str, Any]]:
    """A fixed Blue teacher in the TypeScript tool vocabulary (explanation as an object)."""
    pending = view.get("pending") or []
    if not pending:
        return "monitor", {}
    sid = pending[0]["session_id"]
    if i % 3 == 0:
        return "probe", {"session_id": sid, "layer": 2}
    if i % 3 == 1:
        return "flag", {"session_id": sid, "explanation": EXPLANATION}
    return "monitor", {"session_id": sid}


def record_teacher(path: str) -> None:
    """Plays the teacher once and writes its decisions as `seige rollout --format sft` lines."""
    env = SeigeBlueEnv(url=ws_url(ENV_URL), opponent="scripted:steer")
    env.reset(seed=SEED, **RESET)
    rows: List[Dict[str, Any]] = []
    i = 0
    while not env.done:
        view = env.last_result["observation"]["blue"]
        name, args = teacher_call(view, i)
        call = {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        rows.append({"messages": [{"role": "assistant", "content": None, "tool_calls": [call]}],
                     "tools": [], "seed": SEED, "tick": view["tick"]})
        getattr(env, name)(**env_call(name, args, env))
        i += 1
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(dict(r, episode_return=round(env.episode_return, 6))) + "\n")
    env._session.close()


def trl_conversation(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What GRPOTrainer does with an env instance, step for step (trl 1.13 `_generate` and
    `_tool_call_loop`): reset(**row) appended to the prompt's last message, then per tool call
    the assistant message and `{"role": "tool", "name", "content": str(result)}`."""
    env = SeigeBlueEnv(url=ws_url(ENV_URL), opponent="scripted:steer")
    prompt = [{"role": "user", "content": role_prompt("blue")}]
    observation = env.reset(prompt=prompt, seed=SEED, **RESET)
    conversation = prompt[:-1] + [{**prompt[-1], "content": prompt[-1]["content"] + observation}]
    tools = {t.__name__: t for t in env_tools(env)}
    for row in rows:
        fn = row["messages"][-1]["tool_calls"][0]["function"]
        args = env_call(fn["name"], json.loads(fn["arguments"]), env)
        conversation.append({"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": fn["name"], "arguments": args}}]})
        conversation.append({"role": "tool", "name": fn["name"], "content": str(tools[fn["name"]](**args))})
    env._session.close()
    return conversation


@unittest.skipUnless(ENV_URL, NO_SERVER)
class SftEnvRenderTest(unittest.TestCase):
    rows: List[Dict[str, Any]]
    examples: List[Dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        # One teacher episode and its replay, shared by the tests (each costs a few seconds).
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "teacher.jsonl")
            record_teacher(path)
            [(seed, cls.rows)] = list(teacher_episodes(path))
        assert seed == SEED and len(cls.rows) >= 3, (seed, len(cls.rows))
        env = SeigeBlueEnv(url=ws_url(ENV_URL), opponent="scripted:steer")
        try:
            cls.examples = render_episode(env, "blue", SEED, cls.rows, RESET)
        finally:
            env._session.close()

    def test_messages_equal_the_grpo_conversation(self) -> None:
        trl = trl_conversation(self.rows)
        self.assertEqual(len(self.examples), len(self.rows))
        for k, e in enumerate(self.examples):
            # Decision k: the prompt, k earlier calls with their results, then the teacher's call.
            self.assertEqual(e["messages"], trl[: 2 * k + 2], f"decision {k}")
            self.assertEqual(e["tick"], self.rows[k]["tick"])
        self.assertTrue(trl[0]["content"].startswith(role_prompt("blue") + "[seige Blue | tick 0/3"))
        # anomaly_score has no env argument: dropped; the rest of the explanation is flat.
        flags = [m for m in trl if m["role"] == "assistant" and m["tool_calls"][0]["function"]["name"] == "flag"]
        self.assertTrue(flags)
        self.assertEqual(flags[0]["tool_calls"][0]["function"]["arguments"]["threat_level"], "high")
        self.assertNotIn("anomaly_score", flags[0]["tool_calls"][0]["function"]["arguments"])

    def test_a_diverging_replay_stops(self) -> None:
        env = SeigeBlueEnv(url=ws_url(ENV_URL), opponent="scripted:steer")
        self.addCleanup(env._session.close)
        with self.assertRaises(RuntimeError):
            render_episode(env, "blue", SEED, self.rows, {"stage": 2, "max_ticks": 2})
        rows = [dict(r, tick=r["tick"] + 1) for r in self.rows]
        with self.assertRaises(RuntimeError):
            render_episode(env, "blue", SEED, rows, RESET)

    def test_warmstart_text_is_the_grpo_stream(self) -> None:
        try:
            from tokenizers import Tokenizer, models, pre_tokenizers
            from transformers import PreTrainedTokenizerFast
            from trl.chat_template_utils import qwen3_chat_template
        except ImportError:
            self.skipTest("needs transformers and trl (training/requirements.txt)")
        from sft_env_render import tool_schemas
        from sft_warmstart import grpo_chat_template, grpo_text

        words = Tokenizer(models.WordLevel({"<|im_end|>": 0, "?": 1}, unk_token="?"))
        words.pre_tokenizer = pre_tokenizers.Whitespace()
        tok = PreTrainedTokenizerFast(tokenizer_object=words, eos_token="<|im_end|>", unk_token="?")
        tok.chat_template = qwen3_chat_template
        template = grpo_chat_template(tok)  # TRL's prefix-preserving Qwen3 training template
        env = SeigeBlueEnv(url=ws_url(ENV_URL), opponent="scripted:steer")
        self.addCleanup(env._session.close)
        schemas, methods = tool_schemas(env), env_tools(env)
        # The prompt of the first decision is TRL's prompt: rendered with the env's bound
        # methods as tools and the generation prompt.
        first = self.examples[0]["messages"]
        trl_prompt = tok.apply_chat_template(first[:1], tools=methods, tokenize=False,
                                             add_generation_prompt=True, chat_template=template)
        stream = ""
        for k, e in enumerate(self.examples):
            prompt, completion = grpo_text(tok, e["messages"], schemas, template)
            if k == 0:
                self.assertEqual(prompt, trl_prompt)
            else:
                # Decision k continues decision k-1's stream: its call, then the tool result.
                self.assertTrue(prompt.startswith(stream), f"decision {k}")
                result = e["messages"][-2]["content"]
                self.assertTrue(prompt.endswith(f"<tool_response>\n{result}\n</tool_response><|im_end|>\n"
                                                "<|im_start|>assistant\n"), f"decision {k}")
            name = e["messages"][-1]["tool_calls"][0]["function"]["name"]
            self.assertTrue(completion.startswith(f'<think>\n\n</think>\n\n<tool_call>\n{{"name": "{name}"'))
            self.assertTrue(completion.endswith("</tool_call><|im_end|>"))
            stream = prompt + completion

if __name__ == "__main__":
    unittest.main()
