#!/usr/bin/env bash
# The exec benchmark of BENCHMARKS.md ("--exec against Python's own pool"): the same trivial
# work (square.py: a number in, its square out) over the same stdin, end to end (start-up
# included), by
#   pool     python3 pool_imap.py: multiprocessing.Pool(2).imap(square, stdin, chunksize=64)
#   exec1    ./sluice run --exec 'python3 square.py' --workers 2 --ordering ordered
#            --exec-pipeline 1: one line at a time per child (a synchronous round trip)
#   execN    the same with --exec-pipeline $PIPELINE (default 8): lines written ahead
#   jvm      ./sluice run --processor Square (in the JVM) --workers 2 --ordering ordered
#   xargs    xargs -P2 -n1 python3 square.py: one process per line, on XARGS_LINES lines,
#            its time scaled to LINES (unordered: its output is checked sorted)
# Contenders run interleaved, REPS rounds; each output is checked against the expected one.
# Prints the median wall time of each and its ratio to pool's median (lower is faster).
#
# Usage: sluice-bench/exec/compare.sh [LINES [REPS [XARGS_LINES]]]   (100000 5 200)
# Extra sluice options for both exec contenders: EXEC_OPTS="--max-in-flight 64" compare.sh
# Needs python3 and a JDK; builds sluice-cli/target/sluice.jar through ./sluice if needed.
set -euo pipefail

lines="${1:-100000}"
reps="${2:-5}"
xargs_lines="${3:-200}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-exec-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The interpreter itself, not a version manager's shim (pyenv's is a shell script that would
# dominate xargs' per-item start-up).
py="$(python3 -c 'import sys; print(sys.executable)')"
seq "$lines" > "$work/in.txt"
python3 -c 'import sys; sys.stdout.writelines(f"{int(x) ** 2}\n" for x in sys.stdin)' \
  < "$work/in.txt" > "$work/expected.txt"
head -n "$xargs_lines" "$work/in.txt" > "$work/in-xargs.txt"
head -n "$xargs_lines" "$work/expected.txt" | sort > "$work/expected-xargs.txt"

"$root/sluice" --version > /dev/null      # builds the jar (and its start-up archive) if stale
core_jar="$(ls "$root"/sluice-core/target/sluice-core-*.jar | grep -v -e sources -e javadoc -e tests | head -1)"
mkdir -p "$work/classes"
javac --release 17 -cp "$core_jar" -d "$work/classes" "$here/Square.java"

# shellcheck disable=SC2086 # EXEC_OPTS is a list of options, split on purpose
run_pool()  { (cd "$here" && "$py" pool_imap.py 2 64) < "$work/in.txt"; }
run_exec1() { "$root/sluice" run --exec "$py $here/square.py" --workers 2 \
                --ordering ordered --quiet --exec-pipeline 1 ${EXEC_OPTS:-} < "$work/in.txt"; }
run_execN() { "$root/sluice" run --exec "$py $here/square.py" --workers 2 \
                --ordering ordered --quiet --exec-pipeline "${PIPELINE:-8}" ${EXEC_OPTS:-} \
                < "$work/in.txt"; }
run_jvm()   { "$root/sluice" run --processor Square --classpath "$work/classes" --workers 2 \
                --ordering ordered --quiet < "$work/in.txt"; }
run_xargs() { xargs -P2 -n1 "$py" "$here/square.py" < "$work/in-xargs.txt" | sort; }

contenders=(pool exec1 execN jvm xargs)
declare -A times
for ((rep = 1; rep <= reps; rep++)); do
  for c in "${contenders[@]}"; do
    start=$(date +%s%N)
    "run_$c" > "$work/out.txt"
    end=$(date +%s%N)
    expected="$work/expected.txt"
    [[ "$c" == xargs ]] && expected="$work/expected-xargs.txt"
    if ! cmp -s "$work/out.txt" "$expected"; then
      echo "compare.sh: $c wrote a wrong output in round $rep" >&2
      exit 1
    fi
    ms=$(( (end - start) / 1000000 ))
    [[ "$c" == xargs ]] && ms=$(( ms * lines / xargs_lines ))
    times[$c]="${times[$c]:-} $ms"
    echo "round $rep: $c $ms ms" >&2
  done
done

median() { tr ' ' '\n' <<< "$1" | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
pool_median=$(median "${times[pool]}")
echo "lines=$lines reps=$reps xargs_lines=$xargs_lines PIPELINE=${PIPELINE:-8} EXEC_OPTS='${EXEC_OPTS:-}' $("$py" --version)"
printf '| %-6s | %10s | %8s | %s\n' contender "median ms" "vs pool" "all rounds (ms)"
for c in "${contenders[@]}"; do
  m=$(median "${times[$c]}")
  printf '| %-6s | %10s | %8s | %s\n' "$c" "$m" "$(awk -v a="$m" -v b="$pool_median" 'BEGIN { printf "%.2f", a / b }')" "${times[$c]# }"
done
