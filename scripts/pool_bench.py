#!/usr/bin/env python3
"""Evidence for upstream pools (issue 15): failover under load, and the gateway's added latency.

1. Failover: a pool of two members behind `aqyl serve`, 32 concurrent clients (half
   streamed, half not) for --seconds; member A is killed (SIGKILL) a third of the way in
   and restarted at two thirds. Prints failed requests by kind, how many streams were in
   flight on A when it died, the time from the kill until /health shows A ejected, and
   from the restart until it is back in rotation.
2. Added latency: time to first byte of a streamed chat completion, N sequential requests
   straight to a member and through aqyl; p50 and p99 of each.

Members are scripts/chaos_upstream.py in `ok` mode (a fast fake GPU server: 32 tokens,
--delay seconds apart), so the numbers measure the gateway, not a model on these CPUs.

Usage: scripts/pool_bench.py [--aqyl .build/debug/aqyl] [--seconds 15] [--clients 32] [--n 300]
                             [--llama-server PATH --gguf MODEL.gguf]   (also a real llama-server upstream)
"""
import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait(port, path="/health", seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("port %d did not come up" % port)


def member(port, delay):
    return subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/chaos_upstream.py"), "--port", str(port),
                             "--mode", "ok", "--delay", str(delay)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def chat(stream, tokens):
    return json.dumps({"model": "gpu", "messages": [{"role": "user", "content": "Сәлем"}], "max_tokens": tokens,
                       "stream": stream}).encode()


def request(port, stream, tokens=32, timeout=60):
    """(outcome, seconds to first byte). outcome: ok | error-event | status N | exception."""
    start = time.perf_counter()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", "/v1/chat/completions", body=chat(stream, tokens), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        first = r.read(1)
        ttfb = time.perf_counter() - start
        body = first + r.read()
        if r.status != 200:
            return "status %d: %s" % (r.status, body[:300].decode(errors="replace")), ttfb
        if stream:
            text = body.decode()
            if not text.endswith("data: [DONE]\n\n"):
                return "cut", ttfb
            return ("error-event" if '"error":' in text else "ok"), ttfb
        return ("ok" if b'"model": "gpu"' in body or b'"model":"gpu"' in body else "wrong-model"), ttfb
    except Exception as e:  # noqa: BLE001 - every failure is a result here
        return "exception %s" % type(e).__name__, time.perf_counter() - start


def health(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    c.request("GET", "/health")
    return json.loads(c.getresponse().read())["upstreams"]["gpu"]["members"]


def state_of(port, member_port):
    for m in health(port):
        if (":%d/" % member_port) in m["url"]:
            return m
    return None


def failover(args):
    pa, pb, pg = free_port(), free_port(), free_port()
    a, b = member(pa, args.delay), member(pb, args.delay)
    wait(pa, "/v1/models")
    wait(pb, "/v1/models")
    data = tempfile.mkdtemp(prefix="aqyl-pool-bench-")
    gw = subprocess.Popen([args.aqyl, "serve", "--port", str(pg), "--data", data,
                           "--upstream", "gpu=http://127.0.0.1:%d/v1" % pa, "--upstream", "gpu=http://127.0.0.1:%d/v1" % pb],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "gateway.log"), "w"))
    procs = [a, b, gw]
    try:
        wait(pg)
        results, lock = [], threading.Lock()
        stop = time.time() + args.seconds

        def client(i):
            stream = i % 2 == 1
            while time.time() < stop:
                t = time.time()
                outcome, _ = request(pg, stream)
                with lock:
                    results.append((t, stream, outcome))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(args.seconds / 3)
        before = health(pg)
        in_flight = state_of(pg, pa)["in_flight"]
        killed = time.time()
        a.send_signal(signal.SIGKILL)
        a.wait()
        eject = None
        while time.time() < killed + 30:
            if state_of(pg, pa)["state"] == "ejected":
                eject = time.time() - killed
                break
            time.sleep(0.01)
        time.sleep(max(0, killed + args.seconds / 3 - time.time()))
        a = member(pa, args.delay)
        procs.append(a)
        restarted = time.time()
        readmit = None
        while time.time() < restarted + 60:
            if state_of(pg, pa)["state"] == "healthy":
                readmit = time.time() - restarted
                break
            time.sleep(0.05)
        for t in threads:
            t.join()
        summary = {"clients": args.clients, "seconds": args.seconds, "requests": len(results),
                   "non_streamed": sum(1 for r in results if not r[1]),
                   "non_streamed_failed": sum(1 for r in results if not r[1] and r[2] != "ok"),
                   "streams": sum(1 for r in results if r[1]),
                   "streams_error_event": sum(1 for r in results if r[1] and r[2] == "error-event"),
                   "streams_other_failure": sum(1 for r in results if r[1] and r[2] not in ("ok", "error-event")),
                   "in_flight_on_killed_member": in_flight,
                   "seconds_to_eject": round(eject, 3) if eject is not None else None,
                   "seconds_to_readmit": round(readmit, 3) if readmit is not None else None,
                   "failures": sorted({r[2] for r in results if r[2] != "ok"}),
                   "members_before_kill": [{k: m[k] for k in ("state", "in_flight", "requests", "errors")} for m in before]}
        print(json.dumps({"failover": summary}))
        with open(os.path.join(data, "gateway.log")) as log:
            for line in log:
                if line.startswith("upstream "):
                    print("  gateway: " + line.rstrip())
        return summary
    finally:
        for p in procs:
            p.kill()


