#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: builds once (tests included),
# fetches the real models the integration tests need (cached in $AQYL_MODELS,
# never downloaded twice), then runs the tests without rebuilding.
set -euo pipefail
cd "$(dirname "$0")/.."
# One build with testing enabled; `swift build` alone would build every module a second time.
swift build --build-tests
.build/debug/aqyl models fetch smollm2-135m gemma3-270m qwen2.5-coder-0.5b
# Every repository and ledger test also runs on PostgreSQL: use the server CI started,
# or start a throwaway one (installs Debian's postgresql when missing).
if [ -z "${AQYL_TEST_POSTGRES_URL:-}" ]; then
  AQYL_TEST_POSTGRES_URL="$(./scripts/postgres_start.sh)"
  export AQYL_TEST_POSTGRES_URL
fi
# llama.cpp's server is a real member of an upstream pool in the tests: built once from the
# llama-cpp-python sdist (about 10 minutes on 2 cores) and cached.
if [ -z "${AQYL_LLAMA_SERVER:-}" ]; then
  LLAMA_BUILD="${XDG_CACHE_HOME:-$HOME/.cache}/aqyl/llama.cpp-build"
  # Rebuilt when missing or built with other flags (an old -march=native build may carry AMX
  # code that dies of SIGILL here; scripts/build_llama_cpp.sh writes the flags version).
  if [ ! -x "$LLAMA_BUILD/build/bin/llama-server" ] \
     || [ "$(cat "$LLAMA_BUILD/build/aqyl-build-flags" 2>/dev/null)" != "$(sed -n 's/^BUILD_FLAGS_VERSION=//p' scripts/build_llama_cpp.sh)" ]; then
    command -v cmake >/dev/null || python3 -m pip install --quiet cmake
    TARGETS=llama-server ./scripts/build_llama_cpp.sh "" "$LLAMA_BUILD" >/dev/null
  fi
  export AQYL_LLAMA_SERVER="$LLAMA_BUILD/build/bin/llama-server"
fi
# Serial: the real-model tests each use every core. A hung test must not eat CI's whole
# budget in silence: past AQYL_TEST_TIMEOUT seconds (default 40 min; the suite takes about 9)
# scripts/hang_report.sh prints every thread's backtrace and stops the run, which fails.
swift test --skip-build --no-parallel "$@" &
tests=$!
(
    deadline=$((SECONDS + ${AQYL_TEST_TIMEOUT:-2400}))
    # The sleeps hold no pipe open, so nothing waits on them once the tests end.
    while kill -0 "$tests" 2>/dev/null; do
        if ((SECONDS >= deadline)); then ./scripts/hang_report.sh "$tests"; exit; fi
        sleep 5 </dev/null >/dev/null 2>&1
    done
) &
status=0
wait "$tests" || status=$?
exit "$status"
