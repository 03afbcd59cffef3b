#!/usr/bin/env bash
# --workers auto on CPU-bound work (issue 10): 1 ms of CPU per message, as many messages as it
# can take for SECONDS (default 40), on this machine's cores. The pool must stop growing where
# throughput stops rising, near the core count. Prints each change and the last status line.
# Usage: sluice-bench/capacity/cpu-bound.sh [SECONDS] [WORKERS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-40}"
workers="${2:-auto}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
core_jar="$(ls "$root"/sluice-core/target/sluice-core-*.jar | grep -v tests | head -1)"
javac --release 17 -cp "$core_jar" -d "$work/classes" "$here/Spin.java"
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
yes 1 | head -n 100000000 | timeout -s TERM "$seconds" java -jar "$root/sluice-cli/target/sluice.jar" run \
  --source - --processor Spin --classpath "$work/classes" --workers "$workers" \
  --log-every 5s > /dev/null 2> "$work/err.txt" || true
grep -E "workers [0-9]+ -> |received" "$work/err.txt" | tail -n 20
