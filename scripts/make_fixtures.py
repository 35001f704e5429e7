#!/usr/bin/env python3
"""Regenerate Aqyl's llama.cpp golden fixtures (Tests/Fixtures/).

Usage:
    python3 scripts/make_fixtures.py --models-dir DIR [--llama3-tokenizer tokenizer.json]
        [--gguf-py LLAMA_CPP/gguf-py] [--llama-bin BUILD/bin] [--only NAME ...] [--skip-tiny-build]

  --models-dir DIR        holds smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf and
                          gemma3-270m/gemma-3-270m-q4_k_m.gguf (e.g. ~/.cache/aqyl/models)
  --llama3-tokenizer F    Llama-3 tokenizer.json; when given, (re)builds
                          Tests/Fixtures/llama3-tiny/llama3-tiny.gguf via scripts/make_llama3_tiny.py
                          (otherwise the committed GGUF is used as is)
  --gguf-py DIR           llama.cpp's gguf-py, if the `gguf` package is not installed
  --llama-bin DIR         llama.cpp build bin dir (scripts/build_llama_cpp.sh); when given,
                          also runs llama-perplexity on Tests/Fixtures/text/kk_sample.txt
                          and writes <model>/perplexity.json

Requires llama-cpp-python==0.3.36 (the oracle; the version is checked) and numpy.
Every model is loaded as
    llama_cpp.Llama(model_path=..., n_ctx=512, n_threads=2, logits_all=True, verbose=False, seed=0)

Outputs (see Tests/Fixtures/README.md for field meanings):
  Tests/Fixtures/strings.json                  the tokenizer test strings
  Tests/Fixtures/<model>/tokenize.json         ids / ids_bos / ids_special (+ pieces) per string
  Tests/Fixtures/<model>/greedy.json           greedy continuations + last-position logits
  Tests/Fixtures/<model>/greedy-plain-kernels.json  (with --plain-kernels) the same, with llama.cpp's
                                               repacked/tiled matmuls off (isolates the forward pass)
  Tests/Fixtures/<model>/perplexity.json       (with --llama-bin) llama-perplexity -c 128 result
for <model> in smollm2-135m, gemma3-270m, llama3-tiny.
"""
import argparse
import ctypes
import json
import os
import re
import subprocess
import sys

import numpy as np

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIX = os.path.join(ROOT, "Tests", "Fixtures")

MODELS = {
    "smollm2-135m": "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma3-270m/gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-q4_k_m.gguf",
    "llama3-tiny": None,  # committed fixture, Tests/Fixtures/llama3-tiny/llama3-tiny.gguf
}

