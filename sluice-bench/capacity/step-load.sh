#!/usr/bin/env bash
# A step load through the real command, fixed pool vs --workers auto (issue 10):
# arrivals step 2/s -> 20/s -> 2/s, each message 0.2 s in an external child (so the load needs
# 1, then 5, then 1 worker). Every second it records the arrival schedule (due), what the
# pipeline took (written), and from /metrics the pool's size, busy workers and the backlog
# (due - done - busy: arrived, not yet started). Usage: sluice-bench/capacity/step-load.sh [WORKERS...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/sluice-cli/target/sluice.jar"
steps="${STEPS:-20:2,30:20,40:2}"
work="${KEEP:-$(mktemp -d)}"; mkdir -p "$work"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$work"' EXIT
cat > "$work/child.sh" <<'SH'
#!/bin/sh
while IFS= read -r line; do sleep 0.2; echo "$line"; done
SH
chmod +x "$work/child.sh"
for workers in "${@:-2 auto}"; do
  for w in $workers; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 "$here/step_feed.py" "$work/feed-$w.csv" "$steps" \
      | java -jar "$jar" run --source - --exec "$work/child.sh" --workers "$w" \
          --metrics-port "$port" --quiet > /dev/null &
    pid=$!
    started=$(date +%s.%N)
    : > "$work/metrics-$w.csv"
    while true; do
      sleep 0.5
      t=$(printf '%.0f' "$(echo "$(date +%s.%N) - $started" | bc)")
      kill -0 "$pid" 2>/dev/null || break
      m="$(curl -s "http://127.0.0.1:$port/metrics" || true)"
      [[ -z "$m" ]] && continue           # still starting
      get() { awk -v n="$1" '$1 ~ "^"n"[{ ]" || $1 == n {print $NF}' <<<"$m" | head -1; }
      grep -q "^$t," "$work/metrics-$w.csv" && continue     # one row a second
      echo "$t,$(get sluice_workers),$(get sluice_workers_busy),$(get sluice_messages_queued),$(get sluice_messages_completed_total)" >> "$work/metrics-$w.csv"
    done
    wait "$pid" || true
    echo "== workers $w: t, arrived (due), pool, busy, waiting (due - done - busy), done"
    join -t, <(sort -t, -k1,1 "$work/feed-$w.csv") <(sort -t, -k1,1 "$work/metrics-$w.csv") \
      | sort -t, -n -k1,1 | awk -F, '$4 != "" {printf "%s,%s,%d,%d,%d,%d\n", $1, $2, $4, $5,
          $2 - $7 - $5, $7}'
  done
done
