#!/usr/bin/env python3
"""Tool calling, checked from outside with the official `openai` client against a
running `aqyl serve` (one model with a tools-aware template, one without):

    python3 scripts/openai_tools_check.py --base-url http://127.0.0.1:8080 \\
        --model qwen2.5-coder-0.5b --tiny smollm2-135m

1. A two-turn round trip on MODEL (non-streamed, then streamed): the forced call comes
   back as `tool_calls` with `finish_reason: tool_calls`; the tool's answer goes back as a
   `tool` message and the model answers.
2. `tool_choice` forcing a function on TINY (no tool support in its template): 10 sampled
   calls at temperature 1, every `arguments` valid under the function's JSON Schema
   (checked with `jsonschema`), streamed deltas reassembled the same way.
3. `parallel_tool_calls: false` gives one call; `tool_choice: none` gives none; bad tool
   requests are 400s.
Prints `ok:` lines; exits 1 on the first failure.
"""

import argparse
import json
import sys

import jsonschema
import openai

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "maxLength": 40},
        "unit": {"enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"}},
        "required": ["city", "unit"], "additionalProperties": False}}}
CONVERT = {"type": "function", "function": {
    "name": "convert_currency", "description": "Convert an amount between currencies",
    "parameters": {"type": "object", "properties": {
        "amount": {"type": "number"}, "from": {"enum": ["KZT", "USD", "RUB"]}, "to": {"enum": ["KZT", "USD", "RUB"]},
        "note": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 30}]}},
        "required": ["amount", "from", "to", "note"], "additionalProperties": False}}}