# ---------------------------------------------------------------------------
# Tokenizer test strings. Keep the order stable (Swift tests index by position too).
STRINGS = [
    # Kazakh (all the Kazakh-specific letters, lower and upper case)
    "Сәлеметсіз бе! Қалыңыз қалай?",
    "Қазақстан — Орталық Азиядағы ең үлкен мемлекет.",
    "ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І",
    "ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
    "Абай Құнанбайұлы — ұлы ақын, ағартушы, ойшыл. Ол 1845 жылы дүниеге келген.",
    "Менің атым Айгүл, мен Алматыда тұрамын. Таңертең шәй ішемін.",
    # Russian
    "Привет, как дела? Всё хорошо, спасибо!",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    # English with contractions (incl. uppercase 'S)
    "It's a test: I can't, we're, they've, I'm, you'll, he'd.",
    "IT'S JOHN'S CAR, ISN'T IT? WE'LL SEE, THEY'D SAY.",
    "The quick brown fox jumps over the lazy dog.",
    # code
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "{\"name\": \"Aqyl\", \"version\": 1, \"tags\": [\"kk\", \"ru\"], \"ok\": true, \"x\": null}",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    # digits
    "1",
    "12",
    "1234567",
    "3.14159",
    "2024-11-30",
    "Price: $1,234.56 (-7%), 0.001, 1e-5, 100000000000",
    # emoji
    "Hello 👋 world 🌍! 😀😃😄",
    "Flags: 🇰🇿 🇷🇺 🇺🇸 🏳️‍🌈",
    "Skin tones: 👍🏻 👍🏽 👍🏿 👩🏾‍💻",
    # whitespace
    "a  b   c    d",
    "tab\tseparated\t\tvalues",
    "line1\n\n\nline2",
    "windows\r\nline\r\nendings",
    "trailing spaces   ",
    "   ",
    "\n",
    " \t \n \r\n  ",
    " leading space",
    "  two leading spaces",
    "",
    # special-token look-alikes (tokenized as text unless special=True)
    "<|im_start|>user\nhi<|im_end|>",
    "<start_of_turn>user",
    "<|begin_of_text|>",
    "<s>",
    "</s>",
    "<bos>",
    "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    # mixed scripts
    "Мен Python-ды жақсы көремін, но иногда пишу на Swift. OK?",
    "我爱自然语言处理。你好，世界！",
    "مرحبا بالعالم، كيف حالك؟",
    "日本語とEnglishと한국어",
    # Latin homoglyphs inside Cyrillic words (Latin a, o, e, p, c, x, i)
    "Кaзaқcтaн пpeзидeнтi",
    "Алмaты — oңтүстiк астана",
    # URL, punctuation
    "https://example.kz/path?q=сәлем&lang=kk#top",
    "Wait... what?!?! --- (yes) [no] {maybe} <<>> ***",
    "!!!???...,,,;;;::",
    # accented Latin, ZWJ, NBSP, other odd code points
    "Café naïve façade Straße Ärger œuvre",
    "zero\u200bwidth space and joiner a\u200db",
    "non\u00a0breaking\u00a0space 100\u00a0000",
    "soft\u00adhyphen, em—dash, en–dash, «ёлочки», „quotes“",
    "Qazaqstan Respublikasy — latın älipbiı: ä ğ q ñ ö ū ü h ı",
]

# Greedy prompts. (text, special) -- special=True parses control tokens in the text.
GREEDY_PROMPTS_COMMON = [
    ("The capital of France is", False),
    ("Once upon a time, in a small village,", False),
    ("def fibonacci(n):\n", False),
    ("import numpy as np\n\nx = np.", False),
    ("1, 2, 3, 4, 5,", False),
    ("Қазақстанның астанасы", False),
    ("Абай Құнанбайұлы — қазақтың ұлы", False),
    ("Сәлем! Менің атым", False),
    ("Москва — столица", False),
    ("Привет! Как", False),
    ("The Kazakh steppe is", False),
    ("{\"name\": \"Almaty\", \"population\":", False),
    ("Q: What is 2+2?\nA:", False),
]
GREEDY_PROMPTS = {
    "smollm2-135m": GREEDY_PROMPTS_COMMON + [
        ("<|im_start|>user\nWhat is the capital of Kazakhstan?<|im_end|>\n<|im_start|>assistant\n", True),
        ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
         "Write a haiku about mountains.<|im_end|>\n<|im_start|>assistant\n", True),
    ],
    "gemma3-270m": GREEDY_PROMPTS_COMMON + [
        ("<start_of_turn>user\nWhat is the capital of Kazakhstan?<end_of_turn>\n<start_of_turn>model\n", True),
    ],
    "qwen2.5-coder-0.5b": GREEDY_PROMPTS_COMMON + [
        ("<|im_start|>user\nWrite a Python function that reverses a string.<|im_end|>\n<|im_start|>assistant\n", True),
    ],
    "llama3-tiny": [
        ("Hello, world", False),
        ("Қазақстан", False),
        ("<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", True),
        ("def f(x): return 2*x", False),
    ],
}
N_GEN = {"smollm2-135m": 24, "gemma3-270m": 24, "qwen2.5-coder-0.5b": 24, "llama3-tiny": 16}
N_TOP = 64
N_PROBE = 32


