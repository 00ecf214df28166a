#!/usr/bin/env bash
# Run a local Label Studio server for development, the demo, integration tests and CI.
#
#   scripts/label-studio.sh start    install (first use) and start it; no-op when already healthy
#   scripts/label-studio.sh stop     stop it (and its children)
#   scripts/label-studio.sh status   print its URL and health; exit 0 healthy, 3 not running,
#                                    4 running but not answering
#   scripts/label-studio.sh env      print `export LABEL_STUDIO_URL=…` and `…_API_KEY=…` lines
#   scripts/label-studio.sh check [URL]  check that the server (default: the local one)
#                                    accepts the token in .labelstudio/credentials
#
# Label Studio is a service, not a library dependency: it lives in its own virtualenv at
# ${ANNOTATE_CACHE:-~/.cache/annotate}/ls-$LS_VERSION. Its data, pid file, log and the
# generated admin credentials live in <repo>/.labelstudio/ (git-ignored); the URL and the
# admin's API token are also written to <repo>/.env (mode 600). The token is never on a
# command line (visible to every user in /proc/*/cmdline): curl reads it as a header file.
#
# Environment: LS_VERSION (default 1.23.2), LS_PORT (default: a free port, kept across
# restarts when still free), LS_START_TIMEOUT (seconds, default 180; 900 for the first start
# of a data directory, which creates the database), ANNOTATE_CACHE, PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LS_VERSION=${LS_VERSION:-1.23.2}
CACHE=${ANNOTATE_CACHE:-$HOME/.cache/annotate}
VENV=$CACHE/ls-$LS_VERSION
MARKER=$VENV/.annotate-install-complete
PYTHON=${PYTHON:-python3}

STATE=$ROOT/.labelstudio
DATA_DIR=$STATE/data
PIDFILE=$STATE/label-studio.pid
LOGFILE=$STATE/label-studio.log
CREDENTIALS=$STATE/credentials
PORTFILE=$STATE/port
ENVFILE=$ROOT/.env

BIND_HOST=127.0.0.1
ADMIN_EMAIL=admin@annotate.local
START_TIMEOUT=${LS_START_TIMEOUT:-180}
FIRST_START_TIMEOUT=${LS_START_TIMEOUT:-900}

die() { echo "label-studio.sh: $*" >&2; exit 1; }

usage() {
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# --- helpers -------------------------------------------------------------------------

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

port_in_use() {
    "$PYTHON" - "$1" <<'EOF'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The pid of the running server, or nothing (a stale pid file is ignored).
server_pid() {
    local pid
    [[ -f $PIDFILE ]] || return 0
    pid=$(<"$PIDFILE")
    if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then echo "$pid"; fi
}

# A killed server may linger as a zombie until its new parent reaps it.
alive() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]
}

server_url() {
    [[ -f $PORTFILE ]] && echo "http://$BIND_HOST:$(<"$PORTFILE")"
}

healthy() {
    curl -fsS --max-time 5 -o /dev/null "$1/health" 2>/dev/null
}

with_lock() {
    mkdir -p "$STATE"
    chmod 700 "$STATE"
    exec 9>"$STATE/.lock"
    flock -w 600 9 || die "timed out waiting for another label-studio.sh to finish"
}

# --- install -------------------------------------------------------------------------

ensure_installed() {
    if [[ -f $MARKER && -x $VENV/bin/label-studio ]] \
        && "$VENV/bin/python" -c 'import label_studio' 2>/dev/null; then
        return 0
    fi
    mkdir -p "$CACHE"
    exec 8>"$CACHE/ls-$LS_VERSION.lock"
    flock -w 1800 8 || die "timed out waiting for another install of Label Studio"
    [[ -f $MARKER ]] && return 0
    # No marker: a fresh machine, or an install that stopped half-way. Reuse a working
    # venv (pip completes whatever is missing), rebuild one that cannot run pip.
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        echo "Creating $VENV" >&2
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    local log=$CACHE/ls-$LS_VERSION-install.log
    echo "Installing label-studio==$LS_VERSION into $VENV (a few minutes; log: $log)" >&2
    if ! "$VENV/bin/python" -m pip install "label-studio==$LS_VERSION" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "pip install label-studio==$LS_VERSION failed (full log: $log)"
    fi
    "$VENV/bin/python" -c 'import label_studio' || die "label_studio does not import after install"
    echo "$LS_VERSION" >"$MARKER"
}

