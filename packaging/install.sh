#!/bin/sh
# Installs mkube as a systemd service, offline: get.k3s.io's role without the download.
#
# Usage (as root):
#   MKUBE_BINARY=./mkube packaging/install.sh                          # a server
#   MKUBE_URL=https://SERVER:6443 MKUBE_TOKEN=TOKEN packaging/install.sh   # an agent joining SERVER
#   packaging/install.sh server --disable ingress                      # flags go to the service
#
# Environment:
#   MKUBE_BINARY               the mkube executable to install (default: ./mkube beside this script,
#                              else the one scripts/publish built, artifacts/publish/mkube)
#   MKUBE_*                    kept for the service in its environment file (mode 0600: it holds
#                              the token), as mkube reads every flag from MKUBE_<FLAG>. MKUBE_URL
#                              without a command makes it an agent, which then needs MKUBE_TOKEN.
#   INSTALL_MKUBE_EXEC         command and flags of the service, before this script's arguments:
#                              "server ...", "agent ..." or only flags (the command then follows
#                              MKUBE_URL, as k3s' INSTALL_K3S_EXEC)
#   INSTALL_MKUBE_BIN_DIR      where mkube and its scripts go (default /usr/local/bin)
#   INSTALL_MKUBE_SYSTEMD_DIR  where the unit and its environment file go (default /etc/systemd/system)
#   INSTALL_MKUBE_SKIP_ENABLE  true: do not enable (nor start) the service
#   INSTALL_MKUBE_SKIP_START   true: enable but do not start the service
set -eu

info() { echo "[INFO]  $*"; }
warn() { echo "[WARN]  $*" >&2; }
fatal() { echo "[ERROR] $*" >&2; exit 1; }

# The label the kubelet puts on every Docker container it creates (MiniKube.Agent DockerLabels.Managed).
MANAGED_LABEL=io.mkube.managed

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
BIN_DIR=${INSTALL_MKUBE_BIN_DIR:-/usr/local/bin}
SYSTEMD_DIR=${INSTALL_MKUBE_SYSTEMD_DIR:-/etc/systemd/system}
CONFIG_DIR=/etc/mkube

# --- quoting: each argument as one single-quoted word, safe for sh and for a systemd ExecStart ---
quote() {
    if [ -z "$1" ]; then
        printf "''"
    else
        printf '%s' "$1" | sed "s/'/'\\\\''/g; 1s/^/'/; \$s/\$/'/"
    fi
}

# --- the same for a unit's command line, where % starts a specifier and $ a variable ---
unit_quote() {
    quote "$1" | sed 's/%/%%/g; s/\$/$$/g'
}

# --- the binary ---
find_binary() {
    if [ -n "${MKUBE_BINARY:-}" ]; then
        BINARY=$MKUBE_BINARY
    elif [ -f "$SCRIPT_DIR/mkube" ]; then
        BINARY=$SCRIPT_DIR/mkube
    elif [ -f "$SCRIPT_DIR/../artifacts/publish/mkube" ]; then
        BINARY=$SCRIPT_DIR/../artifacts/publish/mkube
    else
        fatal "no mkube binary: set MKUBE_BINARY=PATH, or run scripts/publish first"
    fi
    [ -f "$BINARY" ] || fatal "MKUBE_BINARY=$BINARY does not exist"
    # A binary that cannot even print its version (wrong architecture, truncated copy) must not replace a working one.
    "$BINARY" version >/dev/null 2>&1 || fatal "$BINARY does not run on this machine ($(uname -m)): is it the right build?"
    VERSION=$("$BINARY" version | head -n 1)
}

# --- command, service name and files, from INSTALL_MKUBE_EXEC, the arguments and MKUBE_URL ---
setup_command() {
    case "${1:-}" in
        -* | "")
            if [ -n "${MKUBE_URL:-}" ]; then
                [ -n "${MKUBE_TOKEN:-}" ] || fatal "MKUBE_URL is set, so this is an agent, but MKUBE_TOKEN is not: give the server's DATA_DIR/server/agent-token"
                COMMAND=agent
            else
                COMMAND=server
            fi
            ;;
        server | agent)
            COMMAND=$1
            shift
            ;;
        *)
            fatal "unknown command '$1': the service runs 'mkube server' or 'mkube agent'"
            ;;
    esac
    case "${MKUBE_URL:-}" in
        "" | https://*) ;;
        *) fatal "MKUBE_URL must be an https:// URL (have ${MKUBE_URL})" ;;
    esac

    EXEC_ARGS=""
    DATA_DIR=${MKUBE_DATA_DIR:-/var/lib/mkube}
    previous=""
    for arg in "$@"; do
        EXEC_ARGS="$EXEC_ARGS \\
    $(unit_quote "$arg")"
        # The uninstaller removes the data dir the service actually uses.
        [ "$previous" = --data-dir ] && DATA_DIR=$arg
        case "$arg" in --data-dir=*) DATA_DIR=${arg#--data-dir=} ;; esac
        previous=$arg
    done

    if [ "$COMMAND" = server ]; then
        NAME=mkube
        DESCRIPTION="MiniKube server (Kubernetes-compatible control plane and node)"
    else
        NAME=mkube-agent
        DESCRIPTION="MiniKube agent (worker node)"
    fi
    SERVICE_FILE=$SYSTEMD_DIR/$NAME.service
    ENV_FILE=$SYSTEMD_DIR/$NAME.service.env
    UNINSTALL_SH=$BIN_DIR/$NAME-uninstall.sh
    KILLALL_SH=$BIN_DIR/mkube-killall.sh
}

