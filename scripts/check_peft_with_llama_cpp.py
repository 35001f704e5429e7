#!/usr/bin/env python3
"""Cross-check `aqyl adapter import-peft` and `aqyl merge` with llama.cpp itself.

Usage:
    swift build && python3 scripts/check_peft_with_llama_cpp.py [--aqyl .build/debug/aqyl]

Needs llama-cpp-python (the oracle of Tests/Fixtures; see its README) and numpy.
Converts Tests/Fixtures/peft/adapter with the CLI, merges it as f32/f16/q8_0,
then has llama.cpp run the base model with the GGUF adapter (`lora_path`) and
each merged model, and compares every position's logits with the numpy
golden file. llama.cpp keeps K/V in F16, so expect differences of ~1e-3
(F32, F16) and ~0.1 (Q8_0, which also rounds activations), not 1e-6.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from llama_cpp import Llama

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "peft")
LIMITS = {"base": 5e-3, "adapter": 5e-3, "f32": 5e-3, "f16": 1e-2, "q8_0": 0.2}


def logits(model, cases, lora=None):
    llm = Llama(model_path=model, lora_path=lora, n_ctx=64, n_threads=2, logits_all=True, verbose=False, seed=0)
    out = []
    for c in cases:
        llm.reset()
        llm.eval(c["tokens"])
        out.append(np.array(llm.scores[: len(c["tokens"])]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aqyl", default=os.path.join(ROOT, ".build", "debug", "aqyl"))
    args = ap.parse_args()
    cases = json.load(open(os.path.join(FIXTURES, "logits.json")))["cases"]
    model = os.path.join(FIXTURES, "tiny-llama.gguf")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        lora = os.path.join(tmp, "lora.gguf")
        subprocess.run([args.aqyl, "adapter", "import-peft", os.path.join(FIXTURES, "adapter"),
                        "--model", model, "--out", lora], check=True)
        runs = [("base", model, None, "base"), ("adapter", model, lora, "adapted")]
        for t in ["f32", "f16", "q8_0"]:
            merged = os.path.join(tmp, f"merged-{t}.gguf")
            subprocess.run([args.aqyl, "merge", "--model", model, "--lora", lora, "--out", merged, "--type", t], check=True)
            runs.append((t, merged, None, "adapted"))
        for label, path, adapter, key in runs:
            got = logits(path, cases, adapter)
            diff = max(np.abs(g - np.array(c[key])).max() for g, c in zip(got, cases))
            good = diff < LIMITS[label]
            ok &= good
            print(f"{'ok  ' if good else 'FAIL'} {label:8s} max |llama.cpp - numpy {key}| = {diff:.3g}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
