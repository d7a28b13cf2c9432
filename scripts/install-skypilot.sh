#!/bin/sh
# install-skypilot.sh: the one install path for SkyPilot (`sky`) in Carapace.
#
# Downloads uv for this platform into CARAPACE_HOME, verifies it, then runs
# `uv tool install` to put SkyPilot there with its own managed Python. The app
# server, bin/setup and the Dockerfile all run this same script.
#
# Every line on stdout is one event: `[carapace] <phase>[ <pct>%][ code=<code>]: <message>`
# (see emit). uv's own stderr is relayed as `installing` events and kept in the log.
# The script never reads stdin and never runs a system Python.

set -u

INSTALLER_VERSION=1.0.0
# uv 0.12.5 is the release whose behaviour (flags, env variables, output and
# `uv --version` format with the target triple) this script and its tests were
# checked against; pinning it makes every install reproducible.
DEFAULT_UV_VERSION=0.12.5
DEFAULT_UV_MIRROR="https://releases.astral.sh/github/uv/releases/download https://github.com/astral-sh/uv/releases/download"
DEFAULT_SKYPILOT_SPEC="skypilot-nightly[aws]"
DEFAULT_PYTHON=3.12
DEFAULT_LOCK_TIMEOUT=600
# SkyPilot's environment is ~530 MB installed, the managed Python ~80 MB, uv ~40 MB,
# and the downloaded wheels kept in uv's cache ~200 MB: ~850 MB, rounded up for headroom.
DEFAULT_MIN_FREE_MB=1024
# A download that moves no byte for this long is abandoned (then retried).
DEFAULT_STALL_TIMEOUT=30
LOCK_STALE_SECONDS=20
LOCK_REFRESH_SECONDS=4
DOWNLOAD_ATTEMPTS=4

# Exit status of each error code; the same code names are used by the server and the page.
exit_status_of() {
    case $1 in
        platform) _status=10 ;;
        missing-tool) _status=11 ;;
        network) _status=12 ;;
        tls) _status=13 ;;
        checksum) _status=14 ;;
        disk) _status=15 ;;
        permission) _status=16 ;;
        lock) _status=17 ;;
        package) _status=18 ;;
        python) _status=19 ;;
        interrupted) _status=130 ;;
        *) _status=1 ;;
    esac
}

usage() {
    cat <<EOF
install-skypilot.sh $INSTALLER_VERSION: install SkyPilot for Carapace under CARAPACE_HOME.

Usage: sh scripts/install-skypilot.sh [--status] [--force] [--managed] [--uninstall] [--help]

  (no flag)    make SkyPilot usable, installing only what is missing
  --status     say whether SkyPilot is usable and from where; installs nothing (exit 0 usable, 1 not)
  --force      reinstall/repair even if already installed
  --managed    ignore a sky found on PATH and install Carapace's own copy
  --uninstall  remove everything this script created under CARAPACE_HOME
  --help       show this text

Settings (environment): CARAPACE_HOME, CARAPACE_UV_VERSION, CARAPACE_UV_MIRROR,
CARAPACE_UV_SHA256, CARAPACE_UV_ARCHIVE, CARAPACE_SKYPILOT_SPEC, CARAPACE_PYTHON,
CARAPACE_LOCK_TIMEOUT, CARAPACE_MIN_FREE_MB, CARAPACE_STALL_TIMEOUT. See README.md.
EOF
}

# ---------------------------------------------------------------- settings and layout

read_settings() {
    UV_VERSION=${CARAPACE_UV_VERSION:-$DEFAULT_UV_VERSION}
    UV_MIRRORS=${CARAPACE_UV_MIRROR:-$DEFAULT_UV_MIRROR}
    UV_SHA256=${CARAPACE_UV_SHA256:-}
    UV_ARCHIVE=${CARAPACE_UV_ARCHIVE:-}
    SKYPILOT_SPEC=${CARAPACE_SKYPILOT_SPEC:-$DEFAULT_SKYPILOT_SPEC}
    PYTHON_VERSION=${CARAPACE_PYTHON:-$DEFAULT_PYTHON}
    LOCK_TIMEOUT=${CARAPACE_LOCK_TIMEOUT:-$DEFAULT_LOCK_TIMEOUT}
    MIN_FREE_MB=${CARAPACE_MIN_FREE_MB:-$DEFAULT_MIN_FREE_MB}
    STALL_TIMEOUT=${CARAPACE_STALL_TIMEOUT:-$DEFAULT_STALL_TIMEOUT}
    require_whole_number CARAPACE_LOCK_TIMEOUT "$LOCK_TIMEOUT"
    require_whole_number CARAPACE_MIN_FREE_MB "$MIN_FREE_MB"
    require_whole_number CARAPACE_STALL_TIMEOUT "$STALL_TIMEOUT"
    # These values are written into install.json verbatim, so keep them to safe characters.
    case $SKYPILOT_SPEC in
        '' | *'"'* | *\\* | *"$NEWLINE"* | *"$CR"*)
            err package "CARAPACE_SKYPILOT_SPEC is not a valid requirement: '$SKYPILOT_SPEC'" \
                "Use a plain requirement such as skypilot-nightly[aws] or skypilot[aws]==0.10.0."
            ;;
    esac
    case $PYTHON_VERSION in
        '' | *[!0-9.]*) err python "CARAPACE_PYTHON is not a Python version: '$PYTHON_VERSION'" "Use a version such as 3.12." ;;
    esac
    case $UV_VERSION in
        '' | *[!0-9A-Za-z.-]*) err internal "CARAPACE_UV_VERSION is not a version: '$UV_VERSION'" "Use a uv release such as $DEFAULT_UV_VERSION." ;;
    esac
}

require_whole_number() {
    case $2 in
        '' | *[!0-9]*) err internal "$1 must be a whole number, not '$2'" "Fix or unset $1, then retry." ;;
    esac
}

