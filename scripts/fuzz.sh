#!/usr/bin/env bash
# Fuzzes one parser of untrusted input with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh --list                 target names, one a line
#   scripts/fuzz.sh TARGET [SECONDS]       fuzz TARGET (default 60 s) from its seeds in Tests/Fuzz/TARGET
#   scripts/fuzz.sh TARGET --runs N        fuzz TARGET for N executions instead of a time
#   scripts/fuzz.sh --smoke [SECONDS]      every target for SECONDS each (default 20; what CI runs),
#                                          from the committed seeds only, with a fixed seed
#
# The fuzz build lives in .build/fuzz (release, -sanitize=fuzzer,address, checks on
# everywhere: the fuzz build overrides -Ounchecked so an overflow traps instead of
# corrupting memory). New inputs go to .build/fuzz-corpus/TARGET (seeds stay untouched);
# a crash, leak or timeout writes the input to .build/fuzz-findings/TARGET/ and exits
# non-zero. Replay a finding with the ordinary build:
#   swift build --product aqyl-fuzz && .build/debug/aqyl-fuzz TARGET FILE
# and keep it as a regression seed in Tests/Fuzz/TARGET once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD="$ROOT/.build/fuzz"

build() {
    # The unsafe -Ounchecked in Package.swift is overridden by a later -O (checks on).
    # Sanitizers: swiftc keeps only the last -sanitize= it is given, and SwiftPM passes
    # `--sanitize fuzzer --sanitize address` as two flags in no fixed order, so a build
    # came out with ASan but no coverage now and then (libFuzzer fuzzing blind). Hence
    # one combined -sanitize=fuzzer,address after SwiftPM's, and ASan for C via -Xcc.
    swift build -c release --product aqyl-fuzz --build-path "$BUILD" \
        --sanitize fuzzer \
        -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address \
        -Xswiftc -DAQYL_LIBFUZZER -Xswiftc -O >&2
    # Refuse to fuzz blind: the Swift harnesses must carry coverage counters.
    # (Output captured first: under pipefail, `objdump | grep -q` fails at random when
    # grep exits on the first match and objdump dies of SIGPIPE; that failed a CI run.)
    local sections=""
    if command -v objdump >/dev/null; then
        sections=$(objdump -h "$BUILD/release/FuzzTargets.build/FuzzTarget.swift.o")
    fi
    if [[ -n "$sections" ]] && ! grep -q __sancov_cntrs <<< "$sections"; then
        echo "fuzz build has no coverage instrumentation in Swift code" >&2; exit 3
    fi
}

binary() { echo "$BUILD/release/aqyl-fuzz"; }

list() {
    # The list needs no sanitizer build: any build of aqyl-fuzz knows the targets.
    if [[ -x "$(binary)" ]]; then "$(binary)" --list; return; fi
    swift build --product aqyl-fuzz >&2
    "$(swift build --show-bin-path)/aqyl-fuzz" --list
}

run_target() {
    local target=$1; shift
    local corpus="${CORPUS_ROOT:-$ROOT/.build/fuzz-corpus}/$target" findings="$ROOT/.build/fuzz-findings/$target"
    mkdir -p "$corpus" "$findings"
    # -timeout: one input may take at most 10 s; -rss_limit_mb: and 2 GB.
    local limit=()
    [[ -n "${SMOKE_TIMEOUT:-}" ]] && limit=(timeout -k 10 "$SMOKE_TIMEOUT")
    AQYL_ROOT="$ROOT" LSAN_OPTIONS="suppressions=$ROOT/Tests/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
        "${limit[@]}" "$(binary)" "$target" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$@" "$corpus" "$ROOT/Tests/Fuzz/$target"
}

case "${1:-}" in
    ""|-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    --list) list; exit 0 ;;
    --smoke)
        # Reproducible: a fixed seed and a fresh corpus (the committed seeds only), so a
        # finding in CI comes back here with the same command.
        seconds=${2:-20}
        build
        CORPUS_ROOT=$(mktemp -d)
        trap 'rm -rf "$CORPUS_ROOT"' EXIT
        failed=()
        mkdir -p "$ROOT/.build/fuzz-logs"
        for t in $("$(binary)" --list); do
            log="$ROOT/.build/fuzz-logs/$t.log"
            status=0
            # The timeout is a backstop: libFuzzer stops itself after the time, an input after 10 s.
            SMOKE_TIMEOUT=$((seconds + 120)) run_target "$t" -seed=1 -max_total_time="$seconds" > "$log" 2>&1 || status=$?
            runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
            rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
            if [[ $status -ne 0 ]]; then
                failed+=("$t")
                echo "FAIL $t (exit $status): log $log"
                grep -E "ERROR|SUMMARY|Precondition failed|Fatal error|deadly signal|Test unit written|timeout|out-of-memory" "$log" | head -8 || true
            else
                echo "ok   $t: ${runs:-?} runs, ${rate:-?}/s"
            fi
        done
        if [[ ${#failed[@]} -gt 0 ]]; then echo "fuzz smoke failed: ${failed[*]}" >&2; exit 1; fi
        echo "fuzz smoke: every target ran ${seconds}s without a finding"
        ;;
    *)
        target=$1; shift
        build
        if ! grep -qx "$target" <<< "$("$(binary)" --list)"; then echo "unknown target '$target'; scripts/fuzz.sh --list" >&2; exit 2; fi
        if [[ "${1:-}" == "--runs" ]]; then run_target "$target" -runs="$2"
        else run_target "$target" -max_total_time="${1:-60}"; fi
        ;;
esac
