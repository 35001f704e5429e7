#!/usr/bin/env python3
"""Regenerate the prompt-logprob goldens that `/v1/completions` echo+logprobs
(the lm-evaluation-harness log-likelihood contract) is checked against.

Usage: python3 scripts/make_logprob_fixtures.py --models-dir ~/.cache/aqyl/models

For each prompt, llama.cpp (llama-cpp-python==0.3.36, logits_all=True, n_ctx=512,
n_threads=2) evaluates the prompt tokens (BOS added, specials parsed) in one batch;
the golden is log_softmax(logits[i-1])[token i] for every token after the first,
plus the greedy next token and its logprob. Written to
Tests/Fixtures/<model>/prompt_logprobs.json.
"""
import argparse
import json
import os

import numpy as np
import llama_cpp

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
MODELS = {
    "smollm2-135m": "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b/qwen2.5-coder-0.5b-q4_k_m.gguf",
    "gemma3-270m": "gemma3-270m/gemma-3-270m-q4_k_m.gguf",
}
# Context + continuation pairs as a multiple-choice harness would send them.
PROMPTS = [
    "Question: What is the capital of Kazakhstan?\nAnswer: Astana",
    "Қазақстанның астанасы — Астана.",
    "Абай Құнанбайұлы — ұлы ақын, ағартушы, ойшыл.",
    "Столица Казахстана — Астана.",
    "The quick brown fox jumps over the lazy dog.",
    "def add(a, b):\n    return a + b",
]


def log_softmax(row):
    row = row.astype(np.float64)
    m = row.max()
    return row - (m + np.log(np.exp(row - m).sum()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", required=True)
    args = ap.parse_args()
    assert llama_cpp.__version__ == "0.3.36", llama_cpp.__version__
    for name, rel in MODELS.items():
        llm = llama_cpp.Llama(model_path=os.path.join(args.models_dir, rel), n_ctx=512, n_threads=2,
                              logits_all=True, verbose=False, seed=0)
        cases = []
        for text in PROMPTS:
            ids = llm.tokenize(text.encode(), add_bos=True, special=True)
            llm.reset()
            llm.eval(ids)
            scores = np.array(llm.scores[: len(ids)])
            logprobs = [None] + [float(log_softmax(scores[i - 1])[ids[i]]) for i in range(1, len(ids))]
            last = log_softmax(scores[len(ids) - 1])
            nxt = int(last.argmax())
            cases.append({"prompt": text, "prompt_ids": ids, "token_logprobs": logprobs,
                          "next_id": nxt, "next_logprob": float(last[nxt])})
        out = {"oracle": f"llama-cpp-python {llama_cpp.__version__}", "model": rel, "cases": cases}
        path = os.path.join(FIX, name, "prompt_logprobs.json")
        with open(path, "w") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)
        print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