def probe_ids(n_vocab):
    """32 fixed ids: a few small ones plus an even spread up to n_vocab-1."""
    base = [i for i in [0, 1, 2, 3, 10, 13, 100, 255, 256, 1000, 10000] if i < n_vocab]
    k = N_PROBE - len(base) + 1
    while True:
        ids = sorted(set(base) | set(np.linspace(0, n_vocab - 1, k).astype(int).tolist()))
        if len(ids) >= N_PROBE:
            return ids[:N_PROBE - 1] + [n_vocab - 1] if len(ids) > N_PROBE else ids
        k += 1


def dumps_list(entries):
    """A JSON list with one compact entry per line (diff-friendly, small)."""
    return "[\n" + ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries) + "\n]\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote", os.path.relpath(path, ROOT))


def token_piece(llama_cpp, vocab, tok, special):
    """Raw bytes of one token (llama_token_to_piece, lstrip=0), no size limit."""
    size = 256
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_token_to_piece(vocab, tok, buf, size, 0, special)
        if n < 0:
            size = -n + 1
            continue
        return buf.raw[:n]


PLAIN_KERNELS = False


def load(llama_cpp, path):
    if PLAIN_KERNELS:
        orig = llama_cpp.llama_model_default_params

        def no_repack():
            params = orig()
            params.use_extra_bufts = False
            return params
        llama_cpp.llama_model_default_params = no_repack
        llama_cpp.llama.llama_cpp.llama_model_default_params = no_repack
    return llama_cpp.Llama(model_path=path, n_ctx=512, n_threads=2, logits_all=True,
                           verbose=False, seed=0)


def model_info(llm, path):
    md = dict(llm.metadata)
    keep = {k: v for k, v in md.items()
            if k.startswith(("general.architecture", "tokenizer.ggml.model", "tokenizer.ggml.pre",
                             "tokenizer.ggml.bos", "tokenizer.ggml.eos", "tokenizer.ggml.add",
                             "tokenizer.ggml.eot", "tokenizer.ggml.padding", "tokenizer.ggml.unknown"))}
    return {
        "file": os.path.basename(path),
        "file_size": os.path.getsize(path),
        "n_vocab": llm.n_vocab(),
        "token_bos": llm.token_bos(),
        "token_eos": llm.token_eos(),
        "metadata": keep,
    }


def gen_tokenize(llama_cpp, llm, name, info):
    vocab = llm._model.vocab
    out = []
    for s in STRINGS:
        b = s.encode("utf-8")
        e = {"text": s}
        e["ids"] = llm.tokenize(b, add_bos=False, special=False)
        e["ids_bos"] = llm.tokenize(b, add_bos=True, special=False)
        e["ids_special"] = llm.tokenize(b, add_bos=False, special=True)
        e["pieces"] = [token_piece(llama_cpp, vocab, t, True).hex() for t in e["ids"]]
        if e["ids_special"] != e["ids"]:
            e["pieces_special"] = [token_piece(llama_cpp, vocab, t, True).hex() for t in e["ids_special"]]
        # detokenize round trip (special=False) of the plain ids, as raw concatenated pieces
        rt = b"".join(token_piece(llama_cpp, vocab, t, False) for t in e["ids"])
        if rt != b:
            e["roundtrip_mismatch_hex"] = rt.hex()
        out.append(e)
    header = {"_about": f"llama.cpp tokenization via llama-cpp-python {LLAMA_CPP_PYTHON_VERSION}: "
                        "ids = tokenize(add_bos=False, special=False); ids_bos = (add_bos=True, special=False) "
                        "[add_bos maps to llama_tokenize add_special, so BOS only if the vocab wants it]; "
                        "ids_special = (add_bos=False, special=True); pieces = hex of llama_token_to_piece(id, lstrip=0, special=True) for ids",
              "model": info}
    write(os.path.join(FIX, name, "tokenize.json"), dumps_list([header] + out))
    return out