# The one place that knows the layout of CARAPACE_HOME (src/layout.ts mirrors it).
set_layout() {
    if [ -n "${CARAPACE_HOME:-}" ]; then
        CARAPACE_HOME_DIR=$CARAPACE_HOME
    elif [ -n "${HOME:-}" ]; then
        CARAPACE_HOME_DIR=$HOME/.carapace
    else
        err permission "Cannot tell where to install: neither CARAPACE_HOME nor HOME is set" \
            "Set CARAPACE_HOME to a folder you can write to, then retry."
    fi
    case $CARAPACE_HOME_DIR in
        /*) ;;
        *) CARAPACE_HOME_DIR=$(pwd)/$CARAPACE_HOME_DIR ;;
    esac
    MARKER=$CARAPACE_HOME_DIR/install.json
    LOCK_DIR=$CARAPACE_HOME_DIR/install.lock
    LOCK_OWNER=$CARAPACE_HOME_DIR/install.lock.owner
    UV_HOME=$CARAPACE_HOME_DIR/uv
    UV_BIN=$UV_HOME/uv
    TOOL_ENVS=$CARAPACE_HOME_DIR/tools/envs
    TOOL_BIN=$CARAPACE_HOME_DIR/tools/bin
    SKY_BIN=$TOOL_BIN/sky
    PYTHON_INSTALLS=$CARAPACE_HOME_DIR/python/installs
    PYTHON_BIN=$CARAPACE_HOME_DIR/python/bin
    UV_CACHE=$CARAPACE_HOME_DIR/cache
    LOG_DIR=$CARAPACE_HOME_DIR/logs
    LOG_FILE=$LOG_DIR/install.log
    STAGING=$CARAPACE_HOME_DIR/staging
}

# ---------------------------------------------------------------- output

setup_output() {
    COLOR_ON=""
    COLOR_OFF=""
    COLOR_ERROR=""
    if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
        COLOR_ON=$(printf '\033[1m')
        COLOR_ERROR=$(printf '\033[1;31m')
        COLOR_OFF=$(printf '\033[0m')
    fi
    LOG_OPEN=""
    CR=$(printf '\r')
    NEWLINE='
'
}

# The grammar of every stdout line lives here and nowhere else.
emit() {
    _phase=$1 _percent=$2 _code=$3 _message=$4
    _head="[carapace] $_phase"
    [ -n "$_percent" ] && _head="$_head $_percent%"
    [ -n "$_code" ] && _head="$_head code=$_code"
    if [ "$_phase" = error ]; then
        printf '%s%s%s: %s\n' "$COLOR_ERROR" "$_head" "$COLOR_OFF" "$_message"
    else
        printf '%s%s%s: %s\n' "$COLOR_ON" "$_head" "$COLOR_OFF" "$_message"
    fi
    log "$_head: $_message"
}

say() {
    emit "$1" "" "" "$2"
}

log() {
    [ -n "$LOG_OPEN" ] && printf '%s\n' "$1" >>"$LOG_FILE" 2>/dev/null
    return 0
}

# err CODE PROBLEM HINT: report a failure and exit with the code's status.
# The message reads "<problem>. What to do: <hint> Full log: <path>" so that a
# person reads it as it is and the server splits it into message and hint.
err() {
    _message="$2. What to do: $3"
    [ -n "$LOG_OPEN" ] && _message="$_message Full log: $LOG_FILE"
    emit error "" "$1" "$_message"
    exit_status_of "$1"
    exit "$_status"
}

has() {
    command -v "$1" >/dev/null 2>&1
}

need_cmd() {
    has "$1" || err missing-tool "The command '$1' is needed but was not found" \
        "Install '$1' with your system's package manager, then retry."
}

# ensure CODE PROBLEM HINT -- COMMAND...: run a command that must succeed.
ensure() {
    _ensure_code=$1 _ensure_problem=$2 _ensure_hint=$3
    shift 4
    "$@" || err "$_ensure_code" "$_ensure_problem" "$_ensure_hint"
}

now_epoch() {
    date +%s
}

# ---------------------------------------------------------------- cleanup and signals

BACKGROUND_PIDS=""
LOCK_HELD=""
HEARTBEAT_PID=""

track_pid() {
    BACKGROUND_PIDS="$BACKGROUND_PIDS $1"
}

stop_background() {
    for _pid in $BACKGROUND_PIDS; do
        kill "$_pid" 2>/dev/null
    done
    for _pid in $BACKGROUND_PIDS; do
        wait "$_pid" 2>/dev/null
    done
    BACKGROUND_PIDS=""
}

on_exit() {
    stop_background
    [ -n "$LOCK_HELD" ] && rm -rf "$STAGING" 2>/dev/null
    release_lock
}

on_signal() {
    trap - INT TERM HUP
    stop_background
    err interrupted "The installation was stopped before it finished; nothing half-installed is kept" \
        "Run the installer again to finish the installation."
}

# ---------------------------------------------------------------- platform

detect_platform() {
    need_cmd uname
    _os=$(uname -s) || err platform "Could not run uname to detect this system" "Make sure uname works, then retry."
    _arch=$(uname -m) || err platform "Could not run uname to detect this system" "Make sure uname works, then retry."
    case $_arch in
        x86_64 | amd64) _arch=x86_64 ;;
        arm64 | aarch64) _arch=aarch64 ;;
    esac
    case $_os in
        Darwin)
            # A Rosetta-translated shell reports x86_64 on Apple Silicon; the native build is faster.
            if [ "$_arch" = x86_64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null)" = 1 ]; then
                _arch=aarch64
            fi
            case $_arch in
                x86_64 | aarch64) PLATFORM=$_arch-apple-darwin ;;
                *) unsupported_platform "$_os $_arch" ;;
            esac
            ;;
        Linux)
            case $_arch in
                x86_64 | aarch64) PLATFORM=$_arch-unknown-linux-$(linux_libc "$_arch") ;;
                *) unsupported_platform "$_os $_arch" ;;
            esac
            ;;
        *) unsupported_platform "$_os $_arch" ;;
    esac
}

# Prints gnu or musl. The static musl build runs on any Linux, so it is also the
# answer when glibc is missing, too old for uv's gnu build, or cannot be identified.
linux_libc() {
    _ldd=$(ldd --version 2>&1) || true
    case $_ldd in
        *musl*) echo musl; return ;;
    esac
    _glibc=$(printf '%s\n' "$_ldd" | sed -n '1s/.* \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p')
    # Some slim images drop ldd; getconf (also part of glibc) still knows the version.
    [ -n "$_glibc" ] || _glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9.]*\)$/\1/p')
    _needed=17
    [ "$1" = aarch64 ] && _needed=28
    case $_glibc in
        2.*)
            _minor=${_glibc#2.}
            if [ "$_minor" -ge "$_needed" ] 2>/dev/null; then echo gnu; else echo musl; fi
            ;;
        *) echo musl ;;
    esac
}

unsupported_platform() {
    err platform "This system ($1) is not supported: SkyPilot can be installed on macOS (arm64, x86_64) and Linux (x86_64, aarch64)" \
        "Use a supported machine, or install SkyPilot yourself so that 'sky' is on PATH."
}

# ---------------------------------------------------------------- preflight

need_cmds() {
    for _cmd in uname date mkdir rm mv cp cat sed grep tr wc tail head df touch sleep mkfifo chmod env; do
        need_cmd "$_cmd"
    done
}

prepare_home() {
    if ! mkdir -p "$CARAPACE_HOME_DIR" 2>/dev/null; then
        err permission "Cannot create the Carapace folder $CARAPACE_HOME_DIR" \
            "Make its parent folder writable or set CARAPACE_HOME to a folder you own, then retry."
    fi
    _probe=$CARAPACE_HOME_DIR/.write-test.$$
    if ! (: >"$_probe") 2>/dev/null; then
        err permission "Cannot write to the Carapace folder $CARAPACE_HOME_DIR" \
            "Make it writable (e.g. chown it to your user) or set CARAPACE_HOME to a folder you own, then retry."
    fi
    rm -f "$_probe"
}

open_log() {
    make_dir "$LOG_DIR"
    # Keep the previous run's log for comparison; each install starts its own.
    [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    LOG_OPEN=1
    log "# install-skypilot.sh $INSTALLER_VERSION, pid $$, started $(date -u +%Y-%m-%dT%H:%M:%SZ), home $CARAPACE_HOME_DIR"
}

free_mb() {
    df -Pk "$1" 2>/dev/null | {
        read -r _header
        read -r _fs _blocks _used _available _rest
        echo $((${_available:-0} / 1024))
    }
}

check_free_space() {
    _free=$(free_mb "$CARAPACE_HOME_DIR")
    if [ "${_free:-0}" -lt "$MIN_FREE_MB" ]; then
        err disk "Not enough disk space in $CARAPACE_HOME_DIR: $MIN_FREE_MB MB needed, $_free MB available" \
            "Free up space on that disk (or set CARAPACE_HOME to a folder on another disk), then retry."
    fi
}

# make_dir PATH: create a folder under CARAPACE_HOME, or fail saying why.
make_dir() {
    mkdir -p "$1" 2>/dev/null && return 0
    fail_if_disk_full
    err permission "Cannot create $1" "Make $CARAPACE_HOME_DIR writable, then retry."
}

# Called after a step failed: was the disk full?
fail_if_disk_full() {
    _free=$(free_mb "$CARAPACE_HOME_DIR")
    if [ "${_free:-0}" -lt 8 ]; then
        err disk "The disk holding $CARAPACE_HOME_DIR ran out of space during the installation ($_free MB left)" \
            "Free up at least $MIN_FREE_MB MB on that disk, then retry."
    fi
}

# Clear the variables that would point uv at another Python, venv or config, and
# keep only the user's network settings (index, mirror, proxy, certificates).
scrub_environment() {
    for _name in $(env | sed -n 's/^\(UV_[A-Za-z0-9_]*\)=.*/\1/p'); do
        case $_name in
            UV_DEFAULT_INDEX | UV_INDEX | UV_INDEX_URL | UV_EXTRA_INDEX_URL | UV_PYTHON_INSTALL_MIRROR | \
                UV_HTTP_TIMEOUT | UV_HTTP_RETRIES | UV_OFFLINE | UV_SYSTEM_CERTS | UV_NATIVE_TLS) ;;
            *) unset "$_name" ;;
        esac
    done
    unset VIRTUAL_ENV CONDA_PREFIX PYTHONHOME PYTHONPATH PYTHONSTARTUP PYTHONUSERBASE
    export UV_TOOL_DIR="$TOOL_ENVS"
    export UV_TOOL_BIN_DIR="$TOOL_BIN"
    export UV_PYTHON_INSTALL_DIR="$PYTHON_INSTALLS"
    export UV_PYTHON_BIN_DIR="$PYTHON_BIN"
    export UV_CACHE_DIR="$UV_CACHE"
    export UV_NO_CONFIG=1
    export UV_PYTHON_PREFERENCE=only-managed
    export UV_NO_PROGRESS=1
    export UV_PYTHON_DOWNLOADS=automatic
}

