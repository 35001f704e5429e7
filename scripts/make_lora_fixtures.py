#!/usr/bin/env python3
"""Regenerate the LoRA interop goldens: an adapter trained by `aqyl finetune`,
loaded into llama.cpp (llama-cpp-python==0.3.36, `lora_path`), must give the
same prompt logprobs in llama.cpp and in Aqyl.

Usage: python3 scripts/make_lora_fixtures.py --aqyl .build/release/aqyl --models-dir ~/.cache/aqyl/models

1. Trains Tests/Fixtures/lora/smollm2-kk-r1.gguf with Aqyl (rank 1 on q,v,down, 4 steps
   at a high learning rate so the adapter visibly changes the model; small enough to commit).
2. llama.cpp evaluates each prompt (BOS added, specials parsed) with the adapter,
   logits_all=True, n_ctx=512, n_threads=2, and without it.
3. Writes Tests/Fixtures/lora/smollm2-kk-r1.json: per prompt the ids, log_softmax(logits[i-1])[id i]
   with and without the adapter, and the greedy next token with the adapter.
"""
import argparse
import json
import os
import subprocess

import numpy as np
import llama_cpp

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "lora")
MODEL = "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"
ADAPTER = os.path.join(OUT, "smollm2-kk-r1.gguf")
PROMPTS = [
    "Қазақстанның астанасы — Астана.",
    "Абай Құнанбайұлы — ұлы ақын, ағартушы, ойшыл.",
    "Question: What is the capital of Kazakhstan?\nAnswer: Astana",
    "Бүгін ауа райы жылы, күн ашық.",
]


def log_softmax(row):
    row = row.astype(np.float64)
    m = row.max()
    return row - (m + np.log(np.exp(row - m).sum()))


def score(llm, ids):
    llm.reset()
    llm.eval(ids)
    scores = np.array(llm.scores[: len(ids)])
    lps = [None] + [float(log_softmax(scores[i - 1])[ids[i]]) for i in range(1, len(ids))]
    last = log_softmax(scores[len(ids) - 1])
    return lps, int(last.argmax()), float(last.max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aqyl", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--keep-adapter", action="store_true", help="reuse the committed adapter instead of training it again")
    args = ap.parse_args()
    assert llama_cpp.__version__ == "0.3.36", llama_cpp.__version__
    os.makedirs(OUT, exist_ok=True)
    if not args.keep_adapter:
        subprocess.run([args.aqyl, "finetune", "-m", "smollm2-135m", "--data", os.path.join(ROOT, "Tests/Fixtures/text/kk_sample.txt"),
                        "--out", ADAPTER, "--rank", "1", "--alpha", "4", "--targets", "q,v,down", "--steps", "4",
                        "--lr", "3e-3", "--ctx", "64", "--threads", "2", "--seed", "1", "--quiet"], check=True)
        for ext in (".loss.csv", ".loss.svg", ".run.json", ".ckpt.gguf"):
            p = ADAPTER[:-5] + ext
            if os.path.exists(p):
                os.remove(p)
    path = os.path.join(args.models_dir, MODEL)
    base = llama_cpp.Llama(model_path=path, n_ctx=512, n_threads=2, logits_all=True, verbose=False, seed=0)
    lora = llama_cpp.Llama(model_path=path, lora_path=ADAPTER, n_ctx=512, n_threads=2, logits_all=True, verbose=False, seed=0)
    cases = []
    for text in PROMPTS:
        ids = lora.tokenize(text.encode(), add_bos=True, special=True)
        lps, nxt, nlp = score(lora, ids)
        base_lps, _, _ = score(base, ids)
        cases.append({"prompt": text, "prompt_ids": ids, "token_logprobs": lps, "base_token_logprobs": base_lps,
                      "next_id": nxt, "next_logprob": nlp})
    with open(ADAPTER[:-5] + ".json", "w") as f:
        json.dump({"generator": "llama-cpp-python 0.3.36 (lora_path), n_ctx 512, n_threads 2, logits_all",
                   "adapter": os.path.basename(ADAPTER), "cases": cases}, f, indent=1, ensure_ascii=False)
    print("wrote", ADAPTER, "and its goldens")


if __name__ == "__main__":
    main()
