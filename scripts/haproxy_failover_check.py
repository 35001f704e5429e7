#!/usr/bin/env python3
"""Failover through deploy/haproxy.cfg: two `aqyl serve` replicas behind HAProxy, a
mixed load through it with the official `openai` client, and one replica killed
(SIGKILL) in the middle of the run.

    python3 scripts/haproxy_failover_check.py --aqyl .build/debug/aqyl --model smollm2-135m \
        [--database postgres://USER:PASS@HOST:PORT/DB] [--requests 24] [--concurrency 6]

A quarter of the way through, a burst of non-streamed requests goes out at once and,
0.4 s later (while they are being generated), replica 1 gets SIGKILL.

What must hold (exit 0 only then):
  - every non-streamed request succeeds (200 with content): HAProxy sends a request
    that found its replica dead (refused, or closed before any answer) to the other one;
  - every stream either completes (a finish_reason, then a normal end) or ends with an
    error the client sees (an error event, or the connection cut): none hangs, none
    ends silently without a finish_reason.
With --database both replicas share one PostgreSQL database (which should be empty):
replica 1 starts first and creates the log's signing key, replica 2 gets that key
with --log-key; replica 1 (the log's sequencer) is the one killed, and replica 2 must
take the sequencer's lock.

Prints one JSON line (the summary) on stdout; diagnostics go to stderr. Every child
process is killed on exit. Uses the standard library and `openai` (3.57.0).
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parent.parent
# End of text / of turn banned, so every request generates exactly max_tokens
# (smollm2: 0 <|endoftext|>, 1 <|im_start|>, 2 <|im_end|>).
NO_EOS = {"0": -100, "1": -100, "2": -100}
PROMPTS = [
    "Tell me about Almaty.",
    "Қазақстан туралы айтып бер.",
    "Write a short poem about mountains.",
    "What is a load balancer?",
    "Расскажи о степи.",
    "Name three rivers.",
]


def log(message):
    print(f"[failover] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """Runs in each child before exec: the kernel kills it if this script dies (even by SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def http_get(url, timeout=2.0):
    """(status, body) or (None, error text)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except Exception as error:  # refused, reset, timeout
        return None, str(error)


def tail(path, lines=30):
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


class Children:
    """Every process started here, stopped in reverse order on exit."""

    def __init__(self):
        self.processes = []  # (name, Popen, log path)

    def start(self, name, argv, log_path, env=None):
        handle = open(log_path, "wb")
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, preexec_fn=die_with_parent)
        handle.close()
        self.processes.append((name, process, log_path))
        return process

    def stop_all(self):
        for name, process, _ in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 8
        for name, process, _ in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def dump_logs(self):
        for name, _, path in self.processes:
            print(f"----- {name} ({path}) -----\n{tail(path)}", file=sys.stderr)


def wait_until_healthy(url, process, seconds, name):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before answering {url}")
        status, _ = http_get(url, timeout=1.0)
        if status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer 200 on {url} within {seconds} s")


class Load:
    """The requests, run by `concurrency` threads pulling from one list."""

    def __init__(self, base_url, model, total, timeout):
        # No retries in the client: HAProxy alone must hide the dead replica.
        self.client = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0, timeout=timeout)
        self.model = model
        self.timeout = timeout
        self.jobs = [("stream" if i % 2 else "plain", i) for i in range(total)]
        self.total = total
        self.next = 0
        self.lock = threading.Lock()
        self.results = []
        self.in_flight = 0
        self.started_at = None

    def take(self):
        with self.lock:
            if self.next >= self.total:
                return None
            job = self.jobs[self.next]
            self.next += 1
            return job

    def finished(self):
        with self.lock:
            return len(self.results)

    def record(self, result):
        with self.lock:
            self.results.append(result)
            self.in_flight -= 1

    def worker(self):
        while (job := self.take()) is not None:
            self.run(*job)

    def run(self, kind, i):
        with self.lock:
            self.in_flight += 1
        start = time.monotonic()
        result = self.plain(i) if kind == "plain" else self.stream(i)
        result.update(kind=kind, index=i, start=round(start - self.started_at, 2),
                      seconds=round(time.monotonic() - start, 2))
        if result["outcome"] in ("ok", "completed", "errored") and result["seconds"] > self.timeout:
            result["outcome"] = "hung"
        self.record(result)

    def burst(self, count):
        """`count` more non-streamed requests at once, each on a thread of its own."""
        with self.lock:
            first = len(self.jobs)
            self.jobs += [("plain", first + k) for k in range(count)]
        threads = [threading.Thread(target=self.run, args=("plain", first + k), daemon=True) for k in range(count)]
        for thread in threads:
            thread.start()
        return threads

    def messages(self, i):
        return [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}]

    def plain(self, i):
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=self.messages(i), max_tokens=8, temperature=0.7, seed=i, logit_bias=NO_EOS)
            content = response.choices[0].message.content if response.choices else None
            if content:
                return {"outcome": "ok"}
            return {"outcome": "failed", "error": f"no content: {response.model_dump_json()[:300]}"}
        except openai.APITimeoutError as error:
            return {"outcome": "hung", "error": repr(error)[:300]}
        except openai.APIStatusError as error:
            return {"outcome": "failed", "error": f"HTTP {error.status_code}: {str(error)[:300]}"}
        except Exception as error:
            return {"outcome": "failed", "error": repr(error)[:300]}

    def stream(self, i):
        chunks = 0
        finish = None
        try:
            stream = self.client.chat.completions.create(
                model=self.model, messages=self.messages(i), max_tokens=24, temperature=0.7, seed=i,
                logit_bias=NO_EOS, stream=True)
            for chunk in stream:
                chunks += 1
                for choice in chunk.choices:
                    if choice.finish_reason:
                        finish = choice.finish_reason
            if finish:
                return {"outcome": "completed", "chunks": chunks, "finish_reason": finish}
            return {"outcome": "truncated", "chunks": chunks, "error": "ended without a finish_reason"}
        except openai.APITimeoutError as error:
            return {"outcome": "hung", "chunks": chunks, "error": repr(error)[:300]}
        except openai.APIError as error:
            # An error event (APIError), an HTTP error status (APIStatusError), or the
            # connection cut mid-stream (APIConnectionError).
            return {"outcome": "errored", "chunks": chunks, "error": f"{type(error).__name__}: {str(error)[:200]}"}
        except Exception as error:
            return {"outcome": "failed", "chunks": chunks, "error": repr(error)[:300]}


def haproxy_retries(log_path):
    """Requests HAProxy logged with a retry (the `retries` field, `+N` when redispatched)."""
    pattern = re.compile(r" \d+/\d+/\d+/\d+/(\+?\d+) \d+/\d+ \"")
    count = 0
    try:
        for line in Path(log_path).read_text(errors="replace").splitlines():
            match = pattern.search(line)
            if match and match.group(1).lstrip("+") != "0":
                count += 1
    except OSError:
        pass
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aqyl", required=True, help="the aqyl binary")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--database", help="postgres://… URL of an empty database shared by both replicas")
    parser.add_argument("--requests", type=int, default=24, help="requests in all, half of them streamed")
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    parser.add_argument("--config", default=str(ROOT / "deploy" / "haproxy.cfg"))
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout per request (s)")
    parser.add_argument("--kill-after", type=float, default=0.25,
                        help="kill replica 1 once this fraction of the requests has finished")
    parser.add_argument("--burst", type=int, default=4,
                        help="non-streamed requests more, sent together just before the kill, so that some are "
                             "surely in flight on the killed replica (they count among the non-streamed ones)")
    parser.add_argument("--deadline", type=float, default=150.0,
                        help="seconds the whole load may take; requests still running then have hung")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, data)")
    args = parser.parse_args()
    if not Path(args.haproxy).exists() and not shutil.which(args.haproxy):
        print(f"haproxy not found ({args.haproxy}): install Debian's `haproxy`", file=sys.stderr)
        return 2
    aqyl = str(Path(args.aqyl).resolve())
    # Everything here is on 127.0.0.1: no proxy from the environment in between.
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del os.environ[name]

    # SIGTERM (a test's time limit) unwinds through `finally`, which stops the children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="aqyl-haproxy-"))
    children = Children()
    ok = False
    try:
        ports = set()
        while len(ports) < 3:
            ports.add(free_port())
        lb_port, port1, port2 = sorted(ports)
        # The replicas take their store only from the flags below, never from the caller's environment.
        replica_env = {k: v for k, v in os.environ.items()
                       if k not in ("AQYL_DATABASE_URL", "AQYL_LOG_SIGNING_KEY", "AQYL_DATA")}
        replicas = []
        for n, port in ((1, port1), (2, port2)):
            data = work / f"replica{n}"
            argv = [aqyl, "serve", "--model", args.model, "--host", "127.0.0.1", "--port", str(port),
                    "--data", str(data), "--threads", "1", "--parallel", "4", "--trusted-proxy", "127.0.0.1"]
            if args.database:
                argv += ["--database", args.database]
                if n == 2:
                    # The log's signing key, as replica 1 created it on the new log.
                    argv += ["--log-key", str(work / "replica1" / "ledger" / "signing.key")]
            process = children.start(f"replica{n}", argv, work / f"replica{n}.log", env=replica_env)
            replicas.append((process, f"http://127.0.0.1:{port}"))
            if args.database and n == 1:
                wait_until_healthy(f"http://127.0.0.1:{port}/health", process, 90, "replica1")
        for n, (process, base) in enumerate(replicas, 1):
            wait_until_healthy(base + "/health", process, 90, f"replica{n}")
        log(f"replicas up: {replicas[0][1]} {replicas[1][1]}")

        env = {k: v for k, v in os.environ.items() if not k.startswith("AQYL_LB_")}
        env.update(AQYL_LB_BIND=f"127.0.0.1:{lb_port}", AQYL_REPLICA_1=f"127.0.0.1:{port1}",
                   AQYL_REPLICA_2=f"127.0.0.1:{port2}")
        check = subprocess.run([args.haproxy, "-c", "-f", args.config], env=env, capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy -c failed:\n{check.stdout}{check.stderr}")
        lb = children.start("haproxy", [args.haproxy, "-f", args.config, "-db"], work / "haproxy.log", env=env)
        lb_base = f"http://127.0.0.1:{lb_port}"
        wait_until_healthy(lb_base + "/health", lb, 20, "haproxy")
        log(f"haproxy up: {lb_base}")

        load = Load(lb_base + "/v1", args.model, args.requests, args.timeout)
        load.started_at = time.monotonic()
        threads = [threading.Thread(target=load.worker, daemon=True) for _ in range(args.concurrency)]
        for thread in threads:
            thread.start()
        burst_sent_at = None
        kill_at_count = max(1, int(args.requests * args.kill_after))
        victim = replicas[0][0]
        killed_at = None
        in_flight_at_kill = None
        deadline = load.started_at + args.deadline
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            if burst_sent_at is None and load.finished() >= kill_at_count:
                # Requests HAProxy has already sent to the victim when it dies: they take
                # ~1 s each, so 0.4 s later they are being generated.
                threads += load.burst(args.burst)
                burst_sent_at = time.monotonic()
            if killed_at is None and burst_sent_at is not None and time.monotonic() - burst_sent_at >= 0.4:
                victim.send_signal(signal.SIGKILL)
                killed_at = time.monotonic() - load.started_at
                with load.lock:
                    in_flight_at_kill = load.in_flight
                log(f"SIGKILL replica1 at {killed_at:.2f} s ({load.finished()} finished, {in_flight_at_kill} in flight)")
            time.sleep(0.05)
        wall = time.monotonic() - load.started_at
        with load.lock:
            results = list(load.results)
            unfinished = len(load.jobs) - len(results)

        survivor_sequencer = None
        if args.database:
            # The survivor takes the log's sequencer lock once the killed replica's
            # connection is gone (documented: within about half a second).
            until = time.monotonic() + 15
            while time.monotonic() < until:
                status, body = http_get(replicas[1][1] + "/health")
                if status == 200 and json.loads(body).get("log", {}).get("sequencer") is True:
                    survivor_sequencer = True
                    break
                survivor_sequencer = False
                time.sleep(0.2)

        count = lambda kind, outcome: sum(1 for r in results if r["kind"] == kind and r["outcome"] == outcome)
        plain = [r for r in results if r["kind"] == "plain"]
        streams = [r for r in results if r["kind"] == "stream"]
        summary = {
            "database": "postgres" if args.database else "sqlite",
            "requests": len(load.jobs),
            "burst": args.burst,
            "concurrency": args.concurrency,
            "plain_ok": count("plain", "ok"),
            "plain_failed": len(plain) - count("plain", "ok") - count("plain", "hung"),
            "plain_hung": count("plain", "hung"),
            "streams_completed": count("stream", "completed"),
            "streams_errored": count("stream", "errored"),
            "streams_errored_midstream": sum(1 for r in streams if r["outcome"] == "errored" and r.get("chunks")),
            "streams_hung": count("stream", "hung"),
            "streams_bad": len(streams) - count("stream", "completed") - count("stream", "errored")
                           - count("stream", "hung"),
            "unfinished": unfinished,
            "killed_at_s": round(killed_at, 2) if killed_at is not None else None,
            "in_flight_at_kill": in_flight_at_kill,
            "wall_s": round(wall, 2),
            "haproxy_retried": haproxy_retries(work / "haproxy.log"),
        }
        if args.database:
            summary["survivor_sequencer"] = survivor_sequencer
        problems = []
        if killed_at is None:
            problems.append("the replica was never killed (the load ended first)")
        if summary["plain_ok"] != sum(1 for j in load.jobs if j[0] == "plain"):
            problems.append("a non-streamed request did not succeed")
        if summary["plain_hung"] or summary["streams_hung"] or unfinished:
            problems.append("a request hung")
        if summary["streams_bad"]:
            problems.append("a stream ended without a finish_reason and without an error")
        if args.database and not survivor_sequencer:
            problems.append("the surviving replica did not become the log's sequencer")
        for r in sorted(results, key=lambda r: r["index"]):
            if r["outcome"] not in ("ok", "completed"):
                log(f"#{r['index']} {r['kind']} {r['outcome']} after {r['seconds']} s "
                    f"(started {r['start']} s, {r.get('chunks', '-')} chunks): {r.get('error', '')}")
        summary["ok"] = not problems
        print(json.dumps(summary), flush=True)
        for problem in problems:
            log("FAIL: " + problem)
        ok = not problems
    except Exception as error:
        log(f"FAIL: {error}")
    finally:
        children.stop_all()
        if not ok:
            children.dump_logs()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
