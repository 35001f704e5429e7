#!/usr/bin/env python3
"""Aqyl vs llama.cpp speed, same machine, same run: prints the Markdown table for docs/benchmarks.md.

Usage:
  python3 scripts/bench_table.py --llama-bench /path/to/llama-bench [--aqyl .build/release/aqyl]
      [--threads 2] [--reps 3] [--rounds 2] [-p 512] [-n 64] [-d 0] [--numerics fast]
      [--baseline OLD_AQYL] [MODEL ...]

MODEL is an Aqyl short name (default: smollm2-135m gemma3-270m). For each model it runs
`aqyl bench --json` and `llama-bench -o json` with the same -p 512 -n 64 -t THREADS -r REPS,
alternating the two tools ROUNDS times (default 2) so machine noise hits both, and reports
medians and the aqyl/llama.cpp ratio. -d D measures with D tokens already in the KV cache
(llama-bench -d, `aqyl bench -d`). Build llama-bench with scripts/build_llama_cpp.sh; build aqyl with
`swift build -c release --product aqyl`. --baseline OLD_AQYL also runs an earlier aqyl binary in
the same rounds (before/after a change, with llama.cpp as the anchor both are measured against).
"""
import argparse, json, os, platform, statistics, subprocess, sys

def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return out

def llama_isa(bench):
    """The instruction sets the llama.cpp build was configured with (its CMakeCache, next to bin/)."""
    cache = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(bench))), "CMakeCache.txt")
    try:
        on = [line.split(":", 1)[0].removeprefix("GGML_") for line in open(cache)
              if line.startswith("GGML_") and line.split(":", 1)[0].removeprefix("GGML_").startswith(("AVX", "AMX"))
              and line.strip().endswith("=ON")]
        return "(" + "+".join(sorted(on)) + ")" if on else "(?)"
    except OSError:
        return "(build flags unknown)"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-bench", required=True)
    ap.add_argument("--aqyl", default=".build/release/aqyl")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=64)
    ap.add_argument("-d", type=int, default=0)
    ap.add_argument("--numerics", default="fast", choices=["fast", "llama"])
    ap.add_argument("--baseline", help="an earlier aqyl binary, measured in the same rounds")
    ap.add_argument("models", nargs="*", default=["smollm2-135m", "gemma3-270m"])
    a = ap.parse_args()
    rows = []
    kernels = "?"
    for m in a.models:
        path = run([a.aqyl, "models", "path", m]).strip()
        aq_pp, aq_tg, ll_pp, ll_tg, base_pp, base_tg = [], [], [], [], [], []
        def aqyl_bench(binary):
            return json.loads(run([binary, "bench", "-m", path, "-p", str(a.p), "-n", str(a.n), "-d", str(a.d),
                                   "--numerics", a.numerics,
                                   "--threads", str(a.threads), "--repetitions", str(a.reps), "--json"]))
        for _ in range(a.rounds):
            if a.baseline:
                b = aqyl_bench(a.baseline)
                base_pp += b["pp_samples"]; base_tg += b["tg_samples"]
            j = aqyl_bench(a.aqyl)
            kernels = j.get("kernels", kernels)
            aq_pp += j["pp_samples"]; aq_tg += j["tg_samples"]
            lj = json.loads(run([a.llama_bench, "-m", path, "-p", str(a.p), "-n", str(a.n), "-d", str(a.d),
                                 "-t", str(a.threads), "-r", str(a.reps), "-o", "json"]))
            for test in lj:
                samples = test.get("samples_ts") or [test["avg_ts"]]
                if test.get("n_prompt", 0) > 0 and test.get("n_gen", 0) == 0:
                    ll_pp += samples
                elif test.get("n_gen", 0) > 0:
                    ll_tg += samples
        med = statistics.median
        rows.append((m, med(aq_pp), med(ll_pp), med(aq_tg), med(ll_tg),
                     med(base_pp) if base_pp else None, med(base_tg) if base_tg else None))
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip(); break
    except OSError:
        pass
    depth = f" @ d{a.d}" if a.d else ""
    ll_isa = llama_isa(a.llama_bench)
    print(f"CPU: {cpu}, threads {a.threads}, pp{a.p} / tg{a.n}{depth}, aqyl --numerics {a.numerics} "
          f"(kernels {kernels}), llama.cpp {ll_isa}, "
          f"{a.rounds} rounds x {a.reps} reps, medians (t/s)\n")
    if a.baseline:
        print(f"| model | before pp{a.p} | aqyl pp{a.p} | llama.cpp pp{a.p} | before/llama | aqyl/llama "
              f"| before tg{a.n} | aqyl tg{a.n} | llama.cpp tg{a.n} | before/llama | aqyl/llama |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for m, app, lpp, atg, ltg, bpp, btg in rows:
            print(f"| {m} | {bpp:.1f} | {app:.1f} | {lpp:.1f} | {bpp/lpp:.2f} | {app/lpp:.2f} "
                  f"| {btg:.1f} | {atg:.1f} | {ltg:.1f} | {btg/ltg:.2f} | {atg/ltg:.2f} |")
        return
    print(f"| model | aqyl pp{a.p} | llama.cpp pp{a.p} | ratio | aqyl tg{a.n} | llama.cpp tg{a.n} | ratio |")
    print("|---|---|---|---|---|---|---|")
    for m, app, lpp, atg, ltg, _, _ in rows:
        print(f"| {m} | {app:.1f} | {lpp:.1f} | {app/lpp:.2f} | {atg:.1f} | {ltg:.1f} | {atg/ltg:.2f} |")

if __name__ == "__main__":
    sys.exit(main())
