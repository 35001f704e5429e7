#!/usr/bin/env bash
# Build llama.cpp's CLI tools (the reference / speed anchor for Aqyl) from the
# llama.cpp copy vendored in the llama-cpp-python 0.3.36 sdist.
#
# Usage:
#   scripts/build_llama_cpp.sh [SDIST_DIR_OR_TARBALL] [BUILD_ROOT]
#
#   SDIST_DIR_OR_TARBALL  an unpacked llama_cpp_python-0.3.36 directory, or its .tar.gz.
#                         If omitted, the sdist is fetched with
#                         `python3 -m pip download --no-deps --no-binary llama-cpp-python llama-cpp-python==0.3.36`.
#   BUILD_ROOT            where to put the source copy and build (default /work/tmp/llama.cpp-build);
#                         keep it outside the repository.
#   JOBS=N                parallel compile jobs (default 2)
#   TARGETS="…"           the tools to build (default: all five below); tests that only
#                         need a pool member build TARGETS=llama-server
#
# Builds: llama-bench llama-perplexity llama-tokenize llama-cli llama-server (in that order)
# Prints the bin dir as the last line of output.
set -euo pipefail

VERSION=0.3.36
command -v cmake >/dev/null || { echo "cmake not found (e.g. python3 -m pip install cmake)" >&2; exit 1; }
SRC="${1:-}"
BUILD_ROOT="${2:-/work/tmp/llama.cpp-build}"
JOBS="${JOBS:-2}"
TARGETS="${TARGETS:-llama-bench llama-perplexity llama-tokenize llama-cli llama-server}"

if [ -z "$SRC" ]; then
  DL="$(mktemp -d)"
  python3 -m pip download --no-deps --no-binary llama-cpp-python "llama-cpp-python==${VERSION}" -d "$DL" >&2
  SRC="$(ls "$DL"/llama_cpp_python-${VERSION}.tar.gz)"
fi
if [ -f "$SRC" ]; then
  X="$(mktemp -d)"
  tar -xzf "$SRC" -C "$X"
  SRC="$X/llama_cpp_python-${VERSION}"
fi
[ -d "$SRC/vendor/llama.cpp" ] || { echo "no vendor/llama.cpp under $SRC" >&2; exit 1; }

if [ ! -f "$BUILD_ROOT/CMakeLists.txt" ]; then
  mkdir -p "$BUILD_ROOT"
  cp -a "$SRC/vendor/llama.cpp/." "$BUILD_ROOT/"
fi
cd "$BUILD_ROOT"
cmake -B build -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF >&2
# shellcheck disable=SC2086
cmake --build build -j"$JOBS" --target $TARGETS >&2
echo "$BUILD_ROOT/build/bin"