def gen_greedy(llama_cpp, llm, name, info):
    vocab = llm._model.vocab
    n_vocab = llm.n_vocab()
    probes = probe_ids(n_vocab)
    out = []
    for text, special in GREEDY_PROMPTS[name]:
        prompt_ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=special)
        llm.reset()
        llm.eval(prompt_ids)
        last = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        order = np.argsort(-last, kind="stable")[:N_TOP]
        gen = []
        margins = []
        first = int(np.argmax(last))
        for step in range(N_GEN[name]):
            row = last if step == 0 else np.asarray(llm.scores[llm.n_tokens - 1], dtype=np.float32)
            tok = int(np.argmax(row))
            top2 = np.partition(row, -2)[-2:]
            margins.append(float(top2[1] - top2[0]))
            gen.append(tok)
            if step < N_GEN[name] - 1:
                llm.eval([tok])
        gen_text = b"".join(token_piece(llama_cpp, vocab, t, False) for t in gen).decode("utf-8", errors="replace")
        out.append({
            "prompt": text,
            "special": special,
            "add_bos": True,
            "prompt_ids": prompt_ids,
            "generated_ids": gen,
            "generated_text": gen_text,
            "gen_margins": margins,
            "top_logits": [[int(i), float(last[i])] for i in order],
            "probe_logits": [[int(i), float(last[i])] for i in probes],
            "logit_mean": float(np.mean(last.astype(np.float64))),
            "logit_std": float(np.std(last.astype(np.float64))),
            "logit_argmax": first,
        })
        print(f"  [{name}] {text[:40]!r} -> {gen_text[:60]!r}")
    header = {"_about": f"greedy decoding with llama-cpp-python {LLAMA_CPP_PYTHON_VERSION}: prompt_ids = "
                        "tokenize(prompt, add_bos=True [=add_special, BOS only if the vocab adds it], special=<special>); "
                        "llm.reset(); llm.eval(prompt_ids) (one batch, n_batch=512); then argmax(scores[n_tokens-1]) "
                        "(first max on ties), eval([tok]) one token at a time, no stopping at EOS. "
                        "gen_margins[k] = top1 - top2 logit when choosing generated_ids[k] (small = fragile step). "
                        "top_logits/probe_logits/logit_mean/logit_std are for the last prompt position. "
                        "generated_text = concatenated raw pieces (special=False) decoded as UTF-8 with replacement.",
              "n_ctx": 512, "n_threads": 2, "n_gen": N_GEN[name], "probe_ids": probes, "model": info}
    fname = "greedy-plain-kernels.json" if PLAIN_KERNELS else "greedy.json"
    if PLAIN_KERNELS:
        header["_about"] += (" PLAIN KERNELS: generated with llama.cpp's weight repacking (use_extra_bufts=false)"
                             " and tiled K-quant matmuls (GGML_CPU_TILED_MM=0) turned off, so every matmul runs"
                             " ggml's vec_dot kernels.")
    write(os.path.join(FIX, name, fname), dumps_list([header] + out))
    return out


def _llama_perplexity(bin_dir, name, path, batch):
    text = os.path.join(FIX, "text", "kk_sample.txt")
    exe = os.path.join(bin_dir, "llama-perplexity")
    cmd = [exe, "-m", path, "-f", text, "-c", "128", "-t", "2"] + (["-b", str(batch)] if batch else [])
    res = subprocess.run(cmd, capture_output=True, text=True)
    log = res.stdout + res.stderr
    m = re.search(r"Final estimate: PPL = ([0-9.]+) \+/- ([0-9.]+)", log)
    if res.returncode != 0 or not m:
        print(log[-3000:])
        raise SystemExit(f"llama-perplexity failed for {name}")
    return m, log


