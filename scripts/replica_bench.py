#!/usr/bin/env python3
"""Gateway throughput through 1 and 2 `aqyl serve` replicas on one PostgreSQL database.

A fast stub upstream answers every chat completion at once, so what is measured is the
gateway: the API key looked up in PostgreSQL, the shared rate limit (one statement per
request), and the forwarding. Load comes from wrk (Debian package `wrk`), one wrk per
replica, over keep-alive connections. Prints requests/s and latency for each case.

    python3 scripts/replica_bench.py --database postgres://aqyl:aqyl-test@127.0.0.1:54329/aqyl_bench

The database should be empty or used only for benchmarks (a key is created in it).
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AQYL = os.path.join(ROOT, ".build", "release", "aqyl")
if not os.path.exists(AQYL):
    AQYL = os.path.join(ROOT, ".build", "debug", "aqyl")

COMPLETION = json.dumps({
    "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": "stub",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Сәлем!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}).encode()


class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(COMPLETION)))
        self.end_headers()
        self.wfile.write(COMPLETION)

    def do_GET(self):
        body = b'{"object":"list","data":[{"id":"stub","object":"model"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{base} did not start")


def wrk(base, key, seconds, connections, threads):
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    body = json.dumps({"model": "stub", "messages": [{"role": "user", "content": "Сәлем"}], "max_tokens": 8})
    lua.write('wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n'
              'wrk.headers["Authorization"] = "Bearer %s"\n' % (json.dumps(body), key))
    lua.close()
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                          "-s", lua.name, base + "/v1/chat/completions"], capture_output=True, text=True).stdout
    os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def ms(label):
        m = re.search(label + r"\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, ms("50%"), ms("99%"), int(non2xx.group(1)) if non2xx else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16, help="keep-alive connections in all")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    stub = ThreadingHTTPServer(("127.0.0.1", free_port()), Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    upstream = f"http://127.0.0.1:{stub.server_address[1]}"

    root = tempfile.mkdtemp(prefix="aqyl-replica-bench-")
    secrets = {name: os.urandom(32) for name in ("pseudonym", "identity", "signing")}
    log_key = os.path.join(root, "signing.key")
    open(log_key, "wb").write(secrets["signing"])
    created = subprocess.run([AQYL, "keys", "create", "--database", args.database, "--name", "bench",
                              "--rate-limit", "1000000"], capture_output=True, text=True)
    if created.returncode != 0:
        raise SystemExit(created.stderr)
    key = created.stdout.strip().splitlines()[0]

    servers = []
    try:
        for i in range(2):
            data = os.path.join(root, f"r{i}")
            os.makedirs(os.path.join(data, "ledger"))
            open(os.path.join(data, "ledger", "pseudonym.key"), "wb").write(secrets["pseudonym"])
            open(os.path.join(data, "web-identity.key"), "wb").write(secrets["identity"])
            port = free_port()
            p = subprocess.Popen([AQYL, "serve", "--upstream", f"stub={upstream}", "--database", args.database,
                                  "--log-key", log_key, "--api-key-required", "--port", str(port), "--data", data],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            servers.append((p, f"http://127.0.0.1:{port}"))
        for _, base in servers:
            wait_ready(base)
        print(f"aqyl: {AQYL}; {os.cpu_count()} cores; upstream: stub; {args.connections} connections; {args.seconds} s each")
        for replicas in (1, 2):
            results = [None] * replicas
            def load(i):
                results[i] = wrk(servers[i][1], key, args.seconds, max(1, args.connections // replicas), 1)
            threads = [threading.Thread(target=load, args=(i,)) for i in range(replicas)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            rps = sum(r[0] for r in results)
            p50 = max(r[1] for r in results)
            p99 = max(r[2] for r in results)
            errors = sum(r[3] for r in results)
            print(f"chat through {replicas} replica{'s' if replicas > 1 else ''}: {rps:.0f} requests/s; "
                  f"latency p50 {p50:.2f} ms, p99 {p99:.2f} ms; non-2xx {errors}")
    finally:
        for p, _ in servers:
            p.terminate()
        for p, _ in servers:
            p.wait(timeout=30)
        stub.shutdown()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
