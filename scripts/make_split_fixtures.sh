#!/usr/bin/env bash
# Regenerates Tests/Fixtures/split: llama.cpp's own `llama-gguf-split` cuts the tiny
# llama model (Tests/Fixtures/peft/tiny-llama.gguf) into 3 parts of at most 8 tensors,
# so GGUFSplitPeerTests reads a split made by the reference tool, not by Aqyl.
#
#   scripts/build_llama_cpp.sh builds llama.cpp (TARGETS="llama-gguf-split")
#   scripts/make_split_fixtures.sh [LLAMA_BIN_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$HOME/.cache/aqyl/llama.cpp-build/build/bin}"
out="$root/Tests/Fixtures/split"
mkdir -p "$out"
rm -f "$out"/tiny-llama-*.gguf
"$bin/llama-gguf-split" --split --split-max-tensors 8 "$root/Tests/Fixtures/peft/tiny-llama.gguf" "$out/tiny-llama"
ls -l "$out"