# --- credentials and .env ------------------------------------------------------------

load_credentials() {
    if [[ ! -f $CREDENTIALS ]]; then
        # The admin and its token are created only at the first start of a data directory.
        [[ ! -e $DATA_DIR/label_studio.sqlite3 ]] \
            || die "$CREDENTIALS is missing but $DATA_DIR holds a database;" \
                "remove $DATA_DIR to start afresh (this deletes its projects)"
        (
            umask 077
            {
                echo "LS_ADMIN_EMAIL=$ADMIN_EMAIL"
                echo "LS_ADMIN_PASSWORD=$(random_hex 16)"
                echo "LS_API_KEY=$(random_hex 20)"
            } >"$CREDENTIALS.tmp"
            mv "$CREDENTIALS.tmp" "$CREDENTIALS"
        )
    fi
    # Django's SECRET_KEY signs browser sessions: a fixed one keeps logins across restarts.
    grep -q '^LS_SECRET_KEY=' "$CREDENTIALS" || echo "LS_SECRET_KEY=$(random_hex 32)" >>"$CREDENTIALS"
    chmod 600 "$CREDENTIALS"
    # shellcheck source=/dev/null
    source "$CREDENTIALS"
    [[ ${LS_API_KEY:-} =~ ^[0-9a-f]{40}$ ]] || die "$CREDENTIALS has no valid LS_API_KEY"
}

# Set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY in .env, keeping every other line.
write_env_file() {
    local url=$1 tmp
    tmp=$(umask 077 && mktemp "$ROOT/.env.XXXXXX")
    if [[ -f $ENVFILE ]]; then
        grep -Ev '^[[:space:]]*(export[[:space:]]+)?LABEL_STUDIO_(URL|API_KEY)[[:space:]]*=' \
            "$ENVFILE" >"$tmp" || true
    fi
    {
        echo "LABEL_STUDIO_URL=$url"
        echo "LABEL_STUDIO_API_KEY=$LS_API_KEY"
    } >>"$tmp"
    chmod 600 "$tmp"
    mv "$tmp" "$ENVFILE"
}

# --- commands ------------------------------------------------------------------------

wait_healthy() {
    local url=$1 pid=$2 deadline=$((SECONDS + ${3:-$START_TIMEOUT}))
    while ((SECONDS < deadline)); do
        healthy "$url" && return 0
        alive "$pid" || return 1
        sleep 1
    done
    return 1
}

# The token only takes effect at the first start of a data directory: check it works.
# curl reads the header from a file descriptor (printf is a builtin: no process shows it).
check_token() {
    curl -fsS --max-time 10 -o /dev/null \
        -H @<(printf 'Authorization: Token %s\n' "$LS_API_KEY") \
        "$1/api/current-user/whoami" \
        || die "the server at $1 refuses the token in $CREDENTIALS;" \
            "remove $DATA_DIR and $CREDENTIALS to start afresh (this deletes its projects)"
}

cmd_check() {
    local url=${1:-}
    [[ -n $url ]] || url=$(server_url || true)
    [[ -n $url && -f $CREDENTIALS ]] || die "no server state in $STATE; run: $0 start"
    load_credentials
    check_token "$url"
    echo "the server at $url accepts the token in $CREDENTIALS"
}

