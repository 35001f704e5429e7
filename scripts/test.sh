#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: fetches the real models the
# integration tests need (cached in $AQYL_MODELS, never downloaded twice),
# then runs `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product aqyl
.build/debug/aqyl models fetch smollm2-135m gemma3-270m qwen2.5-coder-0.5b
# Serial: the real-model tests each use every core.
swift test --no-parallel "$@"