# ---------------------------------------------------------------- the install lock
# install.lock is a directory made with mkdir and kept fresh with touch: the
# on-disk format of proper-lockfile (stale: 20000), so the server sees it too.

acquire_lock() {
    _waited_since=""
    _vanished=0
    while ! mkdir "$LOCK_DIR" 2>/dev/null; do
        if [ ! -d "$LOCK_DIR" ]; then
            # Usually released between our two looks: try again, but not forever.
            _vanished=$((_vanished + 1))
            [ -e "$LOCK_DIR" ] || [ "$_vanished" -ge 100 ] &&
                err permission "Cannot create the lock folder $LOCK_DIR" "Make $CARAPACE_HOME_DIR writable (and remove $LOCK_DIR if it is a file), then retry."
            continue
        fi
        if lock_is_stale; then
            say checking "A previous installation stopped without finishing; taking over its lock"
            break_lock
            continue
        fi
        if [ -z "$_waited_since" ]; then
            _waited_since=$(now_epoch)
            say checking "Another installation is in progress, waiting..."
        elif [ $(($(now_epoch) - _waited_since)) -ge "$LOCK_TIMEOUT" ]; then
            err lock "Another installation has held $LOCK_DIR for over $LOCK_TIMEOUT seconds" \
                "Wait for it to finish, or stop it, then retry; if no installer is running, delete $LOCK_DIR."
        fi
        sleep 1
    done
    LOCK_HELD=1
    printf '{\n  "pid": %s,\n  "host": "%s",\n  "started_at": "%s"\n}\n' \
        "$$" "$(uname -n)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$LOCK_OWNER" 2>/dev/null
    start_heartbeat
}

