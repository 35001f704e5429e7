#!/usr/bin/env bash
# Baseline llama.cpp speed for Aqyl's models (writes docs/llama-bench-baseline.json).
# Usage: scripts/run_llama_bench.sh BIN_DIR MODELS_DIR [OUT_JSON]
#   BIN_DIR    from scripts/build_llama_cpp.sh;  MODELS_DIR e.g. ~/.cache/aqyl/models
set -euo pipefail
BIN="$1"; MODELS="$2"
OUT="${3:-$(dirname "$0")/../docs/llama-bench-baseline.json}"
mkdir -p "$(dirname "$OUT")"
tmp="$(mktemp -d)"
i=0
for m in smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf gemma3-270m/gemma-3-270m-q4_k_m.gguf; do
  "$BIN/llama-bench" -m "$MODELS/$m" -t 2 -p 512 -n 64 -r 3 -o json > "$tmp/$i.json"
  i=$((i+1))
done
python3 - "$OUT" "$tmp"/0.json "$tmp"/1.json <<'PY'
import json, statistics, sys
rows = []
for f in sys.argv[2:]:
    rows += json.load(open(f))
json.dump(rows, open(sys.argv[1], "w"), indent=1)
for r in rows:
    kind = f"pp{r['n_prompt']}" if r["n_prompt"] else f"tg{r['n_gen']}"
    print(r["model_filename"].split("/")[-1], kind, "avg_ts", round(r["avg_ts"], 2), "median_ts", round(statistics.median(r["samples_ts"]), 2), "samples_ts", [round(x, 2) for x in r["samples_ts"]])
PY
