#!/usr/bin/env python3
"""Renders the committed chat templates with jinja2 configured like Hugging Face
transformers' apply_chat_template and writes Tests/Fixtures/templates/expected.json.

Each case: template file, context (messages, add_generation_prompt, bos/eos, extras),
and either "expected" (rendered text) or "error" (raise_exception message).
Run: python3 scripts/gen_template_fixtures.py
"""
import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, "Tests", "Fixtures", "templates")


class RaisedError(Exception):
    pass


def make_env():
    def raise_exception(message):
        raise RaisedError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def msgs(*pairs):
    return [{"role": r, "content": c} for r, c in pairs]


CONVERSATIONS = {
    "system_user": msgs(("system", "You are a helpful assistant."), ("user", "Hello!")),
    "user_only": msgs(("user", "What is 2+2?")),
    "multi_turn": msgs(
        ("system", "Be brief."),
        ("user", "Hi there"),
        ("assistant", "  Hello! How can I help?  "),
        ("user", "Tell me a joke.\n"),
    ),
    "kazakh": msgs(("user", "Сәлем! Қалайсың?"), ("assistant", "Жақсы, рахмет!"), ("user", "Қазақша сөйлейсің бе?")),
    "user_assistant": msgs(("user", "Ping"), ("assistant", "Pong")),
}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather for a city, e.g. \"Алматы\"",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "City name"}, "days": {"type": "integer"}},
                "required": ["city"],
            },
        },
    }
]

TOOL_CONVERSATION = [
    {"role": "system", "content": "You can call tools."},
    {"role": "user", "content": "Weather in Almaty?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Алматы", "days": 2}}}
        ],
    },
    {"role": "tool", "content": "{\"temp\": 21.5}"},
]

# template file -> (bos, eos, extra context)
TEMPLATES = {
    "smollm2.jinja": ("", "<|im_end|>", {}),
    "gemma3.jinja": ("<bos>", "<eos>", {}),
    "google-gemma-2-2b-it.jinja": ("<bos>", "<eos>", {}),
    "meta-llama-Llama-3.1-8B-Instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>", {}),
    "meta-llama-Llama-3.2-3B-Instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>", {"date_string": "26 Jul 2024"}),
    "Qwen-Qwen2.5-7B-Instruct.jinja": ("", "<|im_end|>", {}),
    "Qwen-Qwen3-0.6B.jinja": ("", "<|im_end|>", {}),
    "Qwen-QwQ-32B.jinja": ("", "<|im_end|>", {}),
    "HuggingFaceTB-SmolLM3-3B.jinja": ("", "<|im_end|>", {}),
    "microsoft-Phi-3.5-mini-instruct.jinja": ("<s>", "<|endoftext|>", {}),
    "mistralai-Mistral-Nemo-Instruct-2407.jinja": ("<s>", "</s>", {}),
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", {}),
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja": ("<|begin_of_text|>", "<|im_end|>", {}),
    "moonshotai-Kimi-K2.jinja": ("", "<|im_end|>", {}),
    "deepseek-ai-DeepSeek-V3.1.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", {}),
    "google-gemma-4-31B-it.jinja": ("<bos>", "<eos>", {}),
    "CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>", {}),
}

# Extra per-template context variants (name -> extra variables merged into the context).
VARIANTS = {
    "Qwen-Qwen3-0.6B.jinja": {"no_think": {"enable_thinking": False}},
    "HuggingFaceTB-SmolLM3-3B.jinja": {"no_think": {"enable_thinking": False}},
}

TOOL_TEMPLATES = [
    "meta-llama-Llama-3.1-8B-Instruct.jinja",
    "Qwen-Qwen2.5-7B-Instruct.jinja",
    "Qwen-Qwen3-0.6B.jinja",
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja",
    "moonshotai-Kimi-K2.jinja",
    "google-gemma-4-31B-it.jinja",
]
# Templates that only work with tools (Hermes iterates over tools unconditionally).
TOOLS_ONLY = {"NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja"}


def main():
    env = make_env()
    cases = []

    def run(tname, cname, context):
        with open(os.path.join(DIR, tname), encoding="utf-8") as f:
            src = f.read()
        case = {"template": tname, "name": cname, "context": context}
        try:
            case["expected"] = env.from_string(src).render(**context)
        except RaisedError as e:
            case["error"] = str(e)
        except Exception as e:  # template bug in jinja2 too: record only the failure
            case["error"] = "!" + type(e).__name__
            print("jinja2 failure:", tname, cname, type(e).__name__, e)
        cases.append(case)

    for tname, (bos, eos, extra) in TEMPLATES.items():
        if tname in TOOLS_ONLY:
            continue
        variants = {"": {}}
        variants.update(VARIANTS.get(tname, {}))
        for vname, vextra in variants.items():
            for cname, messages in CONVERSATIONS.items():
                for agp in (False, True):
                    # Like HF: tools and documents are always passed (None when absent).
                    context = {"messages": messages, "tools": None, "documents": None,
                               "add_generation_prompt": agp, "bos_token": bos, "eos_token": eos}
                    context.update(extra)
                    context.update(vextra)
                    name = f"{cname}{'_' + vname if vname else ''}{'_gen' if agp else ''}"
                    run(tname, name, context)
    for tname in TOOL_TEMPLATES:
        bos, eos, extra = TEMPLATES[tname]
        context = {"messages": TOOL_CONVERSATION, "tools": TOOLS, "documents": None,
                   "add_generation_prompt": True, "bos_token": bos, "eos_token": eos}
        context.update(extra)
        run(tname, "tools", context)

    out = os.path.join(DIR, "expected.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
