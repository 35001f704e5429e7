#!/usr/bin/env python3
"""Structured outputs, checked from outside: the official `openai` client asks a running
`aqyl serve` for `response_format: json_schema` answers, and the independent validator
`jsonschema` (Draft 2020-12) checks every one.

    python3 scripts/json_schema_check.py --base-url http://127.0.0.1:8080/v1 --model smollm2-135m [--samples 20]

For each schema in SCHEMAS: N samples at temperature 1 (concurrently), each must finish
with finish_reason "stop" and validate. Then `client.chat.completions.parse` with a
Pydantic model (the SDK's own strict json_schema path), and a schema with an unsupported
keyword, which must be a 400 naming it. Prints one JSON summary; exits 1 on any failure.
"""

import argparse
import concurrent.futures as futures
import json
import sys
import time

import jsonschema
import openai
from pydantic import BaseModel

SCHEMAS = {
    "person": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 24},
            "age": {"type": "integer"},
            "languages": {"type": "array", "items": {"enum": ["kk", "ru", "en"]}, "minItems": 1, "maxItems": 3},
            "city": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/city"}]},
        },
        "required": ["name", "age", "languages", "city"],
        "additionalProperties": False,
        "$defs": {"city": {"type": "string", "enum": ["Алматы", "Астана", "Шымкент"]}},
    },
    "topics": {
        "$ref": "#/$defs/topic",
        "$defs": {
            "topic": {
                "type": "object",
                "properties": {"label": {"type": "string", "maxLength": 16},
                               "subtopics": {"type": "array", "items": {"$ref": "#/$defs/leaf"}, "maxItems": 3}},
                "required": ["label", "subtopics"],
                "additionalProperties": False,
            },
            "leaf": {
                "type": "object",
                "properties": {"label": {"type": "string", "maxLength": 16}, "done": {"type": "boolean"}},
                "required": ["label", "done"],
                "additionalProperties": False,
            },
        },
    },
    "quiz": {
        "type": "array",
        "items": {"type": "object",
                  "properties": {"q": {"type": "string", "maxLength": 40}, "a": {"type": "boolean"}},
                  "required": ["q", "a"], "additionalProperties": False},
        "minItems": 2, "maxItems": 3,
    },
    "reading": {
        "type": "object",
        "properties": {
            "version": {"const": 1},
            "score": {"type": "number"},
            "note": {"type": ["string", "null"], "maxLength": 20},
            "unit": {"enum": ["celsius", "fahrenheit"]},
            "extra": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"],
                      "additionalProperties": False},
        },
        "required": ["version", "score", "note", "unit", "extra"],
        "additionalProperties": False,
    },
}

PROMPTS = {
    "person": "Describe a Kazakh person as JSON.",
    "topics": "List a topic and its subtopics as JSON.",
    "quiz": "Write a short true/false quiz about Kazakhstan as JSON.",
    "reading": "Report a weather reading as JSON.",
}


class Weather(BaseModel):
    city: str
    celsius: float
    windy: bool


def sample(client, model, name, schema, seed, max_tokens):
    start = time.time()
    r = client.chat.completions.create(
        model=model, temperature=1, seed=seed, max_tokens=max_tokens,
        messages=[{"role": "user", "content": PROMPTS[name]}],
        response_format={"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}})
    choice = r.choices[0]
    return choice.message.content, choice.finish_reason, r.usage.completion_tokens, time.time() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--max-tokens", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=4)
    args = p.parse_args()
    base = args.base_url.rstrip("/")
    client = openai.OpenAI(base_url=base if base.endswith("/v1") else base + "/v1", api_key="unused", timeout=600, max_retries=0)
    failures = []
    summary = {"schemas": {}}
    for name, schema in SCHEMAS.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        with futures.ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda s: sample(client, args.model, name, schema, s, args.max_tokens),
                                    range(1, args.samples + 1)))
        valid = 0
        for i, (text, finish, tokens, _) in enumerate(results):
            try:
                value = json.loads(text)
                validator.validate(value)
                if finish != "stop":
                    raise ValueError(f"finish_reason {finish}")
                valid += 1
            except Exception as e:  # noqa: BLE001 - every failure is reported with its text
                failures.append({"schema": name, "sample": i + 1, "error": str(e)[:300], "text": text[:500]})
        summary["schemas"][name] = {"samples": len(results), "valid": valid,
                                    "distinct": len({t for t, *_ in results}),
                                    "mean_tokens": sum(r[2] for r in results) / len(results),
                                    "example": results[0][0][:200]}

    parsed = client.chat.completions.parse(
        model=args.model, temperature=0, max_tokens=args.max_tokens, response_format=Weather,
        messages=[{"role": "user", "content": "The weather in Astana as JSON."}])
    weather = parsed.choices[0].message.parsed
    summary["parse"] = weather.model_dump() if weather else None
    if not isinstance(weather, Weather):
        failures.append({"schema": "pydantic Weather", "error": "parse() returned no Weather"})

    try:
        client.chat.completions.create(
            model=args.model, max_tokens=8, messages=[{"role": "user", "content": "x"}],
            response_format={"type": "json_schema", "json_schema": {"name": "bad", "schema": {
                "type": "object", "properties": {"d": {"type": "string", "pattern": "^[0-9]+$"}}}}})
        failures.append({"schema": "pattern", "error": "an unsupported keyword was accepted"})
    except openai.BadRequestError as e:
        summary["unsupported"] = {"status": e.status_code, "param": e.body.get("param") if isinstance(e.body, dict) else None}
        if "pattern" not in str(e):
            failures.append({"schema": "pattern", "error": f"the 400 does not name the keyword: {e}"})

    summary["failures"] = failures
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
