#!/usr/bin/env python3
"""Regenerates the fuzz seed corpora under Tests/Fuzz/<target>/ (committed).

Seeds are real inputs, shrunk: the GGUF seeds keep a real model's metadata and
vocabulary (cut to a few hundred tokens, merges and special ids kept consistent)
with tiny tensors; the templates are real chat templates; the text is the project's
Kazakh fixtures; the signed notes are signed with the fuzz harness's fixed test
keys (32 bytes of 0x01 for the log, 0x02 for the witness; never production keys).

Usage: python3 scripts/make_fuzz_seeds.py   (reads Tests/Fixtures and, when fetched,
the catalog models in ~/.cache/aqyl/models for the SentencePiece and smollm seeds)
"""
import base64, hashlib, json, os, struct, sys, zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fuzz"
FIX = ROOT / "Tests" / "Fixtures"
MODELS = Path(os.environ.get("AQYL_MODELS", Path.home() / ".cache" / "aqyl" / "models"))


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


# ---------------------------------------------------------------- GGUF
T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 = range(13)
SCALAR = {T_U8: "<B", T_I8: "<b", T_U16: "<H", T_I16: "<h", T_U32: "<I", T_I32: "<i", T_F32: "<f",
          T_BOOL: "<?", T_U64: "<Q", T_I64: "<q", T_F64: "<d"}


class Reader:
    def __init__(self, b):
        self.b, self.o = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.o)[0]
        self.o += struct.calcsize(fmt)
        return v

    def string(self):
        n = self.take("<Q")
        s = self.b[self.o:self.o + n].decode("utf-8", "surrogateescape")
        self.o += n
        return s

    def value(self, t):
        if t == T_STR:
            return self.string()
        if t == T_ARR:
            et, n = self.take("<I"), self.take("<Q")
            return (et, [self.value(et) for _ in range(n)])
        return self.take(SCALAR[t])


def read_gguf_metadata(path):
    """(key, type, value) in file order; tensors are not needed for the seeds."""
    with open(path, "rb") as f:
        head = f.read(64 << 20)
    r = Reader(head)
    assert r.take("<I") == 0x46554747
    r.take("<I")
    r.take("<Q")
    kv = r.take("<Q")
    out = []
    for _ in range(kv):
        k = r.string()
        t = r.take("<I")
        out.append((k, t, r.value(t)))
    return out


def enc_string(s):
    b = s.encode("utf-8", "surrogateescape")
    return struct.pack("<Q", len(b)) + b


def enc_value(t, v):
    if t == T_STR:
        return enc_string(v)
    if t == T_ARR:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(enc_value(et, x) for x in items)
    return struct.pack(SCALAR[t], v)


def write_gguf(meta, tensors):
    """meta: [(key, type, value)]; tensors: [(name, dims, ggml_type, bytes)]."""
    out = struct.pack("<IIQQ", 0x46554747, 3, len(tensors), len(meta))
    for k, t, v in meta:
        out += enc_string(k) + struct.pack("<I", t) + enc_value(t, v)
    offset = 0
    blobs = b""
    for name, dims, gt, data in tensors:
        out += enc_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<q", d) for d in dims)
        out += struct.pack("<IQ", gt, offset)
        pad = (-len(data)) % 32
        blobs += data + b"\0" * pad
        offset += len(data) + pad
    out += b"\0" * ((-len(out)) % 32)
    return out + blobs


def shrink_vocab(meta, keep=384):
    """Keeps the first `keep` tokens plus the special ones the metadata names, renumbering ids."""
    m = {k: (t, v) for k, t, v in meta}
    tokens = m["tokenizer.ggml.tokens"][1][1]
    special_keys = [k for k in m if k.startswith("tokenizer.ggml.") and k.endswith("_token_id")]
    specials = sorted({m[k][1] for k in special_keys if m[k][1] < len(tokens)})
    kept = list(range(min(keep, len(tokens)))) + [i for i in specials if i >= keep]
    new_id = {old: new for new, old in enumerate(kept)}
    kept_text = {tokens[i] for i in kept}
    out = []
    for k, t, v in meta:
        if k in ("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"):
            et, items = v
            v = (et, [items[i] for i in kept])
        elif k == "tokenizer.ggml.merges":
            et, items = v
            good = []
            for mline in items:
                a, _, b = mline.partition(" ")
                if a in kept_text and b in kept_text and (a + b) in kept_text:
                    good.append(mline)
            v = (et, good[:256])
        elif k in special_keys:
            if v not in new_id:
                continue
            v = new_id[v]
        elif k.endswith(".vocab_size"):
            v = len(kept)
        out.append((k, t, v))
    return out, len(kept)