# The heartbeat is never waited for: a signal sent just after the fork can be lost
# before the subshell drops the inherited traps. It ends by itself once the lock is
# gone or its owner has died (even by kill -9), so an abandoned lock goes stale.
start_heartbeat() {
    _owner=$$
    (
        trap - INT TERM HUP EXIT
        while kill -0 "$_owner" 2>/dev/null && [ -d "$LOCK_DIR" ]; do
            # -c: a late refresh must never create a plain file where the lock was.
            touch -c "$LOCK_DIR" 2>/dev/null
            sleep "$LOCK_REFRESH_SECONDS"
        done
    ) </dev/null >/dev/null 2>&1 &
    HEARTBEAT_PID=$!
}

lock_is_stale() {
    _mtime=$(mtime_of "$LOCK_DIR") || return 1
    [ $(($(now_epoch) - _mtime)) -gt "$LOCK_STALE_SECONDS" ] && return 0
    # An owner on this host whose process is gone will never refresh the lock.
    read_owner || return 1
    [ "$_owner_host" = "$(uname -n)" ] && ! process_exists "$_owner_pid"
}

# kill -0 also fails for another user's live process, so ask /proc where there is one.
process_exists() {
    kill -0 "$1" 2>/dev/null || [ -d "/proc/$1" ]
}

read_owner() {
    _owner_pid="" _owner_host=""
    [ -f "$LOCK_OWNER" ] || return 1
    while IFS= read -r _line; do
        case $_line in
            *'"pid":'*) _owner_pid=${_line#*: } _owner_pid=${_owner_pid%,} ;;
            *'"host":'*) _owner_host=${_line#*: \"} _owner_host=${_owner_host%\",} ;;
        esac
    done <"$LOCK_OWNER"
    [ -n "$_owner_pid" ] && [ -n "$_owner_host" ]
}

mtime_of() {
    stat -c %Y "$1" 2>/dev/null || stat -f %m "$1" 2>/dev/null
}

break_lock() {
    # Renaming first means two runs that both saw the stale lock cannot both remove it.
    _aside=$LOCK_DIR.stale.$$
    mv "$LOCK_DIR" "$_aside" 2>/dev/null || return 0
    rm -rf "$_aside" "$LOCK_OWNER"
}

release_lock() {
    [ -n "$LOCK_HELD" ] || return 0
    LOCK_HELD=""
    rm -f "$LOCK_OWNER"
    rm -rf "$LOCK_DIR"
    [ -n "$HEARTBEAT_PID" ] && kill "$HEARTBEAT_PID" 2>/dev/null
    HEARTBEAT_PID=""
}

lock_is_fresh() {
    [ -d "$LOCK_DIR" ] && ! lock_is_stale
}

# ---------------------------------------------------------------- install state

# Sets the marker's fields; fails when there is no marker.
read_marker() {
    m_uv_version="" m_sky_version="" m_spec="" m_python="" m_installed_at=""
    [ -f "$MARKER" ] || return 1
    while IFS= read -r _line; do
        _value=${_line#*: \"}
        _value=${_value%\"*}
        case $_line in
            *'"uv_version":'*) m_uv_version=$_value ;;
            *'"sky_version":'*) m_sky_version=$_value ;;
            *'"spec":'*) m_spec=$_value ;;
            *'"python":'*) m_python=$_value ;;
            *'"installed_at":'*) m_installed_at=$_value ;;
        esac
    done <"$MARKER"
    [ -n "$m_sky_version" ]
}

managed_install_is_current() {
    read_marker && [ -x "$SKY_BIN" ] && [ "$m_spec" = "$SKYPILOT_SPEC" ] && [ "$m_python" = "$PYTHON_VERSION" ]
}

