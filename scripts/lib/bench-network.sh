#!/usr/bin/env bash
# scripts/bench network [SECONDS [REPETITIONS]]: pod-to-pod TCP throughput across two nodes with
# each backend (vxlan, host-gw), as a ratio to host-to-host throughput over the same link, in one
# run (issue 15's performance goals: host-gw ≥ 0.9x, vxlan ≥ 0.7x). Two nodes as in
# tests/MiniKube.E2E.Tests/CrossNodeTests.cs: the published `mkube server` here and an `mkube
# agent` in a network namespace of its own (mkbench-xnode), joined by a veth pair as their LAN
# (192.168.252.1 here, .2 there); both use this machine's dockerd. Host-to-host is iperf3 from the
# namespace to this side over that veth; pod-to-pod is iperf3 from a pod on the agent's node to a
# pod on the server's node; the two alternate REPETITIONS times (SECONDS each) and the medians are
# compared. Debian's iperf3 is installed when missing, and the pods' image mkube.local/iperf3:1
# (the binary plus the libraries ldd names) is imported when missing. Needs root, dockerd,
# scripts/images and the published binary (scripts/bench publishes it). Prints a Markdown table.
set -euo pipefail
seconds=${1:-10}
repetitions=${2:-5}
mkube=$PWD/artifacts/publish/mkube
work=/var/tmp/mkube-bench-network
netns=mkbench-xnode
host_end=mkbnh
ns_end=mkbnn
host_ip=192.168.252.1
ns_ip=192.168.252.2
image=mkube.local/iperf3:1
host_port=5202

log() { printf '== %s\n' "$*" >&2; }

if ! command -v iperf3 >/dev/null; then
  log "installing iperf3"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iperf3 >/dev/null
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  log "importing $image"
  root=$(mktemp -d)
  binary=$(command -v iperf3)
  mkdir -p "$root/usr/bin" "$root/tmp" "$root/etc"
  chmod 1777 "$root/tmp" # iperf3 makes its send buffer's backing file there
  cp "$binary" "$root/usr/bin/iperf3"
  # Every library the binary loads, and the loader, at the paths ldd names.
  for lib in $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    cp --parents -L "$lib" "$root/"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$root.tar" .
  docker import --change 'ENTRYPOINT ["/usr/bin/iperf3"]' "$root.tar" "$image" >/dev/null
  rm -rf "$root" "$root.tar"
fi

server=
agent=
iperf_host=
teardown() {
  for pid in $agent $server $iperf_host; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  server= agent= iperf_host=
  for node in mkbench-server mkbench-agent; do
    ids=$(docker ps -aq --filter "label=io.mkube.managed=$node")
    [ -z "$ids" ] || docker rm -f $ids >/dev/null
  done
  # The kubelets' tmpfs volumes (service account tokens) outlive them; the data dirs go next.
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r umount 2>/dev/null || true
  ip link del dev "$host_end" 2>/dev/null || true
  ip netns del "$netns" 2>/dev/null || true
  ip link del dev mkube.1 2>/dev/null || true
  ip -4 route flush proto 77 2>/dev/null || true
  [ -z "${pods_cgroup:-}" ] || rmdir "$pods_cgroup" 2>/dev/null || true
}
trap 'teardown; rm -rf "$work"' EXIT

