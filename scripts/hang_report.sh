#!/usr/bin/env bash
# Prints what a hung test run is doing, then stops it: the process tree under PID, and
# every thread's backtrace of each test binary in it (gdb, or the toolchain's lldb).
# scripts/test.sh calls this when the suite outlives its time limit, so a hang fails the
# run with a diagnosis instead of silently eating CI's budget.
#
#   scripts/hang_report.sh PID
set -uo pipefail
root=${1:?usage: hang_report.sh PID}
echo "=== hang report: the test run (pid $root) outlived its time limit ==="
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
pids="$root $(descendants "$root")"
ps -o pid,ppid,etime,time,stat,args -p "$(echo $pids | tr ' ' ',')" 2>/dev/null
for p in $pids; do
    case "$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)" in
    *.xctest*)
        echo "=== threads of $p ==="
        # gdb first: the toolchain's lldb needs a libpython the machine may lack.
        if command -v gdb >/dev/null; then
            timeout 120 gdb -p "$p" -batch -ex "thread apply all bt" 2>&1 \
                | grep -v "^\[New LWP\|^During symbol reading\|^warning: " | head -4000
        elif command -v lldb >/dev/null; then
            timeout 120 lldb --batch -p "$p" -o "thread backtrace all" -o "process detach" 2>&1 | grep -v "^(lldb)" | head -4000
        else
            echo "no debugger to print backtraces with"
        fi
        ;;
    esac
done
kill -KILL $pids 2>/dev/null
exit 0