# Sets PATH_SKY to the first sky on PATH outside CARAPACE_HOME.
find_sky_on_path() {
    PATH_SKY=""
    _saved_ifs=$IFS
    IFS=:
    set -f
    for _dir in $PATH; do
        case $_dir in
            '' | "$CARAPACE_HOME_DIR" | "$CARAPACE_HOME_DIR"/*) continue ;;
        esac
        if [ -f "$_dir/sky" ] && [ -x "$_dir/sky" ]; then
            PATH_SKY=$_dir/sky
            break
        fi
    done
    set +f
    IFS=$_saved_ifs
    [ -n "$PATH_SKY" ]
}

# Sets SKY_VERSION from `<sky> --version` ("skypilot, version 1.0.0.dev20261120").
sky_version_of() {
    _sky_errors=/dev/null
    [ -n "$LOG_OPEN" ] && _sky_errors=$LOG_FILE
    _out=$("$1" --version </dev/null 2>>"$_sky_errors") || return 1
    case $_out in
        *'version '*) SKY_VERSION=${_out##*version } ;;
        *) return 1 ;;
    esac
    case $SKY_VERSION in
        '' | *[!A-Za-z0-9.+_-]*) return 1 ;;
    esac
}

write_marker() {
    _tmp=$MARKER.tmp.$$
    if ! printf '{\n  "installer_version": "%s",\n  "uv_version": "%s",\n  "sky_version": "%s",\n  "spec": "%s",\n  "python": "%s",\n  "platform": "%s",\n  "sky_path": "%s",\n  "installed_at": "%s"\n}\n' \
        "$INSTALLER_VERSION" "$UV_VERSION" "$SKY_VERSION" "$SKYPILOT_SPEC" "$PYTHON_VERSION" \
        "$PLATFORM" "$SKY_BIN" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$_tmp" 2>/dev/null || ! mv -f "$_tmp" "$MARKER"; then
        rm -f "$_tmp"
        fail_if_disk_full
        err permission "Could not write $MARKER" "Make $CARAPACE_HOME_DIR writable, then retry."
    fi
}

# ---------------------------------------------------------------- downloads

choose_downloader() {
    DOWNLOADER=""
    if has curl; then
        case $(command -v curl) in
            /snap/*) ;; # snap's confinement stops it writing to dot-folders such as ~/.carapace
            *) DOWNLOADER=curl ;;
        esac
    fi
    if [ -z "$DOWNLOADER" ] && has wget; then
        DOWNLOADER=wget
        case $(wget --help 2>&1) in
            *BusyBox*) DOWNLOADER=busybox-wget ;;
        esac
    fi
    [ -n "$DOWNLOADER" ] || err missing-tool "Neither curl nor wget was found (a curl installed with snap cannot write to $CARAPACE_HOME_DIR)" \
        "Install curl (e.g. apt-get install curl) or wget, then retry."
    # Fractional sleeps give smoother progress; plain POSIX sleep only takes whole seconds.
    if sleep 0.1 2>/dev/null; then TICK=0.25 TICKS_PER_REPORT=4; else TICK=1 TICKS_PER_REPORT=1; fi
}

# Sets URL_HOST; fails for plain http:// to anything but this machine.
check_url() {
    URL_HOST=${1#*://}
    URL_HOST=${URL_HOST%%/*}
    case $1 in
        https://*) return 0 ;;
        http://127.0.0.1[:/]* | http://localhost[:/]* | "http://[::1]"[:/]*) return 0 ;;
    esac
    err network "Refusing to download from $1: only https:// is allowed (plain http:// only on this machine)" \
        "Fix CARAPACE_UV_MIRROR to use https:// URLs, then retry."
}

# download URL FILE [LABEL]: one attempt, resuming FILE if it exists. Sets
# DL_RESULT to ok, missing (404 and the like), transient, unreachable, tls or disk.
# With LABEL, prints progress lines about once a second.
download() {
    _url=$1 _file=$2 _label=${3:-}
    _headers=$_file.headers
    rm -f "$_headers"
    case $DOWNLOADER in
        curl)
            _proto="=https"
            case $_url in http://*) _proto="=http" ;; esac
            curl --silent --show-error --location --fail --proto "$_proto" --proto-redir "$_proto" --tlsv1.2 \
                --connect-timeout 15 --speed-limit 1 --speed-time "$STALL_TIMEOUT" \
                --continue-at - --dump-header "$_headers" --output "$_file" "$_url" \
                </dev/null >/dev/null 2>>"$LOG_FILE" &
            ;;
        wget)
            _tls="--secure-protocol=TLSv1_2"
            case $_url in http://*) _tls="" ;; esac
            # shellcheck disable=SC2086 # _tls is one flag or nothing
            wget --no-verbose --server-response --continue --tries=1 $_tls --connect-timeout=15 \
                --read-timeout="$STALL_TIMEOUT" --output-document="$_file" "$_url" \
                </dev/null >/dev/null 2>"$_headers" &
            ;;
        busybox-wget)
            wget -S -c -T "$STALL_TIMEOUT" -O "$_file" "$_url" </dev/null >/dev/null 2>"$_headers" &
            ;;
    esac
    _pid=$!
    track_pid "$_pid"
    _ticks=0
    while kill -0 "$_pid" 2>/dev/null; do
        sleep "$TICK"
        _ticks=$((_ticks + 1))
        if [ -n "$_label" ] && [ "$_ticks" -ge "$TICKS_PER_REPORT" ]; then
            _ticks=0
            kill -0 "$_pid" 2>/dev/null && report_progress "$_file" "$_label"
        fi
    done
    wait "$_pid"
    _exit=$?
    BACKGROUND_PIDS=""
    [ "$DOWNLOADER" != curl ] && cat "$_headers" >>"$LOG_FILE" 2>/dev/null
    classify_download "$_exit"
    log "download $_url: exit $_exit, HTTP ${HTTP_STATUS:-none}, $DL_RESULT"
    [ "$DL_RESULT" = ok ] && [ -n "$_label" ] && report_progress "$_file" "$_label"
    return 0
}

# Reads the response headers of the last attempt: sets HTTP_STATUS and TOTAL_BYTES.
read_headers() {
    HTTP_STATUS="" TOTAL_BYTES=""
    [ -f "$_headers" ] || return 0
    while IFS= read -r _line; do
        _line=${_line%"$CR"}
        _line=${_line#"${_line%%[! ]*}"}
        case $_line in
            HTTP/*)
                HTTP_STATUS=${_line#* }
                HTTP_STATUS=${HTTP_STATUS%% *}
                TOTAL_BYTES=""
                ;;
            [Cc]ontent-[Ll]ength:*)
                [ "$HTTP_STATUS" = 200 ] && TOTAL_BYTES=${_line#*: }
                ;;
            [Cc]ontent-[Rr]ange:*)
                TOTAL_BYTES=${_line##*/}
                ;;
        esac
    done <"$_headers"
    case $TOTAL_BYTES in *[!0-9]* | '') TOTAL_BYTES="" ;; esac
}

report_progress() {
    read_headers
    _have=0
    [ -f "$1" ] && _have=$(wc -c <"$1" | tr -d ' ')
    if [ -n "$TOTAL_BYTES" ] && [ "$TOTAL_BYTES" -gt 0 ]; then
        _pct=$((_have * 100 / TOTAL_BYTES))
        [ "$_pct" -gt 100 ] && _pct=100
        emit downloading "$_pct" "" "$2: $(megabytes "$_have") of $(megabytes "$TOTAL_BYTES") MB"
    else
        emit downloading "" "" "$2: $(megabytes "$_have") MB"
    fi
}

megabytes() {
    _tenths=$(($1 / 100000))
    echo "$((_tenths / 10)).$((_tenths % 10))"
}

# Sets DL_RESULT from the downloader's exit status, and DL_REASON in plain words.
classify_download() {
    read_headers
    DL_RESULT=transient DL_REASON="the connection failed"
    if [ "$1" = 0 ]; then
        DL_RESULT=ok DL_REASON=""
        return
    fi
    case $DOWNLOADER in
        curl)
            case $1 in
                22) classify_http_status ;;
                5 | 6) DL_RESULT=unreachable DL_REASON="the host name could not be resolved" ;;
                7) DL_RESULT=unreachable DL_REASON="the connection was refused" ;;
                18) DL_REASON="the transfer was cut short" ;;
                23) DL_RESULT=disk DL_REASON="the file could not be written" ;;
                28) DL_REASON="no data arrived for $STALL_TIMEOUT s" ;;
                33 | 36) rm -f "$_file"; DL_REASON="the server cannot resume" ;; # start over
                35 | 51 | 53 | 54 | 58 | 59 | 60 | 64 | 66 | 77 | 80 | 82 | 83 | 90 | 91) DL_RESULT=tls DL_REASON="TLS verification failed" ;;
                52 | 55 | 56) DL_REASON="the connection was reset" ;;
            esac
            ;;
        *)
            case $1 in
                3) DL_RESULT=disk DL_REASON="the file could not be written" ;;
                5) DL_RESULT=tls DL_REASON="TLS verification failed" ;;
                8) classify_http_status ;;
                4) if grep -qi 'refused' "$_headers" 2>/dev/null; then
                    DL_RESULT=unreachable DL_REASON="the connection was refused"
                elif grep -qi -e 'resolve' -e 'unable to' "$_headers" 2>/dev/null; then
                    DL_RESULT=unreachable DL_REASON="the host name could not be resolved"
                fi ;;
                1) [ -n "$HTTP_STATUS" ] && classify_http_status ;;
            esac
            ;;
    esac
}

