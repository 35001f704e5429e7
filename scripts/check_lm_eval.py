#!/usr/bin/env python3
"""Differential check of `aqyl eval run` against lm-evaluation-harness itself.

Starts `aqyl serve` on a model, runs the smoke multiple-choice task through
lm-eval's `local-completions` model (remote tokenizer, tokenized requests: the
numbers lm-eval users get from any OpenAI-compatible server), then runs the
same task with `aqyl eval run --model` on the local engine, and compares
acc, acc_norm and every per-choice log-likelihood.

    pip install lm-eval==0.4.13
    python3 scripts/check_lm_eval.py [--model smollm2-135m] [--aqyl .build/debug/aqyl] [--limit N]

The lm-eval task mirrors Aqyl's `kk-cloze-v1` template:
`[passage\\n\\n]Сұрақ: {question}\\nЖауап:` + " {choice}".
Needs a model whose vocabulary adds no BOS (SmolLM2, Qwen): lm-eval's API
models tokenize without special tokens, Aqyl adds BOS where the vocabulary
asks for it.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TASK_YAML = """task: aqyl_kk_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{% if passage is defined and passage %}}{{{{passage.strip()}}}}\\n\\n{{% endif %}}Сұрақ: {{{{question.strip()}}}}\\nЖауап:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: answer
target_delimiter: " "
metric_list:
  - metric: acc
  - metric: acc_norm
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--aqyl", default=os.path.join(ROOT, ".build/debug/aqyl"))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import lm_eval
    from lm_eval.tasks import TaskManager

    data = os.path.join(ROOT, "data/eval/smoke/kk_mc.jsonl")
    work = tempfile.mkdtemp(prefix="aqyl-lmeval-")
    with open(os.path.join(work, "aqyl_kk_mc.yaml"), "w", encoding="utf-8") as f:
        f.write(TASK_YAML.format(data=data))
    if args.limit:
        lines = open(data, encoding="utf-8").read().splitlines()[: args.limit]
        data = os.path.join(work, "kk_mc.jsonl")
        open(data, "w", encoding="utf-8").write("\n".join(lines) + "\n")
        with open(os.path.join(work, "aqyl_kk_mc.yaml"), "w", encoding="utf-8") as f:
            f.write(TASK_YAML.format(data=data))

    port = free_port()
    server = subprocess.Popen([args.aqyl, "serve", "--model", args.model, "--port", str(port), "--threads", str(args.threads),
                               "--ctx", "2048", "--data", os.path.join(work, "serve-data")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        t0 = time.time()
        out = lm_eval.simple_evaluate(
            model="local-completions",
            model_args=(f"model={args.model},base_url=http://127.0.0.1:{port}/v1/completions,"
                        "tokenizer_backend=remote,tokenized_requests=True,num_concurrent=1,max_retries=1,max_length=2048"),
            tasks=["aqyl_kk_mc"], task_manager=TaskManager(include_path=work), log_samples=True, batch_size=1)
        lm_seconds = time.time() - t0
    finally:
        server.terminate()
        server.wait()

    res = out["results"]["aqyl_kk_mc"]
    samples = sorted(out["samples"]["aqyl_kk_mc"], key=lambda s: s["doc_id"])
    lm_lls = [[float(r[0][0]) for r in s["resps"]] for s in samples]

    report = os.path.join(work, "aqyl.json")
    t0 = time.time()
    subprocess.run([args.aqyl, "eval", "run", "--model", args.model, "--tasks", data, "--threads", str(args.threads),
                    "--ctx", "2048", "--out", report], check=True, stdout=subprocess.DEVNULL)
    aqyl_seconds = time.time() - t0
    mine = json.load(open(report, encoding="utf-8"))["results"][0]
    metrics = {m["name"]: m for m in mine["metrics"]}
    my_lls = [s["scores"] for s in mine["samples"]]

    worst = max(abs(a - b) for xs, ys in zip(lm_lls, my_lls) for a, b in zip(xs, ys))
    n = sum(len(x) for x in lm_lls)
    print(f"items: lm-eval {len(lm_lls)}, aqyl {len(my_lls)}; {n} log-likelihoods")
    print(f"acc:      lm-eval {res['acc,none']:.4f} ± {res['acc_stderr,none']:.4f}   "
          f"aqyl {metrics['acc']['value']:.4f} ± {metrics['acc']['stderr']:.4f}")
    print(f"acc_norm: lm-eval {res['acc_norm,none']:.4f} ± {res['acc_norm_stderr,none']:.4f}   "
          f"aqyl {metrics['acc_norm']['value']:.4f} ± {metrics['acc_norm']['stderr']:.4f}")
    print(f"worst |loglik difference| = {worst:.3g} nats")
    print(f"time: lm-eval via aqyl serve {lm_seconds:.1f} s, aqyl eval run {aqyl_seconds:.1f} s")
    ok = (len(lm_lls) == len(my_lls) and abs(res["acc,none"] - metrics["acc"]["value"]) < 1e-9
          and abs(res["acc_norm,none"] - metrics["acc_norm"]["value"]) < 1e-9 and worst < 1e-3)
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
