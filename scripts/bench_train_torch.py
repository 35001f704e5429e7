#!/usr/bin/env python3
"""PyTorch + PEFT LoRA training throughput on the CPU: the baseline for Aqyl's trainer.

Loads a GGUF model with transformers (dequantized to F32), wraps it in a PEFT
LoRA adapter on all seven linear projections of every layer, and trains on
consecutive windows of `--ctx` tokens from data/kk/train.txt with AdamW,
batch 1. After `--warmup` untimed steps it times `--steps` steps and prints one
JSON line: median step time, tokens/s (ctx tokens per step / median step
time), peak RSS and the library versions.

    nice -n 10 python3 scripts/bench_train_torch.py --model-dir ~/.cache/aqyl/models/smollm2-135m
    nice -n 10 python3 scripts/bench_train_torch.py --model-dir ~/.cache/aqyl/models/gemma3-270m

Installs torch, transformers, peft, gguf and accelerate with pip when they are
missing (the default PyPI wheels; no other index).
"""

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PACKAGES = ["torch", "transformers", "peft", "gguf", "accelerate"]
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def ensure_packages() -> None:
    missing = []
    for name in PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        print(f"installing {' '.join(missing)} with pip", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "pip", "install", *missing])


def find_gguf(model_dir: Path, name: str | None) -> str:
    if name:
        return name
    files = sorted(p.name for p in model_dir.glob("*.gguf"))
    if len(files) != 1:
        sys.exit(f"expected exactly one .gguf in {model_dir}, found {files}; pass --gguf")
    return files[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", required=True, type=Path)
    parser.add_argument("--gguf", help="file name inside --model-dir (default: the only .gguf there)")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data/kk/train.txt")
    parser.add_argument("--ctx", type=int, default=256)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps before timing")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--max-seconds", type=float, default=360,
                        help="stop timing early (at least 3 timed steps) once this much time has passed")
    args = parser.parse_args()

    ensure_packages()
    import torch
    import transformers
    import peft
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)

    model_dir = args.model_dir.expanduser()
    gguf_name = find_gguf(model_dir, args.gguf)
    t0 = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, gguf_file=gguf_name)
    model = AutoModelForCausalLM.from_pretrained(model_dir, gguf_file=gguf_name, dtype=torch.float32)
    load_s = time.perf_counter() - t0

    config = peft.LoraConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=0.0,
                             target_modules=TARGETS, task_type="CAUSAL_LM")
    model = peft.get_peft_model(model, config)
    model.train()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())

    ids = tokenizer(args.data.read_text(encoding="utf-8"), add_special_tokens=False)["input_ids"]
    windows = len(ids) // args.ctx
    if windows == 0:
        sys.exit(f"{args.data} has {len(ids)} tokens, fewer than ctx {args.ctx}")

    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    step_times, cpu_times, losses = [], [], []
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for step in range(args.warmup + args.steps):
        w = step % windows
        x = torch.tensor([ids[w * args.ctx:(w + 1) * args.ctx]], dtype=torch.long)  # (1, ctx)
        t, c = time.perf_counter(), time.process_time()
        optimizer.zero_grad(set_to_none=True)
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        optimizer.step()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        losses.append(round(loss.item(), 4))
        if step >= args.warmup:
            step_times.append(dt)
            cpu_times.append(dc)
            if len(step_times) >= 3 and time.perf_counter() - started > args.max_seconds:
                break
        print(f"step {step} loss {loss.item():.4f} {dt:.2f}s wall {dc:.2f}s cpu", file=sys.stderr)

    median = statistics.median(step_times)
    # Steps during which both (all) threads actually ran: CPU time >= 85% of threads x wall.
    # On a shared machine the other steps mostly measure waiting for a core.
    quiet = [w for w, c in zip(step_times, cpu_times) if c >= 0.85 * args.threads * w]
    result = {
        "model": model_dir.name,
        "gguf": gguf_name,
        "ctx": args.ctx,
        "rank": args.rank,
        "alpha": args.alpha,
        "threads": args.threads,
        "steps": len(step_times),
        "warmup": args.warmup,
        "median_step_s": round(median, 3),
        "tokens_per_s": round(args.ctx / median, 1),
        "uncontended_steps": len(quiet),
        "uncontended_median_step_s": round(statistics.median(quiet), 3) if quiet else None,
        "uncontended_tokens_per_s": round(args.ctx / statistics.median(quiet), 1) if quiet else None,
        # The fastest step.
        "min_step_s": round(min(step_times), 3),
        "tokens_per_s_best": round(args.ctx / min(step_times), 1),
        # CPU seconds per step, all threads (includes OpenMP spin-waiting while a thread waits for a core).
        "median_step_cpu_s": round(statistics.median(cpu_times), 3),
        "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),  # KiB on Linux
        "trainable_params": trainable,
        "total_params": total,
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "load_s": round(load_s, 1),
        "attn": getattr(model.config, "_attn_implementation", None),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "cpu": os.uname().machine,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