classify_http_status() {
    DL_REASON="HTTP $HTTP_STATUS"
    case $HTTP_STATUS in
        408 | 429 | 5??) DL_RESULT=transient ;;
        416) DL_RESULT=ok ;; # the partial file already holds everything
        *) DL_RESULT=missing ;;
    esac
}

# fetch URL FILE [LABEL]: download with retries and backoff on transient failures.
# Sets DL_RESULT like download.
fetch() {
    _attempt=1
    _backoff=1
    while :; do
        download "$@"
        case $DL_RESULT in
            transient) ;;
            *) return 0 ;;
        esac
        [ "$_attempt" -ge "$DOWNLOAD_ATTEMPTS" ] && return 0
        say downloading "Download interrupted ($DL_REASON, attempt $_attempt of $DOWNLOAD_ATTEMPTS); retrying in $_backoff s"
        sleep "$_backoff"
        _attempt=$((_attempt + 1))
        _backoff=$((_backoff * 2))
    done
}

# ---------------------------------------------------------------- uv

uv_is_ready() {
    [ -x "$UV_BIN" ] || return 1
    _reported=$("$UV_BIN" --version 2>/dev/null </dev/null) || return 1
    case $_reported in
        "uv $UV_VERSION" | "uv $UV_VERSION "*) return 0 ;;
    esac
    return 1
}

install_uv() {
    if uv_is_ready; then
        say checking "uv $UV_VERSION is already in $UV_HOME"
        return 0
    fi
    _archive_name=uv-$PLATFORM.tar.gz
    _archive=$STAGING/$_archive_name
    if [ -n "$UV_ARCHIVE" ]; then
        [ -f "$UV_ARCHIVE" ] || err missing-tool "CARAPACE_UV_ARCHIVE points to $UV_ARCHIVE, which does not exist" \
            "Set CARAPACE_UV_ARCHIVE to the path of uv-$PLATFORM.tar.gz, or unset it to download uv."
        [ -n "$UV_SHA256" ] || err checksum "CARAPACE_UV_ARCHIVE is set but CARAPACE_UV_SHA256 is not, so the archive cannot be verified" \
            "Set CARAPACE_UV_SHA256 to the archive's SHA-256 (from its .sha256 file), then retry."
        ensure disk "Could not copy $UV_ARCHIVE into $STAGING" "Check free space in $CARAPACE_HOME_DIR, then retry." -- \
            cp "$UV_ARCHIVE" "$_archive"
        EXPECTED_SHA256=$UV_SHA256
    else
        download_uv "$_archive_name" "$_archive"
    fi
    verify_archive "$_archive"
    unpack_uv "$_archive"
}

# Tries each mirror in turn; sets EXPECTED_SHA256.
download_uv() {
    choose_downloader
    _tried=""
    _last_problem=""
    for _base in $UV_MIRRORS; do
        _archive_url=${_base%/}/$UV_VERSION/$1
        check_url "$_archive_url"
        _host=$URL_HOST
        _tried="$_tried${_tried:+ or }$_host"
        EXPECTED_SHA256=$UV_SHA256
        if [ -z "$EXPECTED_SHA256" ]; then
            rm -f "$2.sha256"
            fetch "$_archive_url.sha256" "$2.sha256"
            handle_fatal_download "$_archive_url.sha256" "$_host"
            if [ "$DL_RESULT" != ok ]; then
                _last_problem=$(describe_failure "$_archive_url.sha256")
                continue
            fi
            # The sidecar reads "<hex>  <name>": only the first field matters.
            read -r EXPECTED_SHA256 _rest <"$2.sha256"
        fi
        say downloading "Downloading package manager (uv $UV_VERSION for $PLATFORM) from $_host..."
        rm -f "$2"
        fetch "$_archive_url" "$2" "Downloading package manager"
        handle_fatal_download "$_archive_url" "$_host"
        [ "$DL_RESULT" = ok ] && return 0
        _last_problem=$(describe_failure "$_archive_url")
        rm -f "$2"
    done
    err network "Could not download uv from $_tried: $_last_problem" \
        "Check your internet connection, or set HTTPS_PROXY if you are behind a proxy (or CARAPACE_UV_MIRROR to a reachable mirror), then retry."
}

handle_fatal_download() {
    case $DL_RESULT in
        tls)
            err tls "Could not verify the TLS certificate of $2 while downloading $1 (a proxy or security product may be intercepting HTTPS)" \
                "Point SSL_CERT_FILE or CURL_CA_BUNDLE at your organisation's CA bundle (and set UV_SYSTEM_CERTS=1 for uv), then retry."
            ;;
        disk)
            fail_if_disk_full
            err permission "Could not write the download into $STAGING" "Make $CARAPACE_HOME_DIR writable and check its free space, then retry."
            ;;
    esac
}

describe_failure() {
    case $DL_RESULT in
        missing) echo "$1 was not found ($DL_REASON)" ;;
        unreachable) echo "$DL_REASON" ;;
        *) echo "the download kept failing ($DL_REASON, after $DOWNLOAD_ATTEMPTS attempts)" ;;
    esac
}

choose_sha256_tool() {
    for _tool in sha256sum shasum openssl; do
        if has "$_tool"; then
            SHA256_TOOL=$_tool
            return 0
        fi
    done
    err missing-tool "No SHA-256 tool was found (sha256sum, shasum or openssl), so the download cannot be verified" \
        "Install coreutils (sha256sum) or openssl, then retry."
}

# Prints the lowercase hex SHA-256 of a file, with the tool choose_sha256_tool found.
sha256_of() {
    case $SHA256_TOOL in
        sha256sum) _sum=$(sha256sum "$1") && _sum=${_sum%% *} ;;
        shasum) _sum=$(shasum -a 256 "$1") && _sum=${_sum%% *} ;;
        openssl) _sum=$(openssl dgst -sha256 "$1") && _sum=${_sum##* } ;;
    esac || return 1
    echo "$_sum" | tr 'A-F' 'a-f'
}