def check(ok, what):
    if not ok:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def assemble(stream):
    """Tool calls and content from streamed deltas, as SDK users reassemble them."""
    calls, content, finish = {}, "", None
    for chunk in stream:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        delta = choice.delta
        content += delta.content or ""
        for t in delta.tool_calls or []:
            entry = calls.setdefault(t.index, {"id": None, "name": "", "arguments": ""})
            entry["id"] = t.id or entry["id"]
            entry["name"] += (t.function.name or "") if t.function else ""
            entry["arguments"] += (t.function.arguments or "") if t.function else ""
        finish = choice.finish_reason or finish
    return [calls[i] for i in sorted(calls)], content, finish


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--tiny", required=True)
    args = p.parse_args()
    base = args.base_url.rstrip("/")
    client = openai.OpenAI(base_url=base if base.endswith("/v1") else base + "/v1", api_key="unused", max_retries=0, timeout=600)
    weather_schema = jsonschema.Draft202012Validator(WEATHER["function"]["parameters"])

    # 1. Round trip, non-streamed then streamed.
    question = [{"role": "user", "content": "What is the weather in Almaty today?"}]
    r = client.chat.completions.create(model=args.model, messages=question, tools=[WEATHER, CONVERT], tool_choice="required",
                                       temperature=0, max_tokens=120)
    choice = r.choices[0]
    calls = choice.message.tool_calls or []
    check(choice.finish_reason == "tool_calls" and calls and calls[0].function.name in ("get_weather", "convert_currency")
          and calls[0].id.startswith("call_"), f"required call: {[(c.function.name, c.function.arguments) for c in calls]}")
    call = calls[0]
    history = question + [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}]},
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature": 21, "unit": "celsius", "sky": "clear"})},
    ]
    r2 = client.chat.completions.create(model=args.model, messages=history, tools=[WEATHER, CONVERT], temperature=0, max_tokens=60)
    answer = r2.choices[0]
    check(answer.finish_reason in ("stop", "length", "tool_calls") and (answer.message.content or answer.message.tool_calls),
          f"second turn with the tool result: {answer.finish_reason} {(answer.message.content or '')[:60]!r}")
    scalls, scontent, sfinish = assemble(client.chat.completions.create(
        model=args.model, messages=question, tools=[WEATHER, CONVERT], tool_choice="required", temperature=0, max_tokens=120, stream=True))
    check(sfinish == "tool_calls" and [(c["name"], json.loads(c["arguments"])) for c in scalls]
          == [(c.function.name, json.loads(c.function.arguments)) for c in calls] and all(c["id"] for c in scalls),
          "streamed: the same calls as deltas (index, id, name, arguments), finish_reason tool_calls")
    s2calls, s2content, s2finish = assemble(client.chat.completions.create(
        model=args.model, messages=history, tools=[WEATHER, CONVERT], temperature=0, max_tokens=60, stream=True))
    check(s2finish in ("stop", "length", "tool_calls") and (s2content or s2calls), f"streamed second turn: {s2finish}")

    # 2. Forced function on a tiny model without tool support: schema-valid arguments.
    forced = {"type": "function", "function": {"name": "get_weather"}}
    for i in range(10):
        r = client.chat.completions.create(model=args.tiny, messages=question, tools=[WEATHER, CONVERT], tool_choice=forced,
                                           temperature=1, seed=i, max_tokens=120)
        calls = r.choices[0].message.tool_calls or []
        check(r.choices[0].finish_reason == "tool_calls" and calls and all(c.function.name == "get_weather" for c in calls),
              f"tiny, sample {i}: {len(calls)} get_weather call(s)")
        for c in calls:
            weather_schema.validate(json.loads(c.function.arguments))
    check(True, "tiny: every forced call's arguments validate against the schema (jsonschema)")
    tcalls, _, tfinish = assemble(client.chat.completions.create(
        model=args.tiny, messages=question, tools=[WEATHER, CONVERT], tool_choice=forced, temperature=1, seed=99,
        max_tokens=120, stream=True))
    for c in tcalls:
        weather_schema.validate(json.loads(c["arguments"]))
    check(tfinish == "tool_calls" and tcalls, "tiny, streamed: reassembled calls validate")
    r = client.chat.completions.create(model=args.tiny, messages=[{"role": "user", "content": "Convert 100 dollars to tenge."}],
                                       tools=[WEATHER, CONVERT], tool_choice={"type": "function", "function": {"name": "convert_currency"}},
                                       temperature=1, seed=7, max_tokens=120)
    for c in r.choices[0].message.tool_calls:
        jsonschema.validate(json.loads(c.function.arguments), CONVERT["function"]["parameters"])
    check(True, "tiny: convert_currency (number, enums, anyOf with null) validates")

    # 3. parallel_tool_calls, none, refusals.
    r = client.chat.completions.create(model=args.tiny, messages=question, tools=[WEATHER], tool_choice="required",
                                       parallel_tool_calls=False, temperature=1, seed=3, max_tokens=120)
    check(len(r.choices[0].message.tool_calls or []) == 1, "parallel_tool_calls false → one call")
    r = client.chat.completions.create(model=args.model, messages=question, tools=[WEATHER], tool_choice="none",
                                       temperature=0, max_tokens=20)
    check(not r.choices[0].message.tool_calls and r.choices[0].finish_reason != "tool_calls", "tool_choice none → no calls")
    for kwargs, what in [
        (dict(tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "nope"}}), "tool_choice naming an unknown function"),
        (dict(tool_choice="required"), "tool_choice without tools"),
        (dict(tools=[{"type": "function", "function": {"name": "bad name!"}}]), "an invalid function name"),
        (dict(tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"x": {"type": "string", "pattern": "a"}}}}}]),
         "an unsupported schema keyword in parameters"),
        (dict(messages=question + [{"role": "tool", "content": "1"}]), "a tool message without tool_call_id"),
    ]:
        try:
            client.chat.completions.create(model=args.model, **({"messages": question} | kwargs), max_tokens=8)
            check(False, what + " → 400")
        except openai.BadRequestError as e:
            check(bool(e.message), f"{what} → 400: {e.message[:80]}")
    # 4. The Responses API, same machinery: flat tools, function_call items, a round trip.
    flat = {"type": "function", **WEATHER["function"]}
    r = client.responses.create(model=args.tiny, input="What is the weather in Almaty today?", tools=[flat],
                                tool_choice={"type": "function", "name": "get_weather"}, temperature=1, max_output_tokens=120)
    calls = [o for o in r.output if o.type == "function_call"]
    check(r.status == "completed" and len(calls) == 1 and calls[0].name == "get_weather" and calls[0].call_id.startswith("call_"),
          f"responses: a forced function_call item {calls[0].arguments if calls else None}")
    weather_schema.validate(json.loads(calls[0].arguments))
    follow = client.responses.create(model=args.model, tools=[flat], temperature=0, max_output_tokens=40, input=[
        {"role": "user", "content": "What is the weather in Almaty today?"},
        {"type": "function_call", "call_id": calls[0].call_id, "name": "get_weather", "arguments": calls[0].arguments},
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": json.dumps({"temperature": 21})}])
    check(follow.status in ("completed", "incomplete") and follow.output, "responses: function_call + function_call_output round trip")
    events = list(client.responses.create(model=args.tiny, input="Weather in Astana?", tools=[flat], tool_choice="required",
                                          parallel_tool_calls=False, temperature=1, max_output_tokens=120, stream=True))
    kinds = [e.type for e in events]
    done = [e for e in events if e.type == "response.function_call_arguments.done"]
    check("response.function_call_arguments.delta" in kinds and done and kinds[-1] == "response.completed"
          and [o.type for o in events[-1].response.output].count("function_call") == len(done),
          f"responses stream: {len(done)} function call(s) with argument events, then response.completed")
    for d in done:
        weather_schema.validate(json.loads(d.arguments))
    try:
        client.responses.create(model=args.tiny, input=[{"type": "function_call_output", "call_id": "nope", "output": "1"}])
        check(False, "responses: an output for an unknown call → 400")
    except openai.BadRequestError as e:
        check(True, f"responses: an output for an unknown call → 400: {e.message[:70]}")
    print("all tool checks passed")


if __name__ == "__main__":
    main()
