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
# Bumped when the build flags change, so cached builds are redone (scripts/test.sh).
BUILD_FLAGS_VERSION=explicit-isa-no-amx-1
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
# The CPU's own instruction sets, except AMX: GGML_NATIVE (-march=native) compiles AMX tile code
# on Xeons that list amx_tile, and where the kernel or hypervisor does not grant the tile state
# llama-server dies of SIGILL (tilezero) at its first matmul. So the flags are spelled out from
# /proc/cpuinfo: AVX2/FMA/F16C/BMI2 and, where present, AVX-512 and AVX-VNNI; never AMX.
# LLAMA_CPU=avx2 builds the AVX2-only variant (what the exact numerics mode mirrors).
has() { grep -qw "$1" /proc/cpuinfo 2>/dev/null; }
CPU_FLAGS=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
           -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF)
if [ "${LLAMA_CPU:-native}" != avx2 ]; then
  has avx_vnni && CPU_FLAGS+=(-DGGML_AVX_VNNI=ON)
  if has avx512f && has avx512bw && has avx512vl && has avx512dq; then
    CPU_FLAGS+=(-DGGML_AVX512=ON)
    has avx512vbmi && CPU_FLAGS+=(-DGGML_AVX512_VBMI=ON)
    has avx512_vnni && CPU_FLAGS+=(-DGGML_AVX512_VNNI=ON)
    has avx512_bf16 && CPU_FLAGS+=(-DGGML_AVX512_BF16=ON)
  fi
fi
cmake -B build -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF "${CPU_FLAGS[@]}" -DLLAMA_BUILD_TESTS=OFF >&2
# shellcheck disable=SC2086
cmake --build build -j"$JOBS" --target $TARGETS >&2
# What scripts/test.sh checks before reusing a cached build (an older -march=native build
# may hold AMX code that dies on this machine).
echo "$BUILD_FLAGS_VERSION" > build/aqyl-build-flags
echo "$BUILD_ROOT/build/bin"
