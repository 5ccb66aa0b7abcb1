#!/usr/bin/env bash
# Throwaway PostgreSQL server for CI and local test runs.
#
# Usage:
#   bash .ci/postgres.sh start > pg.env    # start; prints `export VAR=...` lines on stdout
#   source pg.env                          # -> TRACKER_TEST_DATABASE_URL, CI_PG_DIR, ...
#   bash .ci/postgres.sh stop [DIR]        # stop server, remove DIR (default: $CI_PG_DIR)
#
# `start` creates a fresh temp dir (data dir, unix socket, log), initdb's a cluster
# owned by the non-root `postgres` user (PostgreSQL refuses to run as root), listens
# only on 127.0.0.1 on a free port, trust auth, fsync off, and creates the database
# `tracker_test`. All diagnostics go to stderr; only the export lines go to stdout.
# On any failure it prints the server log, cleans up after itself and exits non-zero.
# `stop` is idempotent and never fails.
#
# Environment knobs (all optional):
#   PG_BIN           directory holding initdb/pg_ctl (default: search PATH, then
#                    /usr/lib/postgresql/*/bin, newest first)
#   CI_PG_USER       OS user to run the server as when invoked as root (default postgres)
#   CI_PG_DB         database to create (default tracker_test)
#   CI_PG_TMPROOT    parent of the temp dir (default /tmp; must be traversable by CI_PG_USER)
#   CI_PG_NO_INSTALL set to 1 to never try `apt-get install postgresql` when binaries are missing
set -euo pipefail

log() { printf '[postgres.sh] %s\n' "$*" >&2; }
die() { printf '[postgres.sh] ERROR: %s\n' "$*" >&2; exit 1; }

PG_USER=${CI_PG_USER:-postgres}
PG_DB=${CI_PG_DB:-tracker_test}

# --- locating binaries -------------------------------------------------------

_find_bindir() {
    local d
    if [ -n "${PG_BIN:-}" ]; then
        [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && { echo "$PG_BIN"; return 0; }
        log "PG_BIN=$PG_BIN has no initdb/pg_ctl; searching elsewhere"
    fi
    if command -v initdb >/dev/null 2>&1; then
        # Resolve symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb)
        # so pg_ctl/postgres come from the same installation.
        d=$(dirname "$(readlink -f "$(command -v initdb)")")
        [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
        if command -v pg_ctl >/dev/null 2>&1; then
            dirname "$(command -v initdb)"
            return 0
        fi
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

find_bindir() {
    local d
    if d=$(_find_bindir); then echo "$d"; return 0; fi
    if [ "${CI_PG_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "initdb/pg_ctl not found; trying: apt-get install postgresql"
        {
            DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
        } >&2 || log "apt-get install postgresql failed"
        if d=$(_find_bindir); then echo "$d"; return 0; fi
    fi
    return 1
}

# Run a command as the server's OS user (only needed when we are root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        # cd / so the server user never trips over an unreadable cwd (e.g. under /root).
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        "$@"
    fi
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# --- stop ---------------------------------------------------------------------

cmd_stop() {
    local dir=${1:-${CI_PG_DIR:-}}
    [ -n "$dir" ] || { log "stop: no directory given and CI_PG_DIR unset; nothing to do"; return 0; }
    [ -d "$dir" ] || return 0
    local bindir=${CI_PG_BINDIR:-}
    [ -n "$bindir" ] || bindir=$(_find_bindir 2>/dev/null || true)
    if [ -f "$dir/data/postmaster.pid" ]; then
        if [ -n "$bindir" ]; then
            as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
                as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
        fi
        # Last resort: kill the postmaster directly if it is still around.
        if [ -f "$dir/data/postmaster.pid" ]; then
            local pid
            pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                log "postmaster $pid still running; sending SIGQUIT/SIGKILL"
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 1
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf -- "$dir"
    log "stopped; removed $dir"
}

# --- start --------------------------------------------------------------------

cmd_start() {
    local bindir
    bindir=$(find_bindir) || die "PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or /usr/lib/postgresql/*/bin; install PostgreSQL (Debian: apt-get install postgresql) or set PG_BIN"
    log "using $("$bindir/pg_ctl" --version) from $bindir"
    CI_PG_BINDIR=$bindir  # lets cmd_stop (cleanup on failure) use the same binaries

    if [ "$(id -u)" = 0 ]; then
        if ! id -u "$PG_USER" >/dev/null 2>&1; then
            log "creating system user $PG_USER"
            useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$PG_USER" >&2 ||
                die "user $PG_USER does not exist and could not be created"
        fi
        command -v runuser >/dev/null 2>&1 || die "runuser not found (needed to run PostgreSQL as $PG_USER)"
    fi
    command -v python3 >/dev/null 2>&1 || die "python3 not found (used to pick a free port)"

    local root=${CI_PG_TMPROOT:-/tmp}
    local dir
    dir=$(mktemp -d "$root/ci-pg.XXXXXX") || die "mktemp failed in $root"
    chmod 700 "$dir"
    # From here on, clean up on any failure.
    # shellcheck disable=SC2064
    trap "cmd_stop '$dir' || true" EXIT
    if [ "$(id -u)" = 0 ]; then
        chown "$PG_USER": "$dir"
    fi

    local logfile=$dir/server.log
    if ! as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
            -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
        log "initdb failed; its output:"
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    fi
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# --- throwaway CI settings (.ci/postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
log_min_messages = warning
EOF

    local port="" attempt started=0
    for attempt in 1 2 3; do
        port=$(free_port)
        log "starting server on 127.0.0.1:$port (attempt $attempt)"
        if as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$logfile" -w -t 60 \
                -o "-p $port" start >/dev/null 2>"$dir/pg_ctl.err"; then
            started=1
            break
        fi
        log "pg_ctl start failed:"
        cat "$dir/pg_ctl.err" >&2 || true
        log "---- server log ($logfile) ----"
        cat "$logfile" >&2 2>/dev/null || true
        log "---- end of server log ----"
        # Only a port clash is worth retrying.
        grep -qiE 'could not bind|address already in use' "$logfile" 2>/dev/null || break
        as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    done
    [ "$started" = 1 ] || die "PostgreSQL server failed to start (see log above)"

    local psql=psql
    [ -x "$bindir/psql" ] && psql=$bindir/psql
    if ! PGCONNECT_TIMEOUT=10 "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
            -d postgres -c "CREATE DATABASE \"$PG_DB\"" >&2; then
        log "---- server log ($logfile) ----"
        cat "$logfile" >&2 || true
        die "could not create database $PG_DB"
    fi

    trap - EXIT
    log "ready: postgresql://postgres@127.0.0.1:$port/$PG_DB (dir $dir)"
    cat <<EOF
export CI_PG_DIR='$dir'
export CI_PG_BINDIR='$bindir'
export CI_PG_PORT='$port'
export CI_PG_LOG='$logfile'
export TRACKER_TEST_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:$port/$PG_DB'
EOF
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop "${2:-}" ;;
    *)
        echo "usage: $0 start > ENVFILE   (then: source ENVFILE)" >&2
        echo "       $0 stop [DIR]        (default DIR: \$CI_PG_DIR)" >&2
        exit 2
        ;;
esac
