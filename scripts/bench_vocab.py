#!/usr/bin/env python3
"""Vocabulary extension, measured end to end (issue 18 §1-2; docs/vocabulary.md, docs/benchmarks.md).

Usage:
    swift build -c release --product aqyl
    python3 scripts/bench_vocab.py [--add 2000] [--steps 80] [--threads 2] [--out /tmp/bench_vocab]

Learns Kazakh tokens from the training corpus only (TRAIN below), then on held-out text
(HELD_OUT: topics no training file covers):
  1. tokens per word before/after (`aqyl corpus fertility`) for SmolLM2 and for the tiny model
     carrying the real Llama-3 vocabulary (tokenizer only), and Gemma-3;
  2. bits per character of SmolLM2 before and after the extension, before any training
     (`aqyl eval perplexity --ctx 2048`: rolling windows of 2048 tokens, hundreds of
     words of context for either tokenizer, so the shorter one does not win by seeing more);
  3. the same LoRA budget (rank 8, ctx 256, --steps, lr 2e-4) on the original SmolLM2 and on the
     extended one with --train-embeddings new; bits per character of each on the held-out text;
  4. generation speed (`aqyl bench -p 0 -n 64`) of both, in tokens/s and in Kazakh words/s
     (tokens/s divided by the held-out tokens per word).
Prints a Markdown table; every number comes from this run.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = ["data/kk/train.txt", "data/kk/corpus/news.txt", "data/kk/corpus/everyday.txt",
         "data/kk/corpus/technical.txt", "data/kk/corpus/literary.txt"]
HELD_OUT = ["data/kk/heldout.txt", "data/kk/corpus-heldout.txt"]


def run(args, **kw):
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aqyl", default=os.path.join(ROOT, ".build", "release", "aqyl"))
    ap.add_argument("--add", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="/tmp/bench_vocab")
    args = ap.parse_args()
    aq = args.aqyl
    os.makedirs(args.out, exist_ok=True)
    out = lambda name: os.path.join(args.out, name)
    train = out("train.txt")
    held = out("heldout.txt")
    for path, parts in [(train, TRAIN), (held, HELD_OUT)]:
        with open(path, "w", encoding="utf-8") as f:
            for p in parts:
                f.write(open(os.path.join(ROOT, p), encoding="utf-8").read().strip() + "\n\n")
    corpus = sum((["--corpus", p] for p in TRAIN), [])
    t = str(args.threads)

    rows = []
    models = {"smollm2-135m": "smollm2-135m", "llama3-tiny (Llama-3 vocab)": "Tests/Fixtures/llama3-tiny/llama3-tiny.gguf",
              "gemma3-270m": "gemma3-270m"}
    extended = {}
    for label, m in models.items():
        ext = out(label.split()[0] + "-kk.gguf")
        s = json.loads(run([aq, "vocab", "extend", "-m", m, *corpus, "--add", str(args.add), "--out", ext, "--json"]))
        f = json.loads(run([aq, "corpus", "fertility", "-m", m, "-m", ext, "--json", held]))
        before, after = (r["cost"]["tokens_per_word"] for r in f)
        rows.append((label, s["base_vocab_size"], s["added"], before, after, s["seconds"]))
        extended[label] = ext
    print(f"held-out text: {', '.join(HELD_OUT)}; tokens learned from: {', '.join(TRAIN)}\n")
    print("| model | vocab | added | tokens/word before | after | change | learn s |")
    print("|---|---|---|---|---|---|---|")
    for label, v, a, b, af, sec in rows:
        print(f"| {label} | {v} | +{a} | {b:.3f} | {af:.3f} | {100 * (af / b - 1):+.1f}% | {sec:.1f} |")

    def bpc(model, lora=None):
        cmd = [aq, "eval", "perplexity", "-m", model, "--file", held, "--ctx", "2048", "-t", t, "--json"]
        if lora:
            cmd += ["--lora", lora]
        j = json.loads(run(cmd))
        return j["bits_per_char"], j["tokens_per_word"]

    ext = extended["smollm2-135m"]
    base_bpc, base_tpw = bpc("smollm2-135m")
    ext_bpc, ext_tpw = bpc(ext)
    common = ["--data", train, "--eval-split", "0", "--steps", str(args.steps), "--ctx", "256", "--rank", "8",
              "--lr", "2e-4", "-t", t, "--quiet"]
    run([aq, "finetune", "-m", "smollm2-135m", *common, "--out", out("A.gguf")])
    run([aq, "finetune", "-m", ext, "--train-embeddings", "new", *common, "--out", out("B.gguf")])
    a_bpc, _ = bpc("smollm2-135m", out("A.gguf"))
    b_bpc, _ = bpc(out("B.model.gguf"), out("B.gguf"))
    ra = json.load(open(out("A.run.json")))["report"]
    rb = json.load(open(out("B.run.json")))["report"]
    print(f"\nSmolLM2-135M, held-out bits per character (eval perplexity --ctx 2048):\n")
    print("| | tokens/word | bits/char | training tok/s |")
    print("|---|---|---|---|")
    print(f"| original | {base_tpw:.3f} | {base_bpc:.4f} | |")
    print(f"| extended +{args.add}, untrained (FVT rows) | {ext_tpw:.3f} | {ext_bpc:.4f} ({100 * (ext_bpc / base_bpc - 1):+.1f}%) | |")
    print(f"| original + LoRA r8, {args.steps} steps × 256 tokens | {base_tpw:.3f} | {a_bpc:.4f} | {ra['tokensPerSecond']:.1f} |")
    print(f"| extended + LoRA r8 + new rows, same budget | {ext_tpw:.3f} | {b_bpc:.4f} ({100 * (b_bpc / a_bpc - 1):+.1f}% vs LoRA alone) | {rb['tokensPerSecond']:.1f} |")

    def tg(model):
        j = json.loads(run([aq, "bench", "-m", model, "-p", "0", "-n", "64", "-r", "5", "-t", t, "--json"]))
        return j["tg_tokens_per_s"]

    base_tg, ext_tg = tg("smollm2-135m"), tg(out("B.model.gguf"))
    print(f"\nGeneration (aqyl bench -p 0 -n 64 -r 5 -t {t}; words/s = tokens/s ÷ held-out tokens/word):\n")
    print("| model | tg64 tokens/s | Kazakh words/s |")
    print("|---|---|---|")
    print(f"| original SmolLM2 | {base_tg:.1f} | {base_tg / base_tpw:.1f} |")
    print(f"| extended, trained rows | {ext_tg:.1f} | {ext_tg / ext_tpw:.1f} ({ext_tg / ext_tpw / (base_tg / base_tpw):.2f}×) |")


if __name__ == "__main__":
    main()
