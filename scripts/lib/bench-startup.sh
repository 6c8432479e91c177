#!/usr/bin/env bash
# scripts/bench startup [ROUNDS [SETTLE_SECONDS]] [-- BINARY...]: start-up and idle memory of one
# or more mkube builds, back to back (issue 17's binary-size work: a smaller binary must not start
# slower or sit bigger in memory). Each round starts every binary in turn (the order alternates
# between rounds, so a load that drifts hurts each build alike) as `mkube server` on the simulated
# runtime with a fresh data dir and OS-chosen ports, and records
#   - seconds from exec to the log line "All N components are running",
#   - the process's CPU seconds (user + system, /proc/PID/stat) at that moment: what the JIT and
#     start-up code cost, which the machine's load barely changes,
#   - seconds from exec to the node's Ready condition (`kubectl wait`, a watch),
#   - RSS (and its file-backed and anonymous parts) SETTLE seconds after the components run.
# Prints one line per run on stderr and a Markdown table of medians per binary, with the 1-minute
# load average at each start. Default: 5 rounds, 45 s, the published artifacts/publish/mkube.
set -euo pipefail
numbers=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do numbers+=("$1"); shift; done
[ "${1:-}" != -- ] || shift
rounds=${numbers[0]:-5}
settle=${numbers[1]:-45}
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=("$PWD/artifacts/publish/mkube")
for i in "${!binaries[@]}"; do binaries[i]=$(realpath "${binaries[i]}"); done
for b in "${binaries[@]}"; do [ -x "$b" ] || { echo "scripts/bench startup: $b is not an executable" >&2; exit 2; }; done
ticks=$(getconf CLK_TCK)
work=$(mktemp -d /var/tmp/mkube-bench-startup-XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
kib() { awk -v k="$2" '$1 == k":" {print $2}' "$1"; }

# run_one BINARY: writes "running_s cpu_s ready_s rss_mb rss_file_mb rss_anon_mb load1" to $work/line
# (not through a subshell, so the EXIT trap knows the server's pid).
run_one() {
  local binary=$1 dir=$work/run log start running cpu ready load
  rm -rf "$dir" && mkdir -p "$dir"
  log=$dir/server.log
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(now)
  "$binary" server --data-dir "$dir/data" --https-listen-port 0 --kubelet-port 0 \
    --ingress-http-port 0 --ingress-https-port 0 --write-kubeconfig "$dir/kubeconfig" \
    --runtime simulated --node-name bench-startup --node-ip 127.0.0.1 >"$log" 2>&1 &
  pid=$!
  until grep -q "components are running" "$log"; do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; echo "scripts/bench startup: $binary exited before its components ran" >&2; exit 1; }
    sleep 0.05
  done
  running=$(since "$start" "$(now)")
  cpu=$(awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat")
  local kubectl=(kubectl --kubeconfig "$dir/kubeconfig" --cache-dir "$dir/kube-cache")
  until "${kubectl[@]}" get node bench-startup >/dev/null 2>&1; do sleep 0.2; done
  "${kubectl[@]}" wait --for=condition=Ready node/bench-startup --timeout=600s >/dev/null
  ready=$(since "$start" "$(now)")
  sleep "$settle"
  printf '%s %s %s %.0f %.0f %.0f %s\n' "$running" "$cpu" "$ready" \
    "$(($(kib "/proc/$pid/status" VmRSS) / 1024))" "$(($(kib "/proc/$pid/status" RssFile) / 1024))" \
    "$(($(kib "/proc/$pid/status" RssAnon) / 1024))" "$load" >"$work/line"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

declare -A results
for round in $(seq "$rounds"); do
  order=("${binaries[@]}")
  if [ $((round % 2)) = 0 ]; then
    order=()
    for ((i = ${#binaries[@]} - 1; i >= 0; i--)); do order+=("${binaries[i]}"); done
  fi
  for b in "${order[@]}"; do
    run_one "$b"
    line=$(cat "$work/line")
    echo "round $round $b: running ${line%% *} s ($(cut -d' ' -f2 <<<"$line") CPU s), Ready $(cut -d' ' -f3 <<<"$line") s, RSS $(cut -d' ' -f4 <<<"$line") MB after ${settle} s, load $(cut -d' ' -f7 <<<"$line")" >&2
    results[$b]+="$line"$'\n'
  done
done

median() { sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
column() { printf '%s' "${results[$1]}" | awk -v c="$2" 'NF {print $c}' | median; }
echo "| binary | size | components running | CPU at running | node Ready | RSS after ${settle} s (file / anon) | load at start |"
echo "|---|---|---|---|---|---|---|"
for b in "${binaries[@]}"; do
  loads=$(printf '%s' "${results[$b]}" | awk 'NF {print $7}' | sort -n | sed -n '1p;$p' | paste -sd- -)
  echo "| $b | $(stat -c %s "$b" | awk '{printf "%.1f MB", $1 / 1e6}') | $(column "$b" 1) s | $(column "$b" 2) s | $(column "$b" 3) s | $(column "$b" 4) MB ($(column "$b" 5) / $(column "$b" 6)) | $loads |"
done
echo "(medians of $rounds runs each, back to back on $(nproc) cores)"
