#!/usr/bin/env python3
"""Concurrent serving benchmark: N clients stream chat completions at once.

Starts each server command in turn, waits for /health, then runs --clients
concurrent clients, each sending --requests streamed chat requests (max_tokens
--max-tokens, temperature 0). Prints aggregate generated tokens/s (completion
tokens from `usage` over wall time), median time to first token and median
inter-token gap, per server. Same prompts, same machine, same run.

Usage:
  python3 scripts/serve_bench.py --model smollm2-135m \
      --server "aqyl-p1=.build/release/aqyl serve --port {port} --parallel 1 --threads 2" \
      --server "aqyl-p4=.build/release/aqyl serve --port {port} --parallel 4 --threads 2" \
      --server "llama-server-np4=BIN/llama-server -m MODEL.gguf --port {port} -np 4 -c 16384 -t 2"
"""
import argparse
import http.client
import json
import shlex
import statistics
import subprocess
import threading
import time
import urllib.request

PROMPTS = [
    "Write a short story about a fox in the steppe.",
    "Explain how a rainbow forms.",
    "List ten facts about Kazakhstan.",
    "Describe the city of Almaty.",
    "Why is the sky blue? Explain in detail.",
    "Write a poem about mountains.",
    "How do computers store numbers?",
    "Tell me about the history of the Silk Road.",
]


def wait_ready(port, timeout=120):
    t = time.time()
    while time.time() - t < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server on {port} did not become ready")


def one_request(port, model, prompt, max_tokens, out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
            "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    t0 = time.time()
    conn.request("POST", "/v1/chat/completions", body=json.dumps(body), headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    first, last, gaps, tokens = None, None, [], 0
    while True:
        line = resp.readline()
        if not line:
            break
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        if chunk.get("usage"):
            tokens = chunk["usage"]["completion_tokens"]
        if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
            now = time.time()
            if first is None:
                first = now - t0
            else:
                gaps.append(now - last)
            last = now
    out.append({"ttft": first or 0, "gaps": gaps, "tokens": tokens})


def bench(port, model, clients, requests, max_tokens):
    results = []
    lock = threading.Lock()

    def client(i):
        for r in range(requests):
            local = []
            one_request(port, model, PROMPTS[(i * requests + r) % len(PROMPTS)], max_tokens, local)
            with lock:
                results.extend(local)

    # Warm-up (page in weights), not measured.
    one_request(port, model, "Hi", 8, [])
    t = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.time() - t
    tokens = sum(r["tokens"] for r in results)
    gaps = [g for r in results for g in r["gaps"]]
    return {"tokens": tokens, "wall_s": wall, "tokens_per_s": tokens / wall,
            "ttft_median_s": statistics.median(r["ttft"] for r in results),
            "itl_median_ms": 1000 * statistics.median(gaps) if gaps else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="model id in requests")
    ap.add_argument("--server", action="append", required=True, help="NAME=COMMAND with {port}")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--port", type=int, default=18555)
    args = ap.parse_args()
    rows = []
    for spec in args.server:
        name, cmd = spec.split("=", 1)
        proc = subprocess.Popen(shlex.split(cmd.format(port=args.port)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(args.port)
            r = bench(args.port, args.model, args.clients, args.requests, args.max_tokens)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        rows.append((name, r))
        print(f"{name}: {r['tokens']} tokens in {r['wall_s']:.1f}s = {r['tokens_per_s']:.1f} tok/s aggregate, "
              f"TTFT median {r['ttft_median_s']:.2f}s, inter-token median {r['itl_median_ms']:.1f} ms", flush=True)
    print(json.dumps({n: r for n, r in rows}, indent=1))


if __name__ == "__main__":
    main()