def run_perplexity(bin_dir, name, path):
    # -b 128 (= -c): one chunk per batch (n_seq = 1), as `aqyl eval perplexity
    # --llama-compatible` evaluates. With the default -b 2048 llama-perplexity
    # packs 16 chunks into one batch, and for Gemma-3 that alone moves its own
    # result by 1.5% (25.24 vs 24.87); that number is kept for reference.
    m, log = _llama_perplexity(bin_dir, name, path, 128)
    packed, _ = _llama_perplexity(bin_dir, name, path, None)
    chunks = [float(x) for x in re.findall(r"\[\d+\]([0-9.]+)", log)]
    nchunk = re.search(r"calculating perplexity over (\d+) chunks", log)
    rel_model = os.path.join("$MODELS_DIR", MODELS[name]) if MODELS[name] else os.path.relpath(path, ROOT)
    out = {
        "ctx": 128,
        "ppl": float(m.group(1)),
        "ppl_stderr": float(m.group(2)),
        "n_chunks": int(nchunk.group(1)) if nchunk else None,
        "chunk_running_ppl": chunks,
        "ppl_default_batch": float(packed.group(1)),
        "text": "Tests/Fixtures/text/kk_sample.txt",
        "command": f"llama-perplexity -m {rel_model} -f Tests/Fixtures/text/kk_sample.txt -c 128 -b 128 -t 2",
        "command_default_batch": f"llama-perplexity -m {rel_model} -f Tests/Fixtures/text/kk_sample.txt -c 128 -t 2",
        "llama_cpp": f"vendor/llama.cpp of llama-cpp-python {LLAMA_CPP_PYTHON_VERSION} (scripts/build_llama_cpp.sh)",
    }
    write(os.path.join(FIX, name, "perplexity.json"), json.dumps(out, indent=1) + "\n")
    print(f"  [{name}] PPL = {out['ppl']} (default batch: {out['ppl_default_batch']})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--llama3-tokenizer", default=None)
    ap.add_argument("--gguf-py", default=None)
    ap.add_argument("--llama-bin", default=None)
    ap.add_argument("--only", nargs="*", default=None, help="subset of: " + " ".join(MODELS))
    ap.add_argument("--plain-kernels", action="store_true",
                    help="write <model>/greedy-plain-kernels.json with repacking and tiled matmuls off (greedy only)")
    args = ap.parse_args()
    global PLAIN_KERNELS
    PLAIN_KERNELS = args.plain_kernels
    if PLAIN_KERNELS:
        os.environ["GGML_CPU_TILED_MM"] = "0"   # read once by ggml-cpu, before the first matmul

    import llama_cpp
    if llama_cpp.__version__ != LLAMA_CPP_PYTHON_VERSION:
        sys.exit(f"need llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}, found {llama_cpp.__version__}")

    write(os.path.join(FIX, "strings.json"), dumps_list(STRINGS))

    tiny = os.path.join(FIX, "llama3-tiny", "llama3-tiny.gguf")
    if args.llama3_tokenizer:
        cmd = [sys.executable, os.path.join(ROOT, "scripts", "make_llama3_tiny.py"),
               "--tokenizer", args.llama3_tokenizer, "--out", tiny]
        if args.gguf_py:
            cmd += ["--gguf-py", args.gguf_py]
        subprocess.run(cmd, check=True)

    for name, rel in MODELS.items():
        if args.only and name not in args.only:
            continue
        path = os.path.join(args.models_dir, rel) if rel else tiny
        if not os.path.exists(path):
            sys.exit(f"missing model {path}")
        print(f"== {name}: {path}")
        llm = load(llama_cpp, path)
        info = model_info(llm, path)
        if not PLAIN_KERNELS:
            gen_tokenize(llama_cpp, llm, name, info)
        gen_greedy(llama_cpp, llm, name, info)
        del llm
        if args.llama_bin and name != "llama3-tiny":
            run_perplexity(args.llama_bin, name, path)


if __name__ == "__main__":
    main()