def ttfb(port, model, n):
    """p50/p99 time to first byte of a 1-token stream; every answer must be a proper stream."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Сәлем"}], "max_tokens": 1,
                       "temperature": 0, "stream": True}).encode()
    times = []
    for i in range(n + 20):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = time.perf_counter()
        c.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read(1)
        t = time.perf_counter() - start
        rest = r.read().decode(errors="replace")
        if r.status != 200 or not rest.endswith("data: [DONE]\n\n") or '"error"' in rest:
            raise SystemExit("latency run: not a proper stream (%d): %s" % (r.status, rest[:300]))
        if i >= 20:  # warm-up first
            times.append(t)
    times.sort()
    return {"p50_ms": round(1000 * statistics.median(times), 2), "p99_ms": round(1000 * times[int(0.99 * (len(times) - 1))], 2)}


def latency(args, name, upstream_port, model):
    pg = free_port()
    data = tempfile.mkdtemp(prefix="aqyl-pool-bench-")
    gw = subprocess.Popen([args.aqyl, "serve", "--port", str(pg), "--data", data,
                           "--upstream", "gpu=http://127.0.0.1:%d/v1#%s" % (upstream_port, model)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait(pg)
        out = {"upstream": name, "direct": ttfb(upstream_port, model, args.n), "through_aqyl": ttfb(pg, "gpu", args.n)}
        out["added_p50_ms"] = round(out["through_aqyl"]["p50_ms"] - out["direct"]["p50_ms"], 2)
        out["added_p99_ms"] = round(out["through_aqyl"]["p99_ms"] - out["direct"]["p99_ms"], 2)
        out["n"] = args.n
        print(json.dumps({"ttfb": out}))
        return out
    finally:
        gw.kill()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--aqyl", default=os.path.join(ROOT, ".build/debug/aqyl"))
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--delay", type=float, default=0.02)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--llama-server", help="also measure added latency in front of this llama-server binary")
    p.add_argument("--gguf", help="the model llama-server loads (with --llama-server)")
    args = p.parse_args()
    f = failover(args)
    pm = free_port()
    m = member(pm, 0.0)
    try:
        wait(pm, "/v1/models")
        latency(args, "chaos_upstream.py (fake GPU server)", pm, "gpu")
    finally:
        m.kill()
    if args.llama_server:
        pl = free_port()
        ls = subprocess.Popen([args.llama_server, "-m", args.gguf, "--port", str(pl), "--host", "127.0.0.1", "-t", "2",
                               "-c", "2048"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait(pl, "/health", 120)
            latency(args, "llama-server (%s)" % os.path.basename(args.gguf), pl, "smollm2")
        finally:
            ls.kill()
    ok = f["non_streamed_failed"] == 0 and f["streams_other_failure"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
