#!/usr/bin/env python3
"""What constrained output costs per token: decode milliseconds per token of `aqyl serve`
for the same prompt with no constraint, `json_object`, and `json_schema` (the person
schema of scripts/json_schema_check.py), streamed through the official client.

    python3 scripts/bench_json_schema.py --aqyl .build/release/aqyl --model smollm2-135m [--runs 10]

Starts the server itself (one sequence at a time, 2 threads), runs the formats
alternately (so machine noise hits all three alike), greedy. Per request: (time of the
last content chunk - time of the first) / (completion tokens - 1), i.e. decode only,
no prefill. Prints medians and ratios to the unconstrained run.
"""

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openai

sys.path.insert(0, str(Path(__file__).resolve().parent))
from json_schema_check import SCHEMAS  # noqa: E402

PROMPT = "Describe a Kazakh person as JSON."
FORMATS = {
    "text": None,
    "json_object": {"type": "json_object"},
    "json_schema": {"type": "json_schema", "json_schema": {"name": "person", "schema": SCHEMAS["person"], "strict": True}},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one(client, model, fmt, max_tokens):
    kwargs = {"response_format": fmt} if fmt else {}
    first = last = None
    tokens = 0
    stream = client.chat.completions.create(model=model, temperature=0, max_tokens=max_tokens, stream=True,
                                            stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": PROMPT}], **kwargs)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
        if chunk.usage:
            tokens = chunk.usage.completion_tokens
    return (last - first) / max(tokens - 1, 1) * 1000, tokens


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--aqyl", default=".build/release/aqyl")
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    port = free_port()
    server = subprocess.Popen([args.aqyl, "serve", "-m", args.model, "--port", str(port), "--parallel", "1",
                               "-t", str(args.threads), "--data", f"/tmp/aqyl-bench-json-{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused")
        for fmt in FORMATS.values():  # warm-up
            one(client, args.model, fmt, args.max_tokens)
        results = {name: [] for name in FORMATS}
        for _ in range(args.runs):
            for name, fmt in FORMATS.items():
                results[name].append(one(client, args.model, fmt, args.max_tokens))
        base = statistics.median(ms for ms, _ in results["text"])
        out = {}
        for name, rows in results.items():
            med = statistics.median(ms for ms, _ in rows)
            out[name] = {"ms_per_token": round(med, 3), "tokens": statistics.median(t for _, t in rows),
                         "vs_text": round(med / base, 3), "cost_ms_per_token": round(med - base, 3)}
        print(json.dumps({"model": args.model, "runs": args.runs, "threads": args.threads, "results": out}, indent=1))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