wait_log() { for _ in $(seq 1200); do grep -qs "components are running" "$1" && return 0; kill -0 "$2" 2>/dev/null || break; sleep 0.1; done; echo "mkube did not start; see $1:" >&2; tail -5 "$1" >&2; exit 1; }
wait_for() { # SECONDS WHAT COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "not within $limit s: $what" >&2; exit 1
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# iperf3's JSON: what the receiver got, in Gbit/s.
gbits() { jq -r '.end.sum_received.bits_per_second / 1e9'; }

# The host-to-host iperf3 ends run in a CPU cgroup beside the pods' containers: on a busy machine
# the CPU share of a process in this shell's cgroup and of one in Docker's differ by far (measured:
# pod-to-pod came out at twice host-to-host over the same veth), and the comparison is of the
# network path, not of the scheduler. cgroup v1 (the cpu hierarchy) or v2.
cgroup_beside_pod() { # POD -> a new cgroup directory next to the pod's container's
  local pid line dir
  pid=$(docker inspect -f '{{.State.Pid}}' "$(docker ps -q --filter "label=io.mkube.pod.name=$1" --filter label=io.mkube.sandbox=false | head -1)")
  if line=$(grep -E '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:' "/proc/$pid/cgroup"); then
    dir=/sys/fs/cgroup/$(echo "$line" | cut -d: -f2)$(dirname "$(echo "$line" | cut -d: -f3)")/mkbench-iperf
  else
    dir=/sys/fs/cgroup$(dirname "$(grep '^0::' "/proc/$pid/cgroup" | cut -d: -f3)")/mkbench-iperf
  fi
  [ -d "$dir" ] || mkdir "$dir"
  echo "$dir"
}
like_a_pod() { local dir=$1; shift; sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@"; }

declare -A pod_gbits host_gbits mtu_of
for backend in vxlan host-gw; do
  teardown
  rm -rf "$work" && mkdir -p "$work"
  log "$backend: two nodes"
  ip netns add "$netns"
  ip link add "$host_end" type veth peer name "$ns_end" netns "$netns"
  ip addr add "$host_ip/24" dev "$host_end"
  ip link set dev "$host_end" up
  nsenter --net=/run/netns/$netns sh -c "ip link set lo up && ip addr add $ns_ip/24 dev $ns_end && ip link set dev $ns_end up"

  "$mkube" server --data-dir "$work/server" --https-listen-port 0 --kubelet-port 0 --write-kubeconfig "$work/kubeconfig" \
    --node-name mkbench-server --node-ip "$host_ip" --flannel-backend "$backend" >"$work/server.log" 2>&1 &
  server=$!
  wait_log "$work/server.log" $server
  port=$(awk '/server:/ {print $2; exit}' "$work/kubeconfig" | sed 's/.*://')
  nsenter --net=/run/netns/$netns -- "$mkube" agent --server "https://$host_ip:$port" --token "$(cat "$work/server/server/token")" \
    --data-dir "$work/agent" --node-name mkbench-agent --node-ip "$ns_ip" --kubelet-port 0 --flannel-backend "$backend" >"$work/agent.log" 2>&1 &
  agent=$!
  wait_log "$work/agent.log" $agent
  k() { kubectl --kubeconfig "$work/kubeconfig" "$@"; }
  both_ready() { [ "$(k get nodes --no-headers | grep -c ' Ready ')" = 2 ]; }
  wait_for 90 "both nodes Ready" both_ready

  k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: iperf-server}
spec:
  nodeName: mkbench-server
  terminationGracePeriodSeconds: 1
  containers: [{name: main, image: $image, imagePullPolicy: Never, args: ["-s"]}]
YAML
  running() { [ "$(k get pod iperf-server -o jsonpath='{.status.phase}')" = Running ]; }
  wait_for 90 "the iperf3 server pod Running" running
  pod_ip=$(k get pod iperf-server -o jsonpath='{.status.podIP}')
  pods_cgroup=$(cgroup_beside_pod iperf-server)
  # Not through like_a_pod: a function in the background is a subshell of its own, and $! would
  # name it rather than iperf3.
  sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$pods_cgroup" iperf3 -s -B "$host_ip" -p $host_port >/dev/null 2>&1 &
  iperf_host=$!
  sleep 0.5
  mtu_of[$backend]="link $(cat /sys/class/net/$host_end/mtu), pod $(nsenter --net=/run/netns/$netns ip -o link show mkube0 | sed 's/.* mtu \([0-9]*\).*/\1/')"

  pods=() hosts=()
  for rep in $(seq "$repetitions"); do
    hosts+=("$(like_a_pod "$pods_cgroup" nsenter --net=/run/netns/$netns iperf3 -c "$host_ip" -p $host_port -t "$seconds" -J | gbits)")
    k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: iperf-client-$rep}
spec:
  nodeName: mkbench-agent
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers: [{name: main, image: $image, imagePullPolicy: Never, args: ["-c", "$pod_ip", "-t", "$seconds", "-J"]}]
YAML
    done_pod() { [[ "$(k get pod "iperf-client-$rep" -o jsonpath='{.status.phase}')" =~ Succeeded|Failed ]]; }
    wait_for $((seconds + 90)) "iperf-client-$rep finished" done_pod
    [ "$(k get pod "iperf-client-$rep" -o jsonpath='{.status.phase}')" = Succeeded ] || { k logs "iperf-client-$rep" >&2; exit 1; }
    pods+=("$(k logs "iperf-client-$rep" | gbits)")
    log "$backend $rep/$repetitions: host-to-host ${hosts[-1]} Gbit/s, pod-to-pod ${pods[-1]} Gbit/s"
  done
  host_gbits[$backend]=$(printf '%s\n' "${hosts[@]}" | median)
  pod_gbits[$backend]=$(printf '%s\n' "${pods[@]}" | median)
done
teardown

echo "| TCP throughput across two nodes (iperf3, ${seconds} s, median of $repetitions, agent node → server node) | ours (pod to pod) | host to host (same veth) | ratio | goal | met? |"
echo "|---|---|---|---|---|---|"
for backend in host-gw vxlan; do
  goal=$([ $backend = host-gw ] && echo 0.9 || echo 0.7)
  awk -v b="$backend" -v p="${pod_gbits[$backend]}" -v h="${host_gbits[$backend]}" -v g="$goal" -v m="${mtu_of[$backend]}" \
    'BEGIN {r = p / h; printf "| %s (MTU %s) | %.2f Gbit/s | %.2f Gbit/s | %.2f× | ≥ %.1f× | %s |\n", b, m, p, h, r, g, (r >= g) ? "yes" : "**no**"}'
done
