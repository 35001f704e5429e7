#!/usr/bin/env python3
"""Checks a running `aqyl serve` with the official `openai` Python client and
raw HTTP, as a real peer would use it. Exits non-zero on the first failure.

Usage: python3 scripts/openai_client_check.py --base-url http://127.0.0.1:8080 --model smollm2-135m
"""
import argparse
import asyncio
import json
import sys
import time
import urllib.request

import http.client
import openai
import urllib.parse


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def health(base):
    with urllib.request.urlopen(base + "/health") as r:
        return json.load(r)


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    base, model = args.base_url.rstrip("/"), args.model
    client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0)

    ids = [m.id for m in client.models.list().data]
    check(model in ids, f"models.list has {model}: {ids}")

    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    r = client.chat.completions.create(model=model, messages=msgs, max_tokens=24, temperature=0)
    text = r.choices[0].message.content
    check(bool(text) and r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0,
          f"chat: {text!r} usage={r.usage.prompt_tokens}/{r.usage.completion_tokens}")

    chunks = list(client.chat.completions.create(model=model, messages=msgs, max_tokens=24, temperature=0,
                                                 stream=True, stream_options={"include_usage": True}))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    check(streamed == text, "stream text equals the non-streamed text at temperature 0")
    check(len({c.id for c in chunks}) == 1, "one id across chunks")
    check(chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == r.usage.completion_tokens,
          "include_usage: final chunk has usage and no choices")
    finals = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    check(finals == [r.choices[0].finish_reason], f"finish_reason {finals}")

    r = client.chat.completions.create(model=model, messages=msgs, max_tokens=4, temperature=0, logprobs=True, top_logprobs=3)
    content = r.choices[0].logprobs.content
    check(len(content) == r.usage.completion_tokens and all(len(t.top_logprobs) == 3 for t in content),
          "chat logprobs + top_logprobs")

    r = client.chat.completions.create(model=model, max_tokens=120, temperature=0, response_format={"type": "json_object"},
                                       messages=[{"role": "user", "content": "Give a JSON object with keys name and city."}])
    out = r.choices[0].message.content
    if r.choices[0].finish_reason == "stop":
        check(isinstance(json.loads(out), dict), f"json_object output parses: {out!r}")
    else:
        check(out.lstrip().startswith("{"), f"json_object output starts an object (cut at length): {out!r}")

    tok = post(base + "/tokenize", {"prompt": "Question: 2+2=\nAnswer:", "add_special_tokens": True})["tokens"]
    r = client.completions.create(model=model, prompt=[tok], max_tokens=1, logprobs=1, echo=True, temperature=0, seed=1234)
    lp = r.choices[0].logprobs
    check(lp.token_logprobs[0] is None and len(lp.token_logprobs) == len(tok) + 1 and len(lp.top_logprobs) == len(tok) + 1,
          "completions echo+logprobs: first null, every prompt token + 1")
    with urllib.request.urlopen(base + "/tokenizer_info") as resp:
        info = json.load(resp)
    check("eos_token" in info, f"tokenizer_info {sorted(info)}")
    back = post(base + "/detokenize", {"tokens": tok})["prompt"]
    check(back.endswith("Question: 2+2=\nAnswer:"), "detokenize round trip")

    # Embeddings: the SDK asks for base64 by default and decodes it; an explicit float list agrees.
    e = client.embeddings.create(model=model, input=["Қазақстанның астанасы — Астана.", "hello"])
    v = e.data[0].embedding
    check(len(e.data) == 2 and [d.index for d in e.data] == [0, 1] and abs(sum(x * x for x in v) - 1) < 1e-3,
          f"embeddings: 2 unit vectors of {len(v)} dims, usage {e.usage.prompt_tokens} tokens")
    f = client.embeddings.create(model=model, input="Қазақстанның астанасы — Астана.", encoding_format="float")
    check(max(abs(a - b) for a, b in zip(f.data[0].embedding, v)) < 1e-6, "embeddings: float and base64 agree")
    try:
        client.embeddings.create(model=model, input="x", dimensions=7)
        check(False, "embeddings dimensions=7 → 400")
    except openai.BadRequestError as err:
        check("dimensions" in err.message, f"embeddings dimensions=7 → 400: {err.message[:90]}")

    # The Responses API (stateless): text and item input, instructions, streaming events.
    r = client.responses.create(model=model, input="Say hello in Kazakh.", instructions="Answer briefly.",
                                max_output_tokens=24, temperature=0)
    check(r.object == "response" and r.status in ("completed", "incomplete") and r.output_text
          and r.usage.output_tokens > 0 and r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens,
          f"responses.create: {r.status}, output_text {r.output_text[:40]!r}")
    again = client.responses.create(model=model, max_output_tokens=24, temperature=0, input=[
        {"role": "developer", "content": "Answer briefly."},
        {"role": "user", "content": [{"type": "input_text", "text": "Say hello in Kazakh."}]}])
    # Same prompt tokens (greedy text may still differ: the first request evaluates the whole
    # prompt, later ones reuse its cached prefix, and the fast kernels sum by row group).
    check(again.usage.input_tokens == r.usage.input_tokens and again.output_text,
          "responses: item input with a developer turn renders like instructions + text input")
    events = list(client.responses.create(model=model, input="Say hello in Kazakh.", instructions="Answer briefly.",
                                          max_output_tokens=24, temperature=0, stream=True))
    kinds = [e.type for e in events]
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    done = [e for e in events if e.type == "response.output_text.done"]
    check(kinds[:4] == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]
          and kinds[-1] in ("response.completed", "response.incomplete") and deltas and done and done[0].text == deltas
          and events[-1].response.output_text == deltas
          and [e.sequence_number for e in events] == list(range(len(events))),
          f"responses stream: {len(events)} events, deltas = the whole text, ends {kinds[-1]}")
    short = client.responses.create(model=model, input="Count from one to fifty.", max_output_tokens=3, temperature=0)
    check(short.status == "incomplete" and short.incomplete_details.reason == "max_output_tokens",
          "responses: max_output_tokens cut → incomplete")
    js = client.responses.create(model=model, input="A city as JSON.", max_output_tokens=80, temperature=0,
                                 text={"format": {"type": "json_schema", "name": "city", "strict": True, "schema": {
                                     "type": "object", "properties": {"name": {"type": "string", "maxLength": 20}},
                                     "required": ["name"], "additionalProperties": False}}})
    check(isinstance(json.loads(js.output_text).get("name"), str), f"responses json_schema: {js.output_text!r}")
    for kwargs, what in [(dict(previous_response_id="resp_x"), "previous_response_id → 400 (stateless)"),
                         (dict(tool_choice="required"), "tool_choice without tools → 400")]:
        try:
            client.responses.create(model=model, input="x", **kwargs)
            check(False, what)
        except openai.BadRequestError as err:
            check(bool(err.message), f"{what}: {err.message[:80]}")

    for kwargs, exc, what in [
        (dict(model="no-such-model"), openai.NotFoundError, "unknown model → 404"),
        (dict(model=model, temperature=5), openai.BadRequestError, "temperature 5 → 400"),
        (dict(model=model, n=2), openai.BadRequestError, "n=2 → 400"),
        (dict(model=model, max_tokens=10**7), openai.BadRequestError, "context overflow → 400"),
    ]:
        try:
            client.chat.completions.create(messages=msgs, **kwargs)
            check(False, what)
        except exc as e:
            check(bool(e.message), f"{what}: {e.message[:90]}")

    # Several conversations at once: all finish, and they overlap in time.
    async def concurrent(n):
        aclient = openai.AsyncOpenAI(base_url=base + "/v1", api_key="unused", max_retries=0)
        async def one(i):
            s = await aclient.chat.completions.create(model=model, max_tokens=32, temperature=0.7, seed=i, stream=True,
                                                       messages=[{"role": "user", "content": f"Tell me fact number {i}."}])
            return "".join([c.choices[0].delta.content or "" async for c in s if c.choices])
        t = time.time()
        texts = await asyncio.gather(*(one(i) for i in range(n)))
        return texts, time.time() - t
    texts, secs = asyncio.run(concurrent(4))
    check(all(texts), f"4 concurrent streams finished in {secs:.1f}s")

    # A client that disconnects mid-stream frees its sequence.
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/v1/chat/completions", headers={"Content-Type": "application/json"},
                 body=json.dumps({"model": model, "messages": msgs, "max_tokens": 400, "stream": True, "temperature": 1}))
    resp = conn.getresponse()
    for _ in range(6):
        resp.readline()
    check(health(base)["models"][model]["active"] == 1, "a stream in flight shows as active")
    conn.sock.close()
    conn.close()
    deadline = time.time() + 10
    while time.time() < deadline and health(base)["models"][model]["active"] != 0:
        time.sleep(0.1)
    check(health(base)["models"][model]["active"] == 0, "disconnect cancels the generation (active back to 0)")
    print("all checks passed")


if __name__ == "__main__":
    main()