verify_archive() {
    say verifying "Checking the SHA-256 checksum of uv-$PLATFORM.tar.gz"
    choose_sha256_tool
    _expected=$(echo "$EXPECTED_SHA256" | tr 'A-F' 'a-f')
    case $_expected in
        *[!0-9a-f]*) _expected=invalid ;;
    esac
    [ ${#_expected} -eq 64 ] || _expected="not a SHA-256 ($EXPECTED_SHA256)"
    _actual=$(sha256_of "$1") || err internal "Could not compute the checksum of $1" "Retry; if it fails again, report it with the log."
    if [ "$_actual" != "$_expected" ]; then
        rm -f "$1"
        err checksum "The uv download does not match its checksum (expected $_expected, got $_actual); it was deleted" \
            "Retry: the download may have been corrupted. If it happens again, your network or mirror is altering files."
    fi
}

unpack_uv() {
    need_cmd tar
    need_cmd gzip
    _unpacked=$STAGING/unpacked
    _member=uv-$PLATFORM
    make_dir "$_unpacked"
    # -o: never restore the archive's owner (the CI runner's uid/gid) when run as root.
    if ! tar -x -z -o -f "$1" -C "$_unpacked" "$_member/uv" "$_member/uvx" 2>>"$LOG_FILE"; then
        fail_if_disk_full
        err checksum "The uv archive could not be unpacked (it has no $_member/uv)" "Retry; if it happens again, report it with the log."
    fi
    if ! _reported=$("$_unpacked/$_member/uv" --version 2>>"$LOG_FILE" </dev/null); then
        fail_unless_executable_here
        err platform "The downloaded uv does not run on this system ($PLATFORM)" \
            "Report this with the log; meanwhile you can install SkyPilot yourself so that sky is on PATH."
    fi
    case $_reported in
        "uv $UV_VERSION" | "uv $UV_VERSION "*) ;;
        *) err checksum "The downloaded uv reports '$_reported', not version $UV_VERSION" \
            "Check CARAPACE_UV_MIRROR and CARAPACE_UV_ARCHIVE point to uv $UV_VERSION, then retry." ;;
    esac
    make_dir "$UV_HOME"
    # Renames within one filesystem are atomic; uv goes last since its presence means ready.
    ensure permission "Could not move uv into $UV_HOME" "Make $CARAPACE_HOME_DIR writable, then retry." -- \
        mv -f "$_unpacked/$_member/uvx" "$UV_HOME/uvx"
    ensure permission "Could not move uv into $UV_HOME" "Make $CARAPACE_HOME_DIR writable, then retry." -- \
        mv -f "$_unpacked/$_member/uv" "$UV_BIN"
    say verifying "uv $UV_VERSION is ready"
}

# A disk mounted noexec refuses every program, not just uv.
fail_unless_executable_here() {
    _probe=$STAGING/exec-test
    printf '#!/bin/sh\nexit 0\n' >"$_probe" && chmod +x "$_probe"
    "$_probe" 2>/dev/null && return 0
    err permission "Programs cannot be run from $CARAPACE_HOME_DIR (is its disk mounted noexec?)" \
        "Set CARAPACE_HOME to a folder on a disk that allows running programs, then retry."
}

# ---------------------------------------------------------------- SkyPilot

install_skypilot() {
    _force=""
    if [ -n "$FORCE" ] || [ -e "$SKY_BIN" ] || [ -L "$SKY_BIN" ] || tool_envs_exist; then
        # A tool environment without a marker is unfinished or broken: recreate it.
        _force=--force
    fi
    say installing "Installing cloud tools ($SKYPILOT_SPEC with Python $PYTHON_VERSION)..."
    _fifo=$STAGING/uv-output
    _uv_errors=$STAGING/uv-errors
    : >"$_uv_errors"
    mkfifo "$_fifo" || err internal "Could not create $_fifo" "Check that $CARAPACE_HOME_DIR is on a local disk, then retry."
    (
        trap - EXIT INT TERM HUP
        relay_uv_output
    ) <"$_fifo" &
    _relay_pid=$!
    track_pid "$_relay_pid"
    # shellcheck disable=SC2086 # _force is one flag or nothing
    "$UV_BIN" tool install --python "$PYTHON_VERSION" --with pip $_force "$SKYPILOT_SPEC" \
        </dev/null >>"$LOG_FILE" 2>"$_fifo" &
    _uv_pid=$!
    track_pid "$_uv_pid"
    wait "$_uv_pid"
    _uv_status=$?
    wait "$_relay_pid"
    BACKGROUND_PIDS=""
    [ "$_uv_status" = 0 ] || fail_uv_install "$_uv_status"
}

tool_envs_exist() {
    for _entry in "$TOOL_ENVS"/*; do
        [ -e "$_entry" ] && return 0
    done
    return 1
}

relay_uv_output() {
    while IFS= read -r _line || [ -n "$_line" ]; do
        _line=${_line%"$CR"}
        printf '%s\n' "$_line" >>"$_uv_errors"
        case $_line in
            '') ;;
            # Carapace runs sky by its full path, so uv's advice to edit PATH would mislead.
            'warning: '*'is not on your PATH'*) log "$_line" ;;
            *) say installing "$_line" ;;
        esac
    done
}

# Turns uv's exit status and stderr into one of our error codes.
fail_uv_install() {
    # The most telling line: uv's "Because ..." explanation, else its first error line.
    # (Patterns stay ASCII: some shells refuse other bytes in a script under the C locale.)
    _detail=$(grep 'Because ' "$_uv_errors" | head -n 1)
    [ -n "$_detail" ] || _detail=$(grep -e '^error:' -e 'No solution found' "$_uv_errors" | head -n 1)
    _detail=$(printf '%s' "$_detail" | sed -e 's/^[^A-Za-z]*//' -e 's/^error: //')
    _cause=$(grep 'Caused by:' "$_uv_errors" 2>/dev/null | tail -n 1 | sed 's/^ *Caused by: *//')
    [ -n "$_cause" ] && _detail="$_detail ($_cause)"
    [ -n "$_detail" ] || _detail="uv exited with status $1"
    if grep -qi 'no space left on device' "$_uv_errors"; then
        err disk "The disk ran out of space while installing SkyPilot: $_detail" \
            "Free up at least $MIN_FREE_MB MB in $CARAPACE_HOME_DIR's disk, then retry."
    elif grep -qi -e 'UnknownIssuer' -e 'invalid peer certificate' -e 'certificate verify failed' "$_uv_errors"; then
        err tls "uv could not verify a TLS certificate: $_detail" \
            "Set UV_SYSTEM_CERTS=1 to use your system's certificates, or SSL_CERT_FILE to your organisation's CA bundle, then retry."
    elif grep -q -e 'No interpreter found' -e 'No download found' -e 'Failed to download Python' -e 'Failed to install cpython' "$_uv_errors"; then
        err python "uv could not get Python $PYTHON_VERSION for SkyPilot: $_detail" \
            "Check your internet connection (uv downloads Python; UV_PYTHON_INSTALL_MIRROR can point to a mirror) and that UV_OFFLINE is not set, then retry."
    elif [ "$1" = 1 ] || grep -q 'No solution found' "$_uv_errors"; then
        err package "uv could not install $SKYPILOT_SPEC: $_detail" \
            "Check CARAPACE_SKYPILOT_SPEC and your package index (UV_DEFAULT_INDEX), then retry."
    elif grep -qi -e 'Request failed' -e 'Failed to fetch' -e 'error sending request' -e 'dns error' -e 'connect' "$_uv_errors"; then
        err network "uv could not download SkyPilot's packages: $_detail" \
            "Check your internet connection, or set HTTPS_PROXY (or UV_DEFAULT_INDEX to a reachable index), then retry."
    elif [ "$1" -gt 128 ]; then
        err interrupted "uv was stopped by a signal before it finished" "Run the installer again to finish the installation."
    fi
    err internal "uv failed while installing SkyPilot: $_detail" "Retry with --force; if it fails again, report it with the log."
}