cmd_start() {
    with_lock
    local pid url port started=$SECONDS
    pid=$(server_pid)
    url=$(server_url || true)
    if [[ -n $pid ]]; then
        if [[ -n $url ]] && { healthy "$url" || wait_healthy "$url" "$pid"; }; then
            load_credentials
            write_env_file "$url"
            echo "Label Studio already running at $url (pid $pid)"
            return 0
        fi
        echo "Label Studio (pid $pid) does not answer at $url; restarting it" >&2
        stop_server "$pid"
    fi

    ensure_installed
    load_credentials

    if [[ -n ${LS_PORT:-} ]]; then
        port=$LS_PORT
        ! port_in_use "$port" || die "port $port (LS_PORT) is already in use"
    elif [[ -f $PORTFILE ]] && ! port_in_use "$(<"$PORTFILE")"; then
        port=$(<"$PORTFILE")
    else
        port=$(free_port)
    fi
    echo "$port" >"$PORTFILE"
    url="http://$BIND_HOST:$port"

    mkdir -p "$DATA_DIR"
    # A first start creates the database (slow on a loaded machine). If it fails or is
    # stopped half-way, the half-migrated database would make every later start fail
    # ("duplicate column name"): it is removed so that the next start begins afresh.
    local db=$DATA_DIR/label_studio.sqlite3 timeout=$START_TIMEOUT fresh=0
    [[ -e $db ]] || { fresh=1; timeout=$FIRST_START_TIMEOUT; }
    # CI=true would make Label Studio load a dev-only Django app; DEBUG, HOST and PORT
    # are read from the environment too. Telemetry, Sentry and the PyPI version check
    # are switched off: the server must not phone home.
    # The secrets are exported in this subshell, not passed as `env NAME=value` arguments
    # (an argument list is readable by every user while the process runs).
    (
        cd "$STATE"
        unset CI DEBUG HOST PORT LABEL_STUDIO_URL LABEL_STUDIO_API_KEY
        export LABEL_STUDIO_BASE_DATA_DIR="$DATA_DIR" \
            LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
            LABEL_STUDIO_USERNAME="$LS_ADMIN_EMAIL" \
            LABEL_STUDIO_PASSWORD="$LS_ADMIN_PASSWORD" \
            LABEL_STUDIO_USER_TOKEN="$LS_API_KEY" \
            SECRET_KEY="$LS_SECRET_KEY" \
            LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=true \
            LABEL_STUDIO_COLLECT_ANALYTICS=false \
            LABEL_STUDIO_LATEST_VERSION_CHECK=false \
            LABEL_STUDIO_SENTRY_DSN= \
            LABEL_STUDIO_FRONTEND_SENTRY_DSN=
        nohup setsid "$VENV/bin/label-studio" start \
            --no-browser --internal-host "$BIND_HOST" --port "$port" \
            --data-dir "$DATA_DIR" --enable-legacy-api-token \
            </dev/null >"$LOGFILE" 2>&1 8>&- 9>&- &
        echo $! >"$PIDFILE"
    )
    pid=$(<"$PIDFILE")
    if ! wait_healthy "$url" "$pid" "$timeout"; then
        echo "label-studio.sh: Label Studio did not become healthy at $url" \
            "within ${timeout}s; last lines of $LOGFILE:" >&2
        tail -n 40 "$LOGFILE" >&2 || true
        stop_server "$pid"
        if ((fresh)); then
            rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
            echo "label-studio.sh: removed the half-created database; the next start" \
                "begins afresh" >&2
        fi
        exit 1
    fi
    check_token "$url"
    write_env_file "$url"
    echo "Label Studio $LS_VERSION running at $url (pid $pid, started in $((SECONDS - started))s)"
}

# Stop the process group led by $1 (setsid made the server a group leader).
stop_server() {
    local pid=$1 i
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        alive "$pid" || break
        sleep 0.2
    done
    if alive "$pid"; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
}

cmd_stop() {
    with_lock
    local pid
    pid=$(server_pid)
    if [[ -z $pid ]]; then
        rm -f "$PIDFILE"
        echo "Label Studio is not running"
        return 0
    fi
    stop_server "$pid"
    echo "Label Studio stopped (pid $pid)"
}

cmd_status() {
    local pid url
    pid=$(server_pid)
    url=$(server_url || true)
    if [[ -z $pid ]]; then
        echo "Label Studio is not running${url:+ (last URL $url)}"
        exit 3
    fi
    if healthy "$url"; then
        echo "Label Studio running at $url (pid $pid): healthy"
        exit 0
    fi
    echo "Label Studio running (pid $pid) but not answering at $url"
    exit 4
}

cmd_env() {
    local url
    url=$(server_url || true)
    [[ -n $url && -f $CREDENTIALS ]] || die "no server state in $STATE; run: $0 start"
    load_credentials
    printf 'export LABEL_STUDIO_URL=%q\n' "$url"
    printf 'export LABEL_STUDIO_API_KEY=%q\n' "$LS_API_KEY"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    check) cmd_check "${2:-}" ;;
    *) usage ;;
esac
