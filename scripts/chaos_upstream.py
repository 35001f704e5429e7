#!/usr/bin/env python3
"""An OpenAI-compatible upstream that misbehaves on purpose (and a fast fake GPU server).

Serves POST /v1/chat/completions and /v1/completions, streamed or not, and GET /v1/models
and /health. How it answers is its *mode*: from --mode, changed at run time with
`POST /control {"mode": ...}`, or, with --mode by-model, the request's `model` field.

Modes:
  ok          a proper answer: N tokens (max_tokens, default 8), --delay seconds apart,
              with `usage` (and the usage chunk when stream_options.include_usage is set)
  slow-first  waits --stall seconds before the first byte, then answers like ok
  stall       streams: sends the role chunk, then nothing (holds the connection);
              non-streamed: never answers
  close       streams: two chunks, then closes the connection mid-body;
              non-streamed: closes without an answer
  garbage     200 with a body that is not the protocol (text, or `data: not json` events)
  5xx         503 with an OpenAI error object
  429         429 with Retry-After: 3
  down        every route, /v1/models and /health included, answers 503

Usage: chaos_upstream.py --port P [--mode ok] [--delay 0.005] [--stall 30] [--name NAME] [--max-keepalive N]
Prints "ready PORT" when it listens. Counts requests at GET /stats.
"""
import argparse
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "ok", "requests": 0, "completions": 0}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chaos-upstream"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.served = 0
        # As uvicorn (vLLM's server) does: small writes go out at once, not after the peer's
        # delayed ACK of the previous one.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def chunk(self, data: bytes):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def event(self, obj):
        self.chunk(b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n")

    def do_GET(self):
        mode = STATE["mode"]
        if self.path == "/stats":
            return self.send_json(200, dict(STATE))
        if mode == "down":
            return self.send_json(503, {"error": {"message": "down", "type": "server_error"}})
        if self.path in ("/v1/models", "/models"):
            return self.send_json(200, {"object": "list", "data": [{"id": ARGS.name, "object": "model", "owned_by": "chaos"}]})
        if self.path == "/health":
            return self.send_json(200, {"status": "ok"})
        self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def handle_one_request(self):
        # A kept-alive connection the server gives up on just as the next request arrives
        # (idle or request-count limits, a restart): after N answers, the next request on
        # the connection is read and the connection closed under it, unanswered.
        if ARGS.max_keepalive and self.served >= ARGS.max_keepalive:
            self.rfile.readline()
            self.close_connection = True
            return
        super().handle_one_request()
        self.served += 1

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/control":
            STATE["mode"] = json.loads(raw)["mode"]
            return self.send_json(200, {"mode": STATE["mode"]})
        with LOCK:
            STATE["requests"] += 1
        try:
            req = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
        mode = STATE["mode"]
        if mode == "by-model":
            mode = req.get("model", "ok")
        chat = self.path.endswith("/chat/completions")
        if not (chat or self.path.endswith("/completions")):
            return self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        if not isinstance(req.get("messages" if chat else "prompt"), (list, str)):
            return self.send_json(400, {"error": {"message": "messages or prompt missing", "type": "invalid_request_error", "param": "messages"}})
        if mode in ("5xx", "down"):
            return self.send_json(503, {"error": {"message": "upstream overloaded", "type": "server_error"}})
        if mode == "429":
            return self.send_json(429, {"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}}, {"Retry-After": "3"})
        stream = bool(req.get("stream"))
        n = int(req.get("max_tokens") or 8)
        model = req.get("model", ARGS.name)
        if mode == "slow-first":
            time.sleep(ARGS.stall)
            mode = "ok"
        if mode == "garbage":
            if stream:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.event(b"this is not json")
                self.chunk(b"")
                return
            body = b"<html>definitely not an OpenAI answer</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if not stream:
            if mode == "stall":
                time.sleep(3600)
            if mode == "close":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            time.sleep(ARGS.delay * n)
            text = "".join("tok%d " % i for i in range(n))
            with LOCK:
                STATE["completions"] += 1
            choice = {"index": 0, "finish_reason": "length"}
            if chat:
                choice["message"] = {"role": "assistant", "content": text}
            else:
                choice["text"] = text
            return self.send_json(200, {
                "id": "chatcmpl-chaos", "object": "chat.completion" if chat else "text_completion", "created": int(time.time()),
                "model": model, "choices": [choice],
                "usage": {"prompt_tokens": 11, "completion_tokens": n, "total_tokens": 11 + n}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "chatcmpl-chaos", "object": "chat.completion.chunk" if chat else "text_completion",
                "created": int(time.time()), "model": model}

        def piece(text, finish=None):
            c = {"index": 0, "finish_reason": finish}
            if chat:
                c["delta"] = {"content": text} if text is not None else {"role": "assistant", "content": ""}
            else:
                c["text"] = text or ""
            return dict(base, choices=[c])

        try:
            self.event(piece(None))
            if mode == "stall":
                time.sleep(3600)
                return
            for i in range(n):
                if mode == "close" and i == 2:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                time.sleep(ARGS.delay)
                self.event(piece("tok%d " % i))
            self.event(piece("", "length"))
            if (req.get("stream_options") or {}).get("include_usage"):
                self.event(dict(base, choices=[], usage={"prompt_tokens": 11, "completion_tokens": n, "total_tokens": 11 + n}))
            self.event(b"[DONE]")
            self.chunk(b"")
            with LOCK:
                STATE["completions"] += 1
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", default="ok")
    p.add_argument("--delay", type=float, default=0.005)
    p.add_argument("--stall", type=float, default=30)
    p.add_argument("--name", default="chaos")
    p.add_argument("--max-keepalive", type=int, default=0, help="after N answers on a connection, close it under the next request")
    ARGS = p.parse_args()
    STATE["mode"] = ARGS.mode
    # A GPU server takes many connections at once; socketserver's default backlog is 5.
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    print("ready %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