verify_skypilot() {
    say verifying "Checking that SkyPilot runs"
    sky_version_of "$SKY_BIN" || err package "SkyPilot was installed but '$SKY_BIN --version' failed" \
        "Run the installer again with --force to repair it."
}

# ---------------------------------------------------------------- commands

# Prints the complete line when the managed install is current and no repair is asked for.
already_installed() {
    [ -z "$FORCE" ] && managed_install_is_current || return 1
    say complete "SkyPilot $m_sky_version is ready at $SKY_BIN"
}

run_install() {
    already_installed && return 0
    say checking "Checking this system and $CARAPACE_HOME_DIR"
    if [ -z "$MANAGED" ] && ! read_marker && find_sky_on_path; then
        if sky_version_of "$PATH_SKY"; then
            say complete "Using SkyPilot found on PATH at $PATH_SKY (version $SKY_VERSION), installed outside Carapace"
            return 0
        fi
        say checking "The sky found on PATH at $PATH_SKY does not run; installing Carapace's own copy"
    fi
    detect_platform
    prepare_home
    acquire_lock
    # Whoever held the lock before may have finished the same install.
    already_installed && return 0
    open_log
    need_cmds
    # An old or forced install is no longer trustworthy: without a marker it is "not installed".
    rm -f "$MARKER"
    rm -rf "$STAGING"
    make_dir "$STAGING"
    check_free_space
    scrub_environment
    say checking "Platform $PLATFORM; installing into $CARAPACE_HOME_DIR"
    install_uv
    install_skypilot
    verify_skypilot
    write_marker
    say complete "SkyPilot $SKY_VERSION is ready at $SKY_BIN"
}

run_status() {
    say checking "Carapace folder: $CARAPACE_HOME_DIR"
    if lock_is_fresh && read_owner; then
        say checking "An installation is in progress (process $_owner_pid on $_owner_host)"
    fi
    if read_marker && [ -x "$SKY_BIN" ]; then
        say checking "uv: $m_uv_version; Python: $m_python; installed at $m_installed_at"
        say complete "SkyPilot $m_sky_version is installed, managed by Carapace, at $SKY_BIN"
        return 0
    fi
    if find_sky_on_path; then
        if sky_version_of "$PATH_SKY"; then
            say complete "SkyPilot $SKY_VERSION is usable, found on PATH at $PATH_SKY (installed outside Carapace)"
            return 0
        fi
        say checking "A sky on PATH at $PATH_SKY does not run"
    fi
    if [ -e "$SKY_BIN" ] || tool_envs_exist; then
        say checking "SkyPilot is not installed: a previous installation did not finish (run the installer to repair it)"
    else
        say checking "SkyPilot is not installed (run the installer to install it)"
    fi
    exit 1
}

run_uninstall() {
    if [ ! -d "$CARAPACE_HOME_DIR" ]; then
        say complete "Nothing to remove: $CARAPACE_HOME_DIR does not exist"
        return 0
    fi
    acquire_lock
    say checking "Removing SkyPilot, uv and Python from $CARAPACE_HOME_DIR"
    rm -f "$MARKER"
    for _path in "$CARAPACE_HOME_DIR/tools" "$CARAPACE_HOME_DIR/python" "$UV_HOME" "$UV_CACHE" "$STAGING" "$LOG_DIR"; do
        [ -e "$_path" ] || continue
        # uv leaves some cache entries read-only.
        chmod -R u+w "$_path" 2>/dev/null
        rm -rf "$_path" || err permission "Could not remove $_path" "Make it writable, then retry."
    done
    release_lock
    rmdir "$CARAPACE_HOME_DIR" 2>/dev/null
    say complete "Removed everything the installer created in $CARAPACE_HOME_DIR"
}

parse_args() {
    COMMAND=install FORCE="" MANAGED=""
    for _arg in ${1+"$@"}; do
        case $_arg in
            --status) COMMAND=status ;;
            --uninstall) COMMAND=uninstall ;;
            --force) FORCE=1 ;;
            --managed) MANAGED=1 ;;
            --help | -h) COMMAND=help ;;
            *) err internal "Unknown option '$_arg'" "Run with --help to see the options." ;;
        esac
    done
}

main() {
    setup_output
    parse_args ${1+"$@"}
    if [ "$COMMAND" = help ]; then
        usage
        return 0
    fi
    set_layout
    read_settings
    trap on_exit EXIT
    trap on_signal INT TERM HUP
    case $COMMAND in
        status) run_status ;;
        uninstall) run_uninstall ;;
        install) run_install ;;
    esac
}

# ${1+"$@"}: some shells (posh) treat a bare "$@" with no arguments as unset under set -u.
main ${1+"$@"}
