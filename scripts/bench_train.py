#!/usr/bin/env python3
"""LoRA training speed, Aqyl vs PyTorch + PEFT on the same CPU, same run.

Usage: python3 scripts/bench_train.py --aqyl .build/release/aqyl [--models smollm2-135m gemma3-270m]
           [--steps 8] [--rounds 2] [--ctx 256] [--rank 8] [--threads 2] [--no-torch]

Aqyl: `aqyl finetune --steps N` on data/kk/train.txt (rank 8, alpha 16, all seven
targets, ctx 256, batch 1, 2 threads, no eval); tokens/s is ctx / the median step time
after the first step, from the run's .run.json, and peak RSS too. PyTorch: scripts/bench_train_torch.py
with the same model file (dequantized to F32 by transformers), rank, targets, ctx,
batch and threads. Rounds alternate the two so machine noise hits both; the table
shows medians and the ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
MODELS_DIR = os.environ.get("AQYL_MODELS", os.path.expanduser("~/.cache/aqyl/models"))


def aqyl_run(args, model, backward):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "bench.gguf")
        cmd = [args.aqyl, "finetune", "-m", model, "--data", os.path.join(ROOT, "data/kk/train.txt"), "--out", out,
               "--steps", str(args.steps), "--ctx", str(args.ctx), "--rank", str(args.rank), "--alpha", str(2 * args.rank),
               "-t", str(args.threads), "--backward", backward, "--eval-split", "0", "--quiet"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        r = json.load(open(out[:-5] + ".run.json"))["report"]
        # Median step time after the first (which builds the int8 Wᵀ copies), as the PyTorch script times it.
        t = [h["elapsedSeconds"] for h in r["history"]]
        steps = [b - a for a, b in zip(t, t[1:])]
        return args.ctx / statistics.median(steps), r["peakRSSBytes"] / 1e6


def torch_run(args, model):
    cmd = [sys.executable, os.path.join(ROOT, "scripts/bench_train_torch.py"), "--model-dir", os.path.join(MODELS_DIR, model),
           "--ctx", str(args.ctx), "--rank", str(args.rank), "--threads", str(args.threads), "--steps", str(args.steps)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    r = json.loads(out)
    return r["tokens_per_s"], r["peak_rss_mib"] * 1.048576


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aqyl", required=True)
    ap.add_argument("--models", nargs="+", default=["smollm2-135m", "gemma3-270m"])
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    rows = []
    for model in args.models:
        res = {"int8": [], "float": [], "torch": []}
        for _ in range(args.rounds):
            res["int8"].append(aqyl_run(args, model, "int8"))
            res["float"].append(aqyl_run(args, model, "float"))
            if not args.no_torch:
                res["torch"].append(torch_run(args, model))
            print(model, {k: [round(x[0], 1) for x in v] for k, v in res.items()}, file=sys.stderr)
        med = {k: (statistics.median(x[0] for x in v), max(x[1] for x in v)) for k, v in res.items() if v}
        rows.append((model, med))
    print(f"| model | Aqyl int8 backward tok/s | Aqyl float backward tok/s | PyTorch+PEFT tok/s | best Aqyl / PyTorch | peak RSS Aqyl int8 / float / PyTorch (MB) |")
    print("|---|---|---|---|---|---|")
    for model, m in rows:
        t = m.get("torch", (float("nan"), float("nan")))
        best = max(m["int8"][0], m["float"][0])
        print(f"| {model} | {m['int8'][0]:.1f} | {m['float'][0]:.1f} | {t[0]:.1f} | {best / t[0]:.2f}× | "
              f"{m['int8'][1]:.0f} / {m['float'][1]:.0f} / {t[1]:.0f} |")


if __name__ == "__main__":
    main()
