#!/usr/bin/env python3
"""Differential fixtures for `aqyl vocab extend`: llama.cpp loads the extended models and
tokenizes test strings with them.

Usage:
    swift build --product aqyl && python3 scripts/make_vocab_fixtures.py [--aqyl .build/debug/aqyl]

For each model below, runs `aqyl vocab extend` on the committed Kazakh corpus, loads the
result with llama-cpp-python 0.3.36 (vocab_only), and writes
Tests/Fixtures/vocab-extend/NAME.json: the command's settings, the learned token strings
(so the test knows it extended the same way), llama.cpp's n_vocab, and for every test string
llama.cpp's ids with special=False and special=True. The test (VocabExtensionParityTests)
repeats the extension in-process and compares Aqyl's tokenizer on the extended vocabulary
with these ids; it reads only the fixture.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "vocab-extend")
CORPUS = ["data/kk/train.txt", "data/kk/corpus/news.txt", "data/kk/corpus/everyday.txt",
          "data/kk/corpus/technical.txt", "data/kk/corpus/literary.txt"]
HELD_OUT = ["data/kk/heldout.txt"]  # the strings llama.cpp tokenizes (plus strings.json)
# name -> (model argument, tokens to add)
MODELS = {
    "smollm2-135m": ("smollm2-135m", 2000),
    "llama3-tiny": ("Tests/Fixtures/llama3-tiny/llama3-tiny.gguf", 2000),
    "gemma3-270m": ("gemma3-270m", 1000),
}
MIN_FREQUENCY = 3


def strings():
    out = json.load(open(os.path.join(ROOT, "Tests", "Fixtures", "strings.json"), encoding="utf-8"))
    for path in HELD_OUT:
        full = os.path.join(ROOT, path)
        if not os.path.exists(full):
            continue
        text = open(full, encoding="utf-8").read()
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        out += paragraphs[:40]
        out.append(text[:3000])  # line breaks and section titles too
    out += ["Қазақстан Республикасы", " қазақша", "ҚАЗАҚША", "қазақ-орыс", "1991 жылы", "\n\nҚазақ\tтілі  ",
            "Алматы, Астана, Шымкент.", "ӘҒҚҢӨҰҮҺІ", "әжеміздің", "<|im_start|>user\nСәлем<|im_end|>"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aqyl", default=os.path.join(ROOT, ".build", "debug", "aqyl"))
    ap.add_argument("--only", help="one model name")
    args = ap.parse_args()
    import llama_cpp
    if llama_cpp.__version__ != LLAMA_CPP_PYTHON_VERSION:
        sys.exit(f"need llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}, found {llama_cpp.__version__}")
    os.makedirs(FIX, exist_ok=True)
    texts = strings()
    for name, (model, add) in MODELS.items():
        if args.only and name != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, name + "-kk.gguf")
            cmd = [args.aqyl, "vocab", "extend", "-m", model, "--add", str(add), "--min-frequency", str(MIN_FREQUENCY),
                   "--out", out, "--json"]
            for c in CORPUS:
                cmd += ["--corpus", c]
            summary = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
            llm = llama_cpp.Llama(model_path=out, vocab_only=True, verbose=False)
            cases = []
            for s in texts:
                b = s.encode("utf-8")
                cases.append({"text": s,
                              "ids": llm.tokenize(b, add_bos=False, special=False),
                              "ids_special": llm.tokenize(b, add_bos=False, special=True)})
            fixture = {
                "_about": f"`aqyl vocab extend` output loaded by llama-cpp-python {LLAMA_CPP_PYTHON_VERSION} (vocab_only); "
                          "ids = tokenize(add_bos=False, special=False), ids_special = (special=True). "
                          "Regenerate with scripts/make_vocab_fixtures.py.",
                "model": model, "add": add, "min_frequency": MIN_FREQUENCY, "corpus": CORPUS,
                "base_vocab_size": summary["base_vocab_size"],
                "n_vocab": llm.n_vocab(),
                "tokens": [t["text"] for t in summary["tokens"]],
                "cases": cases,
            }
            del llm
        path = os.path.join(FIX, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(fixture, f, ensure_ascii=False, indent=0)
            f.write("\n")
        n_tok = sum(len(c["ids"]) for c in cases)
        print(f"{name}: +{len(fixture['tokens'])} tokens, n_vocab {fixture['n_vocab']}, {len(cases)} strings, {n_tok} ids -> {path}")


if __name__ == "__main__":
    main()
