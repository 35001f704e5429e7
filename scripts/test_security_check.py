#!/usr/bin/env python3
"""Tests of scripts/security_check and scripts/gguf_set_template.py (standard library only).

    python3 scripts/test_security_check.py [-v]

A check that cannot fail proves nothing, so security_check runs here against two
dummy servers on 127.0.0.1: one that behaves as aqyl serve should, where every check
must PASS, and one with a path-spelling bypass (`//v1/models` served without a key),
where that check must FAIL. The GGUF rewriter is checked by round trip on synthetic
files and, when present, on real models (the tensor data must be byte-identical).
The dummy servers run in this process and stop with it.
"""
import hashlib
import hmac
import http.server
import importlib.machinery
import importlib.util
import json
import os
import re
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
from datetime import date

HERE = os.path.dirname(os.path.realpath(__file__))
CHECK = os.path.join(HERE, "security_check")
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gguf_set_template as gguf  # noqa: E402

GOOD_KEY = "aqyl-" + "ab" * 32


def load_check_module():
    loader = importlib.machinery.SourceFileLoader("security_check", CHECK)
    spec = importlib.util.spec_from_loader("security_check", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


# --- A dummy aqyl serve ---------------------------------------------------------------


def normalize(path):
    """The server's path normalization (PathNormalizer.swift), or None when refused."""
    out, i = "", 0
    while i < len(path):
        if path[i] == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", path[i + 1:i + 3]):
            c = chr(int(path[i + 1:i + 3], 16))
            if c in "/\\\0":
                return None
            out += c if re.fullmatch(r"[A-Za-z0-9._~-]", c) else path[i:i + 3]
            i += 3
        else:
            out += path[i]
            i += 1
    segments = []
    for seg in out.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if not segments:
                return None
            segments.pop()
        else:
            segments.append(seg)
    return "/" + "/".join(segments)


API = {"/v1/models", "/v1/chat/completions", "/v1/completions", "/tokenizer_info", "/tokenize", "/detokenize",
       "/v1/tokenizer_info", "/v1/tokenize", "/v1/detokenize"}
ROUTES = {("GET", "/health"), ("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("POST", "/v1/completions"),
          ("GET", "/tokenizer_info"), ("POST", "/tokenize"), ("POST", "/detokenize"), ("GET", "/v1/tokenizer_info"),
          ("POST", "/v1/tokenize"), ("POST", "/v1/detokenize"), ("GET", "/api/conversations"),
          ("GET", "/stats/figures"), ("GET", "/stats/entries")}
CONTEXT = 256
SECRET = secrets.token_bytes(32)


def sign(uid):
    return uid + "." + hmac.new(SECRET, uid.encode(), hashlib.sha256).hexdigest()[:32]


def verified(cookie_header):
    m = re.search(r"aqyl_uid=([^;\s]+)", cookie_header or "")
    if not m or "." not in m.group(1):
        return False
    return hmac.compare_digest(sign(m.group(1).split(".")[0]), m.group(1))


class DummyAqyl(http.server.BaseHTTPRequestHandler):
    """Answers as aqyl serve should; `server.flaws` names deliberate bugs."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message, headers=()):
        self.send_json(status, {"error": {"message": message, "type": "invalid_request_error"}}, headers)

    def handle_any(self, method):
        raw = self.requestline.split(" ")[1]  # self.path has a leading // already reduced
        raw_path, _, query = raw.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        flaws = self.server.flaws
        if "double-slash-bypass" in flaws and raw_path == "//v1/models":
            return self.send_json(200, {"data": [{"id": "tiny"}]})
        path = normalize(raw_path)
        if path is None:
            return self.error(400, "The request path is refused.")
        if (method, path) not in ROUTES:
            allowed = sorted(m for m, p in ROUTES if p == path)
            if allowed:
                return self.error(405, "wrong method", [("Allow", ", ".join(allowed))])
            return self.error(404, f"route {method} {path}")
        auth = self.headers.get("Authorization")
        if auth is not None and auth != f"Bearer {GOOD_KEY}" and self.server.keys_required:
            return self.error(401, "Invalid API key")
        if path in API and self.server.keys_required and auth != f"Bearer {GOOD_KEY}":
            return self.error(401, "An API key is required")
        self.route(path, query, body)

    def route(self, path, query, body):
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        if path == "/health":
            return self.send_json(200, {"status": "ok"})
        if path == "/v1/models":
            return self.send_json(200, {"object": "list", "data": [{"id": "tiny"}]})
        if path in ("/v1/chat/completions", "/v1/completions"):
            for field in ("max_tokens", "max_completion_tokens"):
                n = body.get(field, 1)
                if not isinstance(n, int) or not 1 <= n <= CONTEXT:
                    if "overflow-dies" in self.server.flaws:
                        self.server.socket.close()  # stops listening: later connections are refused
                        self.close_connection = True
                        return
                    if "overflow-crash" in self.server.flaws:
                        return self.send_json(500, {"error": {"message": "crash", "type": "server_error"}})
                    return self.error(400, f"{field} {n} is outside 1...{CONTEXT}")
            return self.send_json(200, {"choices": [{"message": {"role": "assistant", "content": "a"}}]})
        if path == "/api/conversations":
            if verified(self.headers.get("Cookie")):
                return self.send_json(200, {"data": []})
            return self.send_json(200, {"data": []}, [("Set-Cookie", f"aqyl_uid={sign(secrets.token_hex(16))}; Path=/")])
        if path == "/stats/figures":
            try:
                start = date.fromisoformat(params.get("from", "2026-01-01"))
            except ValueError:
                return self.error(400, "invalid date")
            if (date(2026, 1, 1) - start).days > 366:
                return self.error(400, "at most 366 days")
            return self.send_json(200, {"days": []})
        if path == "/stats/entries":
            if int(params.get("start", 0)) > 10:
                return self.error(400, "start beyond the log")
            return self.send_json(200, {"entries": []})
        return self.send_json(200, {})


class Dummy:
    """A dummy server on a free port of 127.0.0.1, running until stop()."""

    def __init__(self, keys_required=True, flaws=()):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DummyAqyl)
        self.httpd.keys_required, self.httpd.flaws = keys_required, set(flaws)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def run_check(*args):
    proc = subprocess.run([sys.executable, CHECK, *args], capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


class SecurityCheckTests(unittest.TestCase):
    def test_correct_server_passes(self):
        server = Dummy()
        try:
            rc, out, err = run_check(server.url, "--key", GOOD_KEY)
        finally:
            server.stop()
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("FAIL", out)
        self.assertIn("PASS no key: GET /v1/models refused under every spelling", out)
        self.assertIn("PASS /v1/chat/completions max_tokens=9223372036854775807 is a 4xx", out)
        self.assertRegex(out.splitlines()[-1], r"^\d+ passed, 0 failed$")

    def test_bypass_fails(self):
        server = Dummy(flaws={"double-slash-bypass"})
        try:
            rc, out, _ = run_check(server.url)
        finally:
            server.stop()
        self.assertEqual(rc, 1)
        self.assertIn("FAIL no key: GET /v1/models refused under every spelling: //v1/models answered 200 (a bypass)", out)
        self.assertIn("SKIP overflow and special-token checks", out)
        self.assertRegex(out.splitlines()[-1], r"^\d+ passed, 2 failed$")  # no key and wrong key

    def test_overflow_crash_fails(self):
        server = Dummy(flaws={"overflow-crash"})
        try:
            rc, out, _ = run_check(server.url, "--key", GOOD_KEY)
        finally:
            server.stop()
        self.assertEqual(rc, 1)
        self.assertIn("FAIL /v1/completions max_tokens=-1 is a 4xx: answered 500, not 4xx", out)

    def test_server_that_dies_ends_the_run(self):
        server = Dummy(flaws={"overflow-dies"})
        try:
            rc, out, _ = run_check(server.url, "--key", GOOD_KEY)
        finally:
            server.stop()
        self.assertEqual(rc, 1)
        lines = out.splitlines()
        self.assertIn("FAIL /v1/chat/completions max_tokens=9223372036854775807 is a 4xx: RemoteDisconnected", out)
        self.assertTrue(lines[-3].startswith("FAIL server keeps answering: cannot connect"), lines[-3])
        self.assertTrue(lines[-2].startswith("error: cannot connect"), lines[-2])
        self.assertRegex(lines[-1], r"^\d+ passed, [1-9]\d* failed$")

    def test_keys_optional_skips_key_checks(self):
        server = Dummy(keys_required=False)
        try:
            rc, out, _ = run_check(server.url, "--json")
        finally:
            server.stop()
        self.assertEqual(rc, 0)
        result = json.loads(out)
        self.assertIn({"name": "key checks", "status": "SKIP", "why": "the server does not require keys"}, result["checks"])
        self.assertEqual(result["failed"], 0)

    def test_refused_connection_is_one_line_and_exit_2(self):
        with socket.socket() as s:  # a port nobody listens on: bound, never listening
            s.bind(("127.0.0.1", 0))
            rc, out, err = run_check(f"http://127.0.0.1:{s.getsockname()[1]}")
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertEqual(len(err.strip().splitlines()), 1)
        self.assertIn("Connection refused", err)


# --- GGUF rewriting ----------------------------------------------------------------


def synthetic_gguf(path, template=None, alignment=None, version=3):
    """A small GGUF with every value type, two tensors and random data."""
    kvs = [("general.architecture", 8, "llama"), ("a.u8", 0, 7), ("a.i8", 1, -7), ("a.u16", 2, 700),
           ("a.i16", 3, -700), ("a.u32", 4, 70000), ("a.i32", 5, -70000), ("a.f32", 6, 1.5), ("a.bool", 7, True),
           ("a.u64", 10, 2**40), ("a.i64", 11, -2**40), ("a.f64", 12, 2.25),
           ("tokenizer.ggml.tokens", 9, (8, ["<s>", "a", "Ұлт"])), ("tokenizer.ggml.scores", 9, (6, [0.0, -1.0, -2.0]))]
    if alignment is not None:
        kvs.append(("general.alignment", 4, alignment))
    if template is not None:
        kvs.append((gguf.TEMPLATE_KEY, 8, template))
    align = alignment or gguf.DEFAULT_ALIGNMENT
    tensors = [gguf.TensorInfo("t0", [4, 2], 0, 0), gguf.TensorInfo("t1", [3], 0, gguf.align(32, align))]
    data = secrets.token_bytes(gguf.align(32, align) + 12)
    head = gguf.header_bytes(version, [gguf.encode_kv(*kv) for kv in kvs], len(tensors),
                             b"".join(gguf.encode_tensor_info(t) for t in tensors), align)
    with open(path, "wb") as f:
        f.write(head + data)
    return kvs, tensors, data


def read(path):
    with open(path, "rb") as f:
        header = gguf.read_header(f)
        f.seek(header.data_offset)
        return header, f.read()


def same_data(a, b):
    """Compares two files' data sections by streaming SHA-256 (models are large)."""
    digests = []
    for path in (a, b):
        with open(path, "rb") as f:
            f.seek(gguf.read_header(f).data_offset)
            h = hashlib.sha256()
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
            digests.append(h.hexdigest())
    return digests[0] == digests[1]


HOSTILE = "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}"


class GGUFRewriterTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def test_round_trip_replaces_only_the_template(self):
        for alignment, version in ((None, 3), (64, 3), (None, 2)):
            kvs, tensors, data = synthetic_gguf(self.path("in.gguf"), template="{{ old }}", alignment=alignment, version=version)
            gguf.set_template(self.path("in.gguf"), self.path("out.gguf"), HOSTILE)
            header, out_data = read(self.path("out.gguf"))
            self.assertEqual(header.version, version)
            self.assertEqual(header.get(gguf.TEMPLATE_KEY), HOSTILE)
            expected = {k: v for k, _, v in kvs if k != gguf.TEMPLATE_KEY}
            self.assertEqual({kv.key: kv.value for kv in header.kvs if kv.key != gguf.TEMPLATE_KEY}, expected)
            self.assertEqual([kv.key for kv in header.kvs], [k for k, _, _ in kvs])  # order kept
            self.assertEqual(header.tensors, tensors)
            self.assertEqual(header.data_offset % (alignment or 32), 0)
            self.assertEqual(out_data, data)

    def test_template_added_when_absent(self):
        kvs, _, data = synthetic_gguf(self.path("in.gguf"))
        gguf.set_template(self.path("in.gguf"), self.path("out.gguf"), "{{ x }}")
        header, out_data = read(self.path("out.gguf"))
        self.assertEqual(len(header.kvs), len(kvs) + 1)
        self.assertEqual(header.get(gguf.TEMPLATE_KEY), "{{ x }}")
        self.assertEqual(out_data, data)

    def test_command_line(self):
        synthetic_gguf(self.path("in.gguf"), template="{{ old }}")
        with open(self.path("t.jinja"), "w", encoding="utf-8") as f:
            f.write("{% for x in %}")
        script = os.path.join(HERE, "gguf_set_template.py")
        proc = subprocess.run([sys.executable, script, self.path("in.gguf"), self.path("out.gguf"), self.path("t.jinja")])
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(read(self.path("out.gguf"))[0].get(gguf.TEMPLATE_KEY), "{% for x in %}")
        proc = subprocess.run([sys.executable, script, self.path("in.gguf"), self.path("in.gguf"), self.path("t.jinja")],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("overwrite the input", proc.stderr)

    def test_damaged_files_are_errors(self):
        synthetic_gguf(self.path("in.gguf"), template="{{ old }}")
        with open(self.path("in.gguf"), "rb") as f:
            good = f.read()
        damaged = {
            "magic": b"GGUX" + good[4:],
            "version": good[:4] + struct.pack("<I", 1) + good[8:],
            "kv count": good[:16] + struct.pack("<Q", 2**62) + good[24:],
            "string length": good[:24] + struct.pack("<Q", 2**63) + good[32:],
            "truncated": good[:60],
        }
        for what, content in damaged.items():
            with open(self.path("bad.gguf"), "wb") as f:
                f.write(content)
            with self.assertRaises(gguf.GGUFError, msg=what):
                gguf.set_template(self.path("bad.gguf"), self.path("out.gguf"), "x")
            self.assertFalse(os.path.exists(self.path("out.gguf")))

    def test_real_models_keep_their_tensor_data(self):
        candidates = [os.path.join(REPO, "Tests/Fixtures/llama3-tiny/llama3-tiny.gguf"),
                      os.path.expanduser("~/.cache/aqyl/models/SmolLM2-135M-Instruct.Q4_1.gguf")]
        found = [p for p in candidates if os.path.isfile(p)]
        if not found:
            self.skipTest("no real model file here")
        for model in found:
            gguf.set_template(model, self.path("out.gguf"), HOSTILE)
            with open(model, "rb") as f:
                original = gguf.read_header(f)
            header, _ = read(self.path("out.gguf"))
            self.assertEqual(header.get(gguf.TEMPLATE_KEY), HOSTILE)
            self.assertEqual(header.tensors, original.tensors)
            self.assertEqual([kv.raw for kv in header.kvs if kv.key != gguf.TEMPLATE_KEY],
                             [kv.raw for kv in original.kvs if kv.key != gguf.TEMPLATE_KEY])
            self.assertTrue(same_data(model, self.path("out.gguf")), model)


class TemplateCheckTests(unittest.TestCase):
    """Check 7's plumbing, with stand-ins for `aqyl chat` (the real one is tested in Swift)."""

    def run_with(self, script, timeout=3):
        module = load_check_module()
        module.CHAT_TIMEOUT = timeout
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "m.gguf")
            synthetic_gguf(model, template="{{ old }}")
            fake = os.path.join(tmp, "aqyl")
            with open(fake, "w") as f:
                f.write(f"#!{sys.executable}\nimport sys, time\n{script}\n")
            os.chmod(fake, 0o755)
            report = module.Report(as_json=True)
            module.check_templates(report, model, fake)
            return report.results

    def test_refusal_passes(self):
        results = self.run_with("print('error: the model\\'s chat template cannot be used: ...', file=sys.stderr); sys.exit(1)")
        self.assertEqual([r["status"] for r in results], ["PASS"] * 3)

    def test_hang_fails_in_time(self):
        results = self.run_with("time.sleep(60)", timeout=1)
        self.assertEqual([r["why"] for r in results], ["still running after 1 s"] * 3)

    def test_loading_fails(self):
        results = self.run_with("sys.stdin.read(); sys.exit(0)")
        self.assertTrue(all("exit status 0" in r["why"] for r in results))


if __name__ == "__main__":
    unittest.main()
