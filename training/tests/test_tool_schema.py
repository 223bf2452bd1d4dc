"""Tool discovery as TRL 1.13 does it, without TRL: every public bound method of the env except
`reset` and `get_reward` is a tool, and transformers' `get_json_schema` must accept it (type
hints on every argument, a Google-style docstring whose `Args:` section describes each one,
only JSON-expressible types). A method that fails here would break the trainer at start-up.
"""

import inspect
import json
import re
import typing
import unittest

from helpers import BLUE_ACTIONS, RED_STRATEGIES

from seige_env import SeigeBlueEnv, SeigeRedEnv

# The same section regexes transformers uses (utils/chat_template_utils.py).
ARGS_RE = re.compile(r"\n\s*Args:\n\s*(.*?)[\n\s]*(Returns:|Raises:|\Z)", re.DOTALL)
ARG_SPLIT_RE = re.compile(r"(?:^|\n)\s*(\w+):\s*(.*?)\s*(?=\n\s*\w+:|\Z)", re.DOTALL)
CHOICES_RE = re.compile(r"\(choices:\s*(.*?)\)\s*$", re.IGNORECASE)


def json_type(hint: typing.Any) -> dict:
    """JSON Schema for a hint, accepting only what transformers' `_parse_type_hint` accepts in
    every 4.x/5.x version (so `X | None` is refused: old parsers only know `typing.Union`)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    basic = {int: "integer", float: "number", str: "string", bool: "boolean"}
    if origin is None:
        if hint not in basic:
            raise TypeError(f"unsupported type hint {hint!r}")
        return {"type": basic[hint]}
    if origin is typing.Union:
        inner = [json_type(a) for a in args if a is not type(None)]
        return inner[0] if len(inner) == 1 else {"anyOf": inner}
    if origin is list:
        if len(args) != 1:
            raise TypeError(f"list hints need one item type: {hint!r}")
        return {"type": "array", "items": json_type(args[0])}
    raise TypeError(f"unsupported type hint {hint!r}")


def tool_schema(method: typing.Callable) -> dict:
    doc = inspect.getdoc(method)
    if not doc:
        raise AssertionError(f"{method.__name__} has no docstring")
    hints = typing.get_type_hints(method)
    sig = inspect.signature(method)
    m = ARGS_RE.search("\n" + doc)
    if m is None:
        raise AssertionError(f"{method.__name__}'s docstring has no Args: section")
    described = {a: d for a, d in ARG_SPLIT_RE.findall(m.group(1).strip())}
    props = {}
    for name, param in sig.parameters.items():
        if param.annotation is inspect.Parameter.empty or name not in hints:
            raise AssertionError(f"{method.__name__}({name}) has no type hint")
        if name not in described:
            raise AssertionError(f"{method.__name__}: Args: does not describe {name!r}")
        schema = json_type(hints[name])
        c = CHOICES_RE.search(described[name])
        if c:
            schema["enum"] = json.loads(c.group(1))
        props[name] = schema
    if "return" not in hints:
        raise AssertionError(f"{method.__name__} has no return type hint")
    required = [n for n, p in sig.parameters.items() if p.default is inspect.Parameter.empty]
    return {"name": method.__name__, "properties": props, "required": required}


def tools_of(instance: object) -> dict:
    """What TRL exposes: `inspect.getmembers(..., ismethod)` minus reset, get_reward and `_*`."""
    return {
        name: member
        for name, member in inspect.getmembers(instance, predicate=inspect.ismethod)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


class ToolSchemaTest(unittest.TestCase):
    def setUp(self) -> None:
        # No server needed: constructing an env opens no connection.
        self.red = SeigeRedEnv(url="http://127.0.0.1:9")
        self.blue = SeigeBlueEnv(url="http://127.0.0.1:9")

    def test_red_tools_are_the_red_strategies_and_observe(self) -> None:
        self.assertEqual(sorted(tools_of(self.red)), sorted(RED_STRATEGIES + ["observe"]))

    def test_blue_tools_are_the_blue_action_types_and_observe(self) -> None:
        self.assertEqual(sorted(tools_of(self.blue)), sorted(BLUE_ACTIONS + ["observe"]))

    def test_every_tool_has_a_schema_transformers_accepts(self) -> None:
        for env in (self.red, self.blue):
            for name, method in tools_of(env).items():
                with self.subTest(role=type(env).__name__, tool=name):
                    schema = tool_schema(method)
                    self.assertEqual(schema["name"], name)

    def test_every_public_method_has_type_hints_and_an_args_docstring(self) -> None:
        for env in (self.red, self.blue):
            for name, method in inspect.getmembers(env, predicate=inspect.ismethod):
                if name.startswith("_"):
                    continue
                with self.subTest(role=type(env).__name__, method=name):
                    doc = inspect.getdoc(method) or ""
                    self.assertIn("Args:", doc)
                    hints = typing.get_type_hints(method)
                    self.assertIn("return", hints)
                    for pname, param in inspect.signature(method).parameters.items():
                        self.assertIn(pname, hints)
                        self.assertRegex(doc, rf"\n\s*{pname}:")

    def test_enumerated_arguments_list_the_game_vocabulary(self) -> None:
        flag = tool_schema(self.blue.flag)["properties"]
        self.assertEqual(flag["threat_level"]["enum"], ["none", "low", "medium", "high", "critical"])
        self.assertIn("intent_probe", flag["detection_method"]["enum"])
        steer = tool_schema(self.red.steering_vector)
        self.assertEqual(steer["required"], ["payload", "direction_label", "magnitude", "target_layer"])
        self.assertEqual(steer["properties"]["magnitude"], {"type": "number"})

    def test_the_checker_rejects_what_transformers_rejects(self) -> None:
        def untyped(self, x):  # noqa: ANN001 - the point of the test
            """Does a thing.

            Args:
                x: A thing.
            """

        def undocumented(self, x: int) -> str:
            """Does a thing."""
            return ""

        with self.assertRaises(AssertionError):
            tool_schema(untyped.__get__(self))
        with self.assertRaises(AssertionError):
            tool_schema(undocumented.__get__(self))
        with self.assertRaises(TypeError):
            json_type(dict)

    def test_get_reward_is_zero_before_any_episode_and_never_raises(self) -> None:
        self.assertEqual(self.red.get_reward(), 0.0)
        self.assertIsInstance(self.blue.get_reward(), float)


if __name__ == "__main__":
    unittest.main()
