#!/usr/bin/env bash
# The arm64 release build, run on this (x86-64) machine under qemu-user: the check scripts/test
# makes that the Raspberry Pi binary works, since the test suite itself runs the native build.
# It checks `mkube version`, a server on the simulated runtime whose node turns Ready, and a
# Deployment whose pods run and which turns Available, driven by the host's real kubectl.
# Usage: scripts/lib/arm-under-qemu.sh BINARY   (an arm64 mkube, e.g. artifacts/publish/linux-arm64/mkube)
set -euo pipefail
binary=$(realpath "$1")
cd "$(dirname "$0")/../.."
. scripts/lib/prereqs.sh
fail() { echo "arm64 under qemu: $*" >&2; exit 1; }

# qemu-user runs the binary; its dynamic loader and the libraries .NET loads (libstdc++,
# OpenSSL for TLS) come from Debian's arm64 packages, installed beside the native ones.
run=()
if [ "$(uname -m)" != aarch64 ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding Debian's arm64 architecture (for the arm64 C libraries)"
    dpkg --add-architecture arm64
  fi
  install_missing qemu-aarch64-static=qemu-user-static /lib/ld-linux-aarch64.so.1=libc6:arm64 \
    /usr/lib/aarch64-linux-gnu/libstdc++.so.6=libstdc++6:arm64 /usr/lib/aarch64-linux-gnu/libssl.so.3=libssl3:arm64
  run=(qemu-aarch64-static)
  # The runtime maps its JIT'd code twice (write and execute views of one memory file, W^X);
  # qemu-user mishandles that mapping and the process dies with SIGSEGV once enough code is
  # compiled (seen here while the server installed the Gateway API CRDs). Only the emulator needs
  # it off: on an arm64 board the default stays.
  export DOTNET_EnableWriteXorExecute=0
fi

work=$(mktemp -d /tmp/mkube-arm64-XXXXXX)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)

log "arm64 under qemu: mkube version"
version=$("${run[@]}" "$binary" version) || fail "mkube version failed"
echo "$version"
grep -q '^mkube version .* (Kubernetes v' <<<"$version" || fail "mkube version printed no version line"
grep -q ' linux-arm64$' <<<"$version" || fail "mkube version does not name linux-arm64"

log "arm64 under qemu: server on the simulated runtime"
"${run[@]}" "$binary" server --data-dir "$work/data" --https-listen-port 0 --kubelet-port 0 \
  --ingress-http-port 0 --ingress-https-port 0 --write-kubeconfig "$work/kubeconfig" \
  --runtime simulated --node-name arm64-node --node-ip 127.0.0.1 >"$work/server.log" 2>&1 &
server=$!
kubectl=(kubectl --kubeconfig "$work/kubeconfig" --cache-dir "$work/kube-cache")

# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds; on timeout prints the server's log.
wait_for() {
  local seconds=$1 what=$2 deadline=$(($(date +%s) + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$server" 2>/dev/null || { tail -50 "$work/server.log" >&2; fail "the server exited before $what"; }
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -50 "$work/server.log" >&2
      fail "not within $seconds s: $what"
    fi
    sleep 2
  done
}
wait_for 300 "the kubeconfig" test -s "$work/kubeconfig"
wait_for 300 "node arm64-node Ready" "${kubectl[@]}" wait --for=condition=Ready node/arm64-node --timeout=5s
log "arm64 under qemu: node Ready after $(($(date +%s) - started)) s"

"${kubectl[@]}" create deployment arm64-web --image=mkube.local/busybox:1 --replicas=2 -- sleep 3600 >/dev/null
wait_for 300 "Deployment arm64-web Available" "${kubectl[@]}" wait --for=condition=Available deployment/arm64-web --timeout=5s
running=$("${kubectl[@]}" get pods -l app=arm64-web --field-selector=status.phase=Running -o name | wc -l)
[ "$running" = 2 ] || fail "Deployment arm64-web is Available with $running of 2 pods Running"
"${kubectl[@]}" get deployment,pods -o wide

log "arm64 under qemu: passed in $(($(date +%s) - started)) s"