# --- systemd is the supervisor only where it runs as PID 1 ---
has_systemd() {
    [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

install_binary() {
    mkdir -p "$BIN_DIR"
    info "Installing $VERSION to $BIN_DIR/mkube"
    # Copy then rename: a running service keeps its old file, and no one sees half a binary.
    cp "$BINARY" "$BIN_DIR/.mkube.new"
    chmod 755 "$BIN_DIR/.mkube.new"
    mv -f "$BIN_DIR/.mkube.new" "$BIN_DIR/mkube"
}

create_killall() {
    info "Creating killall script $KILLALL_SH"
    cat >"$KILLALL_SH" <<EOF
#!/bin/sh
# Stops mkube and everything it started on this machine: the services, the mkube processes, the
# pods' Docker containers, the pod volumes' mounts and mkube's pod network. The data dir stays.
# Installed by packaging/install.sh.
[ "\$(id -u)" -eq 0 ] || exec sudo "\$0" "\$@"

BIN=$(quote "$BIN_DIR/mkube")
DATA_DIR=\${MKUBE_DATA_DIR:-$(quote "$DATA_DIR")}
MANAGED_LABEL=$(quote "$MANAGED_LABEL")

# The services first, so that systemd does not restart what the rest of this script stops.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    for service in $(quote "$SYSTEMD_DIR")/mkube*.service; do
        [ -s "\$service" ] && systemctl stop "\$(basename "\$service")"
    done
fi

# The processes that run the installed binary, and only those (other mkube builds are not ours);
# one replaced by an upgrade shows as "PATH (deleted)".
mkube_pids() {
    for exe in /proc/[0-9]*/exe; do
        case "\$(readlink "\$exe" 2>/dev/null)" in
            "\$BIN" | "\$BIN (deleted)") pid=\${exe#/proc/} && echo "\${pid%/exe}" ;;
        esac
    done
}
pids=\$(mkube_pids)
[ -z "\$pids" ] || kill -TERM \$pids 2>/dev/null
# mkube stops its components in order within 10 s of SIGTERM.
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    pids=\$(mkube_pids)
    [ -z "\$pids" ] && break
    sleep 1
done
[ -z "\$pids" ] || kill -KILL \$pids 2>/dev/null

# The pods' containers: with mkube stopped nothing restarts them (KillMode=process keeps them
# across a service restart; here they go).
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    containers=\$(docker ps -aq --filter "label=\$MANAGED_LABEL")
    [ -z "\$containers" ] || docker rm -f -v \$containers >/dev/null
else
    echo "mkube-killall: no Docker engine answers; no pod containers to remove" >&2
fi

# Pod volumes (secrets, tokens) stay mounted below the data dir while their containers run.
if [ -d "\$DATA_DIR" ]; then
    data=\$(cd "\$DATA_DIR" && pwd -P)
    while read -r _ point _; do
        case "\$point" in "\$data"/*) echo "\$point" ;; esac
    done </proc/self/mounts | sort -r | while read -r point; do
        umount -l "\$point"
    done
fi

# mkube's pod network (iptables chains, ipsets, bridge, vxlan device, routes), removed by the binary
# that made it, which knows its names.
if [ -x "\$BIN" ]; then
    "\$BIN" network teardown || echo "mkube-killall: '\$BIN network teardown' failed; mkube's network may be left on this host" >&2
fi
exit 0
EOF
    chmod 755 "$KILLALL_SH"
}

create_uninstall() {
    info "Creating uninstall script $UNINSTALL_SH"
    cat >"$UNINSTALL_SH" <<EOF
#!/bin/sh
# Removes what packaging/install.sh installed for the $NAME service: stops everything
# (mkube-killall.sh), removes the unit and its environment file, and, once no other mkube service
# is left, the binary, the scripts, the data dir and the config dir.
[ "\$(id -u)" -eq 0 ] || exec sudo "\$0" "\$@"

DATA_DIR=\${MKUBE_DATA_DIR:-$(quote "$DATA_DIR")}

$(quote "$KILLALL_SH")

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable $(quote "$NAME") 2>/dev/null
    systemctl reset-failed $(quote "$NAME") 2>/dev/null
fi
rm -f $(quote "$SERVICE_FILE") $(quote "$ENV_FILE")
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload
fi
rm -f $(quote "$UNINSTALL_SH")

# A server and an agent installed side by side share the binary and the data dir.
for other in $(quote "$SYSTEMD_DIR")/mkube*.service; do
    if [ -e "\$other" ]; then
        echo "Another mkube service is installed (\$other): keeping the binary, the data dir and the config dir"
        exit 0
    fi
done

case "\$DATA_DIR" in
    /?*) rm -rf "\$DATA_DIR" ;;
    *) echo "Not removing the data dir '\$DATA_DIR': not an absolute path below /" >&2 ;;
esac
rm -rf $(quote "$CONFIG_DIR")
rm -f $(quote "$BIN_DIR/mkube") $(quote "$KILLALL_SH")
echo "mkube is uninstalled"
EOF
    chmod 755 "$UNINSTALL_SH"
}

# --- the environment file: mkube's own MKUBE_* variables and the proxy settings, for the service ---
create_env_file() {
    info "Creating environment file $ENV_FILE"
    mkdir -p "$SYSTEMD_DIR"
    # Created empty with mode 0600 before anything is written: it holds the join token.
    rm -f "$ENV_FILE"
    (umask 077 && : >"$ENV_FILE")
    chmod 0600 "$ENV_FILE"
    env | grep -E '^(MKUBE_[A-Z0-9_]*|NO_PROXY|HTTP_PROXY|HTTPS_PROXY|no_proxy|http_proxy|https_proxy)=' | grep -v '^MKUBE_BINARY=' | sort |
        while IFS='=' read -r key value; do
            # systemd's EnvironmentFile: a double-quoted value takes \" and \\ escapes.
            escaped=$(printf '%s' "$value" | sed 's/[\\"]/\\&/g')
            printf '%s="%s"\n' "$key" "$escaped"
        done >>"$ENV_FILE"
}

create_service_file() {
    info "Creating service file $SERVICE_FILE"
    cat >"$SERVICE_FILE" <<EOF
[Unit]
Description=$DESCRIPTION
Wants=network-online.target
After=network-online.target docker.service

[Install]
WantedBy=multi-user.target

[Service]
# mkube does not send sd_notify: the service counts as started once the binary runs.
Type=exec
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-$ENV_FILE
# Only mkube itself is stopped on a restart or upgrade: the pods' containers keep running and
# the kubelet adopts them when it comes back.
KillMode=process
Delegate=yes
User=root
# Limits left to the cgroup: non-zero Limit*s cost accounting in the kernel.
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
# mkube stops its components in order within 10 s of SIGTERM.
TimeoutStopSec=15
Restart=always
RestartSec=5s
# Exit code 2 is a usage mistake: restarting will not fix it.
RestartPreventExitStatus=2
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=$BIN_DIR/mkube $COMMAND$EXEC_ARGS
EOF
    chmod 644 "$SERVICE_FILE"
}

enable_and_start() {
    if ! grep -qs memory /sys/fs/cgroup/cgroup.controllers && ! grep -qsE '^memory[[:space:]].*[[:space:]]1$' /proc/cgroups; then
        warn 'No memory cgroup: add "cgroup_memory=1 cgroup_enable=memory" to the kernel command line (/boot/cmdline.txt on a Raspberry Pi)'
    fi
    if [ "${INSTALL_MKUBE_SKIP_ENABLE:-}" = true ]; then
        info "Not enabling $NAME (INSTALL_MKUBE_SKIP_ENABLE=true)"
        return
    fi
    if ! has_systemd; then
        info "systemd is not running on this machine (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): $NAME is installed but not enabled or started; run '$BIN_DIR/mkube $COMMAND' under your supervisor, or 'systemctl enable --now $NAME' once systemd runs"
        return
    fi
    info "systemd: enabling $NAME"
    systemctl daemon-reload >/dev/null
    systemctl enable "$NAME" >/dev/null
    if [ "${INSTALL_MKUBE_SKIP_START:-}" = true ]; then
        info "Not starting $NAME (INSTALL_MKUBE_SKIP_START=true)"
        return
    fi
    info "systemd: starting $NAME"
    systemctl restart "$NAME"
}

[ "$(id -u)" -eq 0 ] || fatal "run as root (sudo)"

# INSTALL_MKUBE_EXEC's words come first, then this script's arguments (k3s' INSTALL_K3S_EXEC).
# shellcheck disable=SC2086 # INSTALL_MKUBE_EXEC is split into words on purpose, as k3s does.
set -f
set -- ${INSTALL_MKUBE_EXEC:-} "$@"
set +f

find_binary
setup_command "$@"
install_binary
create_killall
create_uninstall
create_env_file
create_service_file
enable_and_start
info "Done: $NAME; uninstall with $UNINSTALL_SH"