def tiny_tensors(vocab, arch="llama", n=64):
    f32 = lambda count: struct.pack("<%df" % count, *[((i * 37) % 17 - 8) / 16 for i in range(count)])
    q8_0 = lambda rows: b"".join(struct.pack("<e", 0.01) + bytes(range(32)) for _ in range(rows * (n // 32)))
    return [
        # Far fewer rows than the vocabulary: the reader must not care, ModelConfig may.
        ("token_embd.weight", [n, 8], 0, f32(n * 8)),
        ("output_norm.weight", [n], 0, f32(n)),
        ("blk.0.attn_q.weight", [n, n], 8, q8_0(n)),
    ]


def gguf_seeds():
    sources = [("llama3", FIX / "llama3-tiny" / "llama3-tiny.gguf"),
               ("smollm2", MODELS / "smollm2-135m" / "model.gguf"),
               ("gemma3", MODELS / "gemma3-270m" / "model.gguf"),
               ("qwen2", MODELS / "qwen2.5-coder-0.5b" / "model.gguf")]
    for name, path in sources:
        if not path.exists():
            cands = list(path.parent.glob("*.gguf")) if path.parent.exists() else []
            if not cands:
                print(f"skip gguf seed {name}: {path} not fetched", file=sys.stderr)
                continue
            path = cands[0]
        meta, vocab = shrink_vocab(read_gguf_metadata(path))
        # The chat template is the jinja target's; keep the seed small.
        meta = [(k, t, v) for k, t, v in meta if k != "tokenizer.chat_template"]
        write("gguf", f"{name}-shrunk.gguf", write_gguf(meta, tiny_tensors(vocab)))
    write("gguf", "metadata-only.gguf", write_gguf([("general.architecture", T_STR, "llama"),
                                                   ("general.alignment", T_U32, 64),
                                                   ("nested", T_ARR, (T_ARR, [(T_U8, [1, 2]), (T_STR, ["ә", ""])]))], []))


# ---------------------------------------------------------------- text seeds
def texts():
    strings = json.loads((FIX / "strings.json").read_text())
    kk = (FIX / "text" / "kk_sample.txt").read_text()
    return strings, kk


def tokenizer_seeds():
    strings, kk = texts()
    specials = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nСәлем<|eot_id|><|im_start|>x<|im_end|><start_of_turn>model\n<end_of_turn><bos>"
    for t in ["tokenizer-llama3", "tokenizer-smollm2", "tokenizer-qwen2", "tokenizer-gemma3"]:
        for i, s in enumerate(strings[:12]):
            write(t, f"text-{i:02d}", b"\0" + s.encode())
        write(t, "kazakh-prose", b"\0" + kk[:1500].encode())
        write(t, "specials", b"\0" + specials.encode())
        write(t, "bytes-invalid-utf8", b"\0" + b"\xd2\x9b\xd3\x99\xff\xfe \xe2\x82 \xf0\x9f\x98\x80 \t\r\n  x")
        ids = [1, 2, 3, 100, 128000, 255, 256, 1000, 5000, -1, 2**31 - 1, 0]
        write(t, "ids", b"\x01" + b"".join(struct.pack("<i", i) for i in ids))


def template_seeds():
    names = ["meta-llama-Llama-3.1-8B-Instruct.jinja", "Qwen-Qwen2.5-7B-Instruct.jinja", "gemma3.jinja",
             "google-gemma-2-2b-it.jinja", "microsoft-Phi-3.5-mini-instruct.jinja", "HuggingFaceTB-SmolLM3-3B.jinja",
             "mistralai-Mistral-Nemo-Instruct-2407.jinja", "moonshotai-Kimi-K2.jinja"]
    for n in names:
        write("jinja", n, (FIX / "templates" / n).read_bytes())
    write("jinja", "features.jinja",
          "{% macro m(x, y=2) %}{{ x ~ y }}{% endmacro %}{% set ns = namespace(a=0) %}"
          "{% for msg in messages if msg.role != 'system' %}{% set ns.a = ns.a + 1 %}{{ loop.index }}:{{ msg.content | trim | upper }}"
          "{{ m(msg.role) }}{% if not loop.last %},{% endif %}{% endfor %}{{ ns.a }}{{ tools | tojson(indent=2) }}"
          "{{ 'a,b' .split(',') | join('-') }}{{ [3,1,2] | sort | list }}{{ {'k': 1}.items() | list }}{{ range(3) | map('string') | join }}"
          "{%- raw %}{{ raw }}{% endraw -%}{{ (1 / 3) | round(2) }}{{ 'x' * 3 }}{{ messages[-1]['content'][:5] }}"
          "{% filter upper %}f{% endfilter %}{{ '%s=%d' % ('a', 1) }}{{ none is none }}{{ 'é' in 'café' }}")


def openai_seeds():
    chat = {"model": "m", "messages": [{"role": "system", "content": "Сен көмекшісің."},
                                       {"role": "user", "content": [{"type": "text", "text": "Сәлем"}]}],
            "temperature": 0.7, "top_p": 0.9, "max_tokens": 16, "stop": ["\n\n", "</s>"], "seed": 42, "stream": True,
            "stream_options": {"include_usage": True}, "logprobs": True, "top_logprobs": 3,
            "response_format": {"type": "json_object"}, "presence_penalty": 0.5, "frequency_penalty": -0.5,
            "logit_bias": {"15": -100}, "n": 1, "user": "u"}
    write("openai-request", "chat.json", json.dumps(chat, ensure_ascii=False))
    write("openai-request", "chat-min.json", '{"model":"m","messages":[{"role":"user","content":"hi"}]}')
    write("openai-request", "completion.json", json.dumps({"model": "m", "prompt": ["Абай", [1, 2, 3]], "max_tokens": 0, "echo": True,
                                                           "logprobs": 5, "stop": "x", "temperature": 0}))
    write("openai-request", "completion-tokens.json", '{"model":"m","prompt":[[128000,9906]],"max_tokens":9223372036854775807}')
    write("openai-request", "tokenize.json", '{"model":"m","prompt":"Сәлем әлем","add_special_tokens":false}')
    write("openai-request", "detokenize.json", '{"tokens":[1,2,-3]}')


def json_prefix_seeds():
    docs = ['{"name": "Абай", "born": 1845, "ok": true, "x": null, "list": [1, -2.5e3, 0.1, {"a": []}]}',
            '{"a":"\\u04d9\\n\\"","b":{"c":{"d":[[[]]]}}}', '{ }', '{"k": 12e}', '{"t": tru', '{"n": -0.0E+10}']
    for i, d in enumerate(docs):
        write("json-prefix", f"doc-{i}", bytes([i * 3]) + d.encode())


def safetensors_bytes(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def adapter_seeds():
    write("safetensors", "mixed.safetensors", safetensors_bytes([
        ("a", "F32", [2, 3], struct.pack("<6f", *range(6))),
        ("b", "F16", [4], struct.pack("<4e", 1, -2, 0.5, 65504)),
        ("c", "BF16", [1, 2], b"\x80\x3f\x00\xc0"),
        ("d", "I64", [1], struct.pack("<q", 7))], {"format": "pt"}))
    write("safetensors", "empty.safetensors", safetensors_bytes([]))
    config = (FIX / "peft" / "adapter" / "adapter_config.json").read_bytes()
    weights = (FIX / "peft" / "adapter" / "adapter_model.safetensors").read_bytes()
    write("safetensors", "peft-fixture.safetensors", weights)
    write("peft-adapter", "fixture", struct.pack("<H", len(config)) + config + weights)


def corpus_seeds():
    strings, kk = texts()
    wiki = (FIX / "corpus" / "kkwiki-sample.xml").read_bytes()
    jsonl = (FIX / "corpus" / "mixed-sample.jsonl").read_bytes()
    markup = ("'''Абай''' [[Құнанбайұлы|Абай]] {{Infobox|туған=1845}} <ref>x</ref> == Өмірі ==\n"
              "{| class=wikitable\n|-\n| a || b\n|}\n[[Санат:Ақындар]] &amp; &#1241; <!-- c --> [http://x y] ''и''")
    write("wiki-markup", "sample.txt", markup)
    write("wiki-markup", "page.txt", wiki[:2000])
    write("mediawiki-dump", "kkwiki-sample", b"\x07" + wiki)
    write("mediawiki-dump", "one-byte-chunks", b"\x00" + wiki[:1500])
    write("corpus-jsonl", "mixed-sample", b"\x05" + jsonl[:3000])
    write("corpus-jsonl", "bad-lines", b"\x02" + '{"text": "Сәлем"}\n{bad\n{"text": 5}\n\n{"id": "x", "text": "ә"}\r\n'.encode())
    chat = json.dumps({"messages": [{"role": "user", "content": "Сәлем"}, {"role": "assistant", "content": "Сәлем!"}]}, ensure_ascii=False)
    inst = json.dumps({"instruction": "Аудар", "input": "hello", "output": "сәлем"}, ensure_ascii=False)
    write("training-data", "text", b"\x01" + kk[:800].encode())
    write("training-data", "text-jsonl", b"\x02" + (json.dumps({"text": strings[0]}, ensure_ascii=False) + "\n").encode() * 3)
    write("training-data", "chat", b"\x03" + (chat + "\n").encode() * 2)
    write("training-data", "instruction", b"\x04" + (inst + "\n").encode() * 2)
    write("training-data", "detect", b"\x00" + (chat + "\n{oops\n").encode())


def ledger_seeds():
    def frame(p):
        return struct.pack("<I", len(p)) + p + struct.pack("<I", zlib.crc32(p) & 0xFFFFFFFF)
    event = json.dumps({"kind": "event", "v": 1, "time": 1764806400, "user": "u_1", "channel": "web", "model": "smollm2-135m",
                        "conversation": "c_1", "prompt_tokens": 12, "completion_tokens": 40}, separators=(",", ":")).encode()
    excluded = json.dumps({"kind": "event", "v": 1, "time": 1764806401, "user": "k_2", "channel": "api", "model": "m",
                           "prompt_tokens": 1, "completion_tokens": 0, "excluded": "synthetic"}, separators=(",", ":")).encode()
    write("record-log", "events.log", frame(event) + frame(excluded))
    write("record-log", "torn-tail.log", frame(event) + frame(excluded)[:-3])
    write("record-log", "empty-record.log", frame(b"") + frame(b"{}"))

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization

    def key(byte, name, alg):
        k = Ed25519PrivateKey.from_private_bytes(bytes([byte]) * 32)
        pub = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        kid = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + pub).digest()[:4]
        vkey = f"{name}+{kid.hex()}+{base64.b64encode(bytes([alg]) + pub).decode()}"
        return k, kid, vkey

    log, log_id, log_vkey = key(1, "aqyl.fuzz/log", 1)
    wit, wit_id, wit_vkey = key(2, "aqyl.fuzz/witness", 4)
    root = hashlib.sha256(b"\0" + event).digest()
    body = f"aqyl.fuzz/log\n1\n{base64.b64encode(root).decode()}\n"
    sig = log.sign(body.encode())
    note = body + f"\n\u2014 aqyl.fuzz/log {base64.b64encode(log_id + sig).decode()}\n"
    t = 1764806400
    cos = wit.sign(f"cosignature/v1\ntime {t}\n".encode() + body.encode())
    cosigned = note + f"\u2014 aqyl.fuzz/witness {base64.b64encode(wit_id + struct.pack('>Q', t) + cos).decode()}\n"
    write("signed-note", "checkpoint.note", note)
    write("signed-note", "cosigned.note", cosigned)
    write("signed-note", "add-checkpoint", "old 0\n\n" + note)
    write("signed-note", "log-key", log_vkey)
    write("signed-note", "witness-key", wit_vkey)
    write("checkpoint", "body", body + "extension line\n")
    write("checkpoint", "empty-log", f"aqyl.fuzz/log\n0\n{base64.b64encode(hashlib.sha256(b'').digest()).decode()}\n")
    write("checkpoint", "tile-hashes", "0/x001/234.p/7")
    write("checkpoint", "tile-entries", "entries/005")


# ---------------------------------------------------------------- hub
def hub_seeds():
    """`hf:` references (first byte even) and hub model-info JSON (first byte odd)."""
    refs = ["hf:issai/LLama-3.1-KazLLM-1.0-8B-GGUF4:Q4_K_M", "hf:Qwen/Qwen2.5-7B-Instruct-GGUF@main:q4_k_m",
            "hf:org/repo/sub/model-Q8_0-00001-of-00002.gguf", "hf:org/repo"]
    for i, r in enumerate(refs):
        write("hub-model-info", f"ref-{i}", b"\x00" + r.encode())
    sha = hashlib.sha256(b"x").hexdigest()
    siblings = [{"rfilename": "README.md", "size": 7, "blobId": "0" * 40},
                {"rfilename": "m-Q4_K_M.gguf", "size": 2048, "blobId": "1" * 40, "lfs": {"sha256": sha, "size": 2048, "pointerSize": 134}},
                {"rfilename": "m-Q6_K-00001-of-00002.gguf", "size": 10, "lfs": {"sha256": sha, "size": 10}},
                {"rfilename": "m-Q6_K-00002-of-00002.gguf", "size": 10, "lfs": {"sha256": sha, "size": 10}},
                {"rfilename": "mmproj-m-Q8_0.gguf", "size": 10}]
    infos = [{"id": "org/repo", "sha": "a" * 40, "gated": False, "siblings": siblings},
             {"id": "org/gated", "sha": "b" * 40, "gated": "manual", "siblings": siblings[:2]},
             {"sha": "c" * 40, "siblings": []}]
    for i, info in enumerate(infos):
        write("hub-model-info", f"info-{i}", b"\x01" + json.dumps(info).encode())


def json_schema_seeds():
    """A schema (2-byte big-endian length, JSON), a chunk-length byte, then text the schema admits."""
    cases = [
        ({"type": "object", "properties": {"name": {"type": "string", "maxLength": 24}, "age": {"type": "integer"},
          "tags": {"type": "array", "items": {"enum": ["kk", "ru"]}, "maxItems": 2}}, "required": ["name", "age"],
          "additionalProperties": False}, '{"name": "Айгүл", "age": 30, "tags": ["kk"]}'),
        ({"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "properties": {"v": {"type": "integer"},
          "k": {"type": "array", "items": {"$ref": "#/$defs/n"}}}, "required": ["v"]}}}, '{"v":1,"k":[{"v":2,"k":[]}]}'),
        ({"anyOf": [{"type": "null"}, {"type": "number"}, {"const": "x"}]}, "-12.5e3"),
        ({}, '{"a":[true,null,"\\u0041"]}'),
        ({"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}, '["ә","b"]'),
    ]
    for i, (schema, text) in enumerate(cases):
        blob = json.dumps(schema, ensure_ascii=False).encode()
        write("json-schema", f"seed-{i}", struct.pack(">H", len(blob)) + blob + bytes([i * 3]) + text.encode())


if __name__ == "__main__":
    gguf_seeds()
    tokenizer_seeds()
    template_seeds()
    openai_seeds()
    json_prefix_seeds()
    adapter_seeds()
    corpus_seeds()
    ledger_seeds()
    hub_seeds()
    json_schema_seeds()
    for d in sorted(OUT.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
