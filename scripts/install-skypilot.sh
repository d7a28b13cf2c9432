#!/bin/sh
# shellcheck disable=SC3043 # local: every shell this script supports scopes it (test-bats/robustness.bats)
# install-skypilot.sh: the one install path for SkyPilot (`sky`) in Carapace.
#
# Downloads uv for this platform into CARAPACE_HOME, verifies it, then runs
# `uv tool install` to put SkyPilot there with its own managed Python. The app
# server, bin/setup and the Dockerfile all run this same script.
#
# Every line on stdout is one event of the grammar in `emit`. uv's own stderr is
# relayed as `installing` events and kept in the log. The script never reads
# stdin, never runs a system Python, and writes nothing outside CARAPACE_HOME.
#
# ================================================================ map
# The sections below, in order, and the state (globals, in capitals) each one owns.
# Every other variable is a function's own `local`, in lower case. A function that
# computes a value sets RETVAL, the one result variable (several values are words
# separated by spaces, the last one free text), or prints it; its caller reads
# RETVAL right after the call. A function takes what it needs as arguments or from
# the state: none reads its caller's variables. ( ... ) & sees a snapshot of both.
#
#   the contract          facts src/contract.ts holds too: INSTALLER_VERSION PHASES ERROR_CODES, the
#                         layout (*_PATH), HOME_MARK_HEADER MARKER_FIELDS LOCK_OWNER_FIELDS
#                         LOCK_STALE_SECONDS SETTINGS_VARIABLES SETTINGS_LINE SETTINGS_MAX_BYTES
#                         SETTINGS_REFUSED_HINT OLDEST_SKYPILOT_RELEASE
#                         OLDEST_SKYPILOT_NIGHTLY API_SERVER_MODULE HOME_OWNERSHIP_MESSAGE
#                         HOME_OWNERSHIP_HINT CLOUD_EXTRAS
#   defaults              DEFAULT_*, UV_MIRROR_SUFFIX, SKYPILOT_PACKAGE, the limits (CONNECT_TIMEOUT LOCK_REFRESH_SECONDS
#                         DOWNLOAD_ROUNDS WAITING_REPORT_SECONDS API_STOP_TIMEOUT), UV_PASS_THROUGH
#                         NETWORK_PASS_THROUGH; usage
#   output                RETVAL; COLOR_ON COLOR_OFF COLOR_ERROR LOG_OPEN STDOUT_GONE CLEANING_UP CR
#                         TAB NEWLINE; emit (the grammar of stdout), say, log, err, ensure
#   cleanup and signals   BACKGROUND_PIDS LOCK_HELD HEARTBEAT_PID, and what on_exit and err must
#                         know: NEW_TOOLS SWITCHED UPDATING_FROM; start_loop, the one way to make a
#                         background loop
#   settings and layout   COMMAND FORCE MANAGED ADD_CLOUD; CARAPACE_HOME_DIR and its layout: HOME_MARK
#                         MARKER PENDING_MARKER TOOLS_LINK LOCK_DIR LOCK_OWNER UV_BIN UVX_BIN SKY_BIN
#                         PYTHON_INSTALLS PYTHON_BIN UV_CACHE CREDENTIALS_DIR LOG_FILE STAGING
#                         SETTINGS_FILE; UV_VERSION UV_SHA256 UV_ARCHIVE CLOUDS SKYPILOT_SPEC
#                         SPEC_GIVEN EXTRAS PYTHON_GIVEN PYTHON_VERSION LOCK_TIMEOUT MIN_FREE_MB
#                         STALL_TIMEOUT
#                         WATCH_PID UV_MIRRORS UV_MIRROR_SETTING
#   install state         INSTALLED_* (install.json as read_marker last read it); already_installed
#   the fast path         begin (options, settings, traps), then the end of an install with nothing
#                         to do, before the shell has parsed the sections below
#   the folder            the mark and the entries it lists
#   platform              PLATFORM
#   preflight             the commands, the settings file, the log, the free space, uv's environment
#   the install lock      STARTED_AT STARTED_ID HOST_NAME; the lock and its heartbeat
#   downloads             DOWNLOADER, chosen on first use
#   uv                    SHA256_TOOL, chosen on first use; uv in CARAPACE_HOME
#   SkyPilot              DOWNLOAD_BYTES SKY_VERSION of the environment this run makes (NEW_TOOLS),
#                         and the switch to it (SWITCHED); a sky found on PATH
#   commands              REQUIREMENT HAD_ENVIRONMENT, and SKYPILOT_SPEC EXTRAS as an install widens
#                         them; one run_* function per command, and main

set -u

# ================================================================ the contract
# The facts the server shares with this script. src/contract.ts holds the same
# values; test/installer/contract.test.ts runs this script and checks the two agree.

INSTALLER_VERSION=2.0.0
PHASES="checking downloading installing verifying complete error"
# <code>:<exit status> for every error this script reports.
ERROR_CODES="platform:10 missing-tool:11 network:12 tls:13 checksum:14 disk:15 permission:16 lock:17 package:18 python:19 settings:20 interrupted:130 internal:1"
# The layout of CARAPACE_HOME, relative to it.
HOME_MARK_PATH=.carapace-home
MARKER_PATH=install.json
# The next marker, written before the switch: while it exists, a switch was under way.
PENDING_MARKER_PATH=install.json.next
LOCK_PATH=install.lock
LOCK_OWNER_PATH=install.lock/owner
UV_PATH=uv/uv
UVX_PATH=uv/uvx
# tools is a link to the folder of the environment in use (tools.<id>); every install
# is made in a new one and switched to by replacing the link, in one rename.
TOOLS_LINK_PATH=tools
SKY_PATH=tools/bin/sky
PYTHON_INSTALLS_PATH=python/installs
PYTHON_BIN_PATH=python/bin
CACHE_PATH=cache
CREDENTIALS_PATH=credentials
INSTALL_LOG_PATH=logs/install.log
STAGING_PATH=staging
SETTINGS_PATH=settings.json
HOME_MARK_HEADER="# This folder belongs to Carapace (scripts/install-skypilot.sh). --uninstall removes the entries listed below, and nothing else."
MARKER_FIELDS="installer_version uv_version sky_version spec extras python platform sky_path tools_dir download_bytes installed_at"
LOCK_OWNER_FIELDS="pid host started_at"
# proper-lockfile's `stale: 20000`: a lock not refreshed for this long is abandoned.
LOCK_STALE_SECONDS=20
# Network settings a user may keep in CARAPACE_HOME/settings.json (saved from the
# page); a variable set in the environment wins over the file.
SETTINGS_VARIABLES="HTTPS_PROXY CARAPACE_UV_MIRROR UV_ASTRAL_MIRROR_URL UV_PYTHON_INSTALL_MIRROR UV_DEFAULT_INDEX SSL_CERT_FILE"
# settings.json as the server writes it: a JSON object with one setting a line in this
# shape, the last without its comma. read_settings_file reads it line by line.
SETTINGS_LINE='  "NAME": "VALUE",'
# The largest settings.json either reads; a file of another form is refused, with this hint.
SETTINGS_MAX_BYTES=16384
SETTINGS_REFUSED_HINT="Save the settings again in Carapace's Settings, which writes the file anew (or delete the file), then retry."
# The oldest SkyPilot whose output and task schema (`infra:`) Carapace reads: the
# INFRA column and the infra field arrived with skypilot-org/skypilot PR #5602
# (May 2025), first in the 0.10.0 release; nightlies are dated 1.0.0.devYYYYMMDD.
OLDEST_SKYPILOT_RELEASE=0.10
OLDEST_SKYPILOT_NIGHTLY=20250601
# SkyPilot's local API server runs as `<python> -m sky.server.server` (sky/server/common.py)
# and keeps no pid file: it is found by this in its command line, with a path inside
# CARAPACE_HOME, as `sky api stop` finds it (sky/client/sdk.py, api_stop).
API_SERVER_MODULE="-m sky.server.server"
# Who may write in CARAPACE_HOME: the user running Carapace, alone (src/contract.ts,
# HOME_OWNERSHIP). Its message is followed by the folder.
HOME_OWNERSHIP_MESSAGE="CARAPACE_HOME must be owned by you and writable by no one else, and this folder is not:"
HOME_OWNERSHIP_HINT="Check that nothing in it was put there by someone else, then make it yours alone (chown it to your user, chmod go-w), or set CARAPACE_HOME to a new folder."
# The clouds whose SkyPilot libraries the installer adds (CARAPACE_CLOUDS, --add-cloud): the
# extras of sky/setup_files/dependencies.py that src/sky/clouds.ts offers (addable). uv
# installs a name that is no extra with only a warning, so no other name is asked of it.
CLOUD_EXTRAS="aws gcp azure kubernetes lambda runpod nebius oci ibm"

# ================================================================ defaults

# uv 0.12.5 is the release whose behaviour (flags, env variables, output and
# `uv --version` format with the target triple) this script and its tests were
# checked against; pinning it makes every install reproducible.
DEFAULT_UV_VERSION=0.12.5
# Astral's mirror of its downloads, and where uv's releases are under it (uv's
# crates/uv-static/src/lib.rs, ASTRAL_MIRROR_BASE_URL; self_update.rs, UV_MIRROR_SUFFIX).
DEFAULT_ASTRAL_MIRROR=https://releases.astral.sh
UV_MIRROR_SUFFIX=/github/uv/releases/download
DEFAULT_UV_MIRROR="$DEFAULT_ASTRAL_MIRROR$UV_MIRROR_SUFFIX https://github.com/astral-sh/uv/releases/download"
SKYPILOT_PACKAGE=skypilot-nightly
DEFAULT_CLOUDS=aws
DEFAULT_PYTHON=3.12
# SkyPilot's IBM libraries work with Python 3.11 and older (its installation guide: "IBM is
# only supported for Python <= 3.11"): with IBM among the clouds, SkyPilot gets this Python.
IBM_PYTHON=3.11
DEFAULT_LOCK_TIMEOUT=600
# SkyPilot's environment is ~530 MB installed, the managed Python ~80 MB, uv ~40 MB,
# and the downloaded wheels kept in uv's cache ~200 MB: ~850 MB, rounded up for headroom.
DEFAULT_MIN_FREE_MB=1024
# What uv downloads for skypilot-nightly[aws] with its Python (~32 MB) and packages
# (~90 MB), measured against the growth of its cache: the progress of the package step
# until an install has measured its own (install.json's download_bytes).
DEFAULT_DOWNLOAD_MB=125
# A download that moves no byte for this long is abandoned; with two mirrors, a
# dead network is reported within about twice this.
DEFAULT_STALL_TIMEOUT=15
CONNECT_TIMEOUT=10
LOCK_REFRESH_SECONDS=4
DOWNLOAD_ROUNDS=4
# While a download moves no byte, say so this often: under 5 s, with the loop's own delay.
WAITING_REPORT_SECONDS=4
API_STOP_TIMEOUT=20
# uv's own settings a user may rely on for a company index, proxy or certificates
# (uv's crates/uv-static/src/env_vars.rs), passed to uv untouched, with every
# UV_INDEX_<NAME>_USERNAME and UV_INDEX_<NAME>_PASSWORD. Every other UV_* variable
# is dropped: it could point uv at another Python, venv, folder or config file.
UV_PASS_THROUGH="UV_DEFAULT_INDEX UV_INDEX UV_INDEX_URL UV_EXTRA_INDEX_URL UV_FIND_LINKS UV_PYTHON_INSTALL_MIRROR UV_ASTRAL_MIRROR_URL UV_PYTHON_DOWNLOADS_JSON_URL UV_HTTP_TIMEOUT UV_HTTP_CONNECT_TIMEOUT UV_HTTP_RETRIES UV_INSECURE_HOST UV_KEYRING_PROVIDER UV_OFFLINE UV_SYSTEM_CERTS UV_NATIVE_TLS"
# Passed to curl, wget and uv as they are.
NETWORK_PASS_THROUGH="HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY SSL_CERT_FILE CURL_CA_BUNDLE NO_COLOR"

usage() {
    cat <<EOF
install-skypilot.sh $INSTALLER_VERSION: install SkyPilot for Carapace under CARAPACE_HOME.

Usage: sh scripts/install-skypilot.sh [--status] [--force] [--managed] [--update] [--add-cloud NAME] [--uninstall] [--help]

  (no flag)        make SkyPilot usable, installing only what is missing
  --status         say whether SkyPilot is usable and from where; installs nothing (exit 0 usable, 1 not)
  --force          reinstall/repair even if already installed
  --managed        ignore a sky found on PATH and install Carapace's own copy
  --update         install the newest SkyPilot beside the one in use, and switch to it once it runs
  --add-cloud NAME add a cloud's SkyPilot libraries (skypilot[NAME]) to the install
  --uninstall      remove everything this script created under CARAPACE_HOME, and nothing else
  --help           show this text

Settings (environment): CARAPACE_HOME CARAPACE_UV_VERSION CARAPACE_UV_MIRROR CARAPACE_UV_SHA256 CARAPACE_UV_ARCHIVE CARAPACE_CLOUDS CARAPACE_SKYPILOT_SPEC CARAPACE_PYTHON CARAPACE_LOCK_TIMEOUT CARAPACE_MIN_FREE_MB CARAPACE_STALL_TIMEOUT CARAPACE_SKYPILOT_TELEMETRY CARAPACE_WATCH_PID
Read from CARAPACE_HOME/$SETTINGS_PATH when not set: $SETTINGS_VARIABLES
Passed to uv: $UV_PASS_THROUGH UV_INDEX_<NAME>_USERNAME UV_INDEX_<NAME>_PASSWORD
Passed to curl, wget and uv: $NETWORK_PASS_THROUGH
Output lines: [carapace] <phase>[ <percent>%][ bytes=<done>[/<total>]][ code=<code>]: <message>
Phases: $PHASES
Exit statuses: 0:ok $ERROR_CODES
See docs/installer.md.
EOF
}

# ================================================================ output

# The one result variable: a function that computes a value sets it, and its caller
# reads it right after the call.
RETVAL=""

setup_output() {
    COLOR_ON="" COLOR_OFF="" COLOR_ERROR=""
    if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
        COLOR_OFF=$(printf '\033')
        COLOR_ON="${COLOR_OFF}[1m" COLOR_ERROR="${COLOR_OFF}[1;31m" COLOR_OFF="${COLOR_OFF}[0m"
    fi
    LOG_OPEN="" STDOUT_GONE="" CLEANING_UP=""
    CR="" TAB=""
    NEWLINE='
'
}

# CR and TAB, for the steps that strip or escape them. A $(...) forks, so they are
# set only on the way to changing something: the fast path starts no process.
set_control_characters() {
    [ -n "$TAB" ] && return 0
    TAB=$(printf '\r\t')
    CR=${TAB%?} TAB=${TAB#?}
}

# replace_all TEXT FROM TO: sets RETVAL to TEXT with every FROM replaced by TO.
replace_all() {
    local rest
    rest=$1 RETVAL=""
    while :; do
        case $rest in
            *"$2"*)
                RETVAL=$RETVAL${rest%%"$2"*}$3
                rest=${rest#*"$2"}
                ;;
            *) break ;;
        esac
    done
    RETVAL=$RETVAL$rest
}

# emit PHASE PERCENT BYTES CODE MESSAGE: the grammar of every stdout line lives here.
#
#   [carapace] <phase>[ <percent>%][ bytes=<done>[/<total>]][ code=<code>]: <message>
#
# PERCENT, BYTES and CODE may be empty. src/installer/lines.ts is its one parser.
emit() {
    local head color message saved
    message=$5
    case $message in
        *://*@*)
            saved=$RETVAL
            hide_userinfo "$message"
            message=$RETVAL RETVAL=$saved
            ;;
    esac
    head="[carapace] $1"
    [ -n "$2" ] && head="$head $2%"
    [ -n "$3" ] && head="$head bytes=$3"
    [ -n "$4" ] && head="$head code=$4"
    log "$head: $message"
    [ -z "$STDOUT_GONE" ] || return 0
    color=$COLOR_ON
    [ "$1" = error ] && color=$COLOR_ERROR
    if ! printf '%s%s%s: %s\n' "$color" "$head" "$COLOR_OFF" "$message" 2>/dev/null; then
        # Whoever read our output is gone (e.g. the app that started us was killed):
        # stop, so that uv is stopped and the lock released rather than kept by an orphan.
        STDOUT_GONE=1
        [ -n "$CLEANING_UP" ] || kill -TERM $$ 2>/dev/null
    fi
    return 0
}

say() {
    emit "$1" "" "" "" "$2"
}

# log LINE: appends LINE to the log, with no user name or password in it (hide_userinfo).
log() {
    local saved
    [ -n "$LOG_OPEN" ] || return 0
    case $1 in
        *://*@*)
            saved=$RETVAL
            hide_userinfo "$1"
            printf '%s\n' "$RETVAL" >>"$LOG_FILE" 2>/dev/null
            RETVAL=$saved
            ;;
        *) printf '%s\n' "$1" >>"$LOG_FILE" 2>/dev/null ;;
    esac
    return 0
}

# hide_userinfo TEXT: sets RETVAL to TEXT with the user name and password of every address
# in it shown as ***: all of an authority (up to the first /, ? or #) before its last @,
# as src/redact.ts hides them.
hide_userinfo() {
    local rest authority
    RETVAL="" rest=$1
    while :; do
        case $rest in
            *://*) ;;
            *) break ;;
        esac
        RETVAL=$RETVAL${rest%%://*}://
        rest=${rest#*://}
        authority=${rest%%[/?#]*}
        case $authority in
            *@*) RETVAL="$RETVAL***@" rest=${rest#"${authority%@*}"@} ;;
        esac
    done
    RETVAL=$RETVAL$rest
}

# err CODE PROBLEM HINT: report a failure and exit with the code's status.
# The message reads "<problem>. What to do: <hint> Full log: <path>" so that a
# person reads it as it is and the server splits it into message and hint.
err() {
    local message exit_status
    message="$2. What to do: $3"
    [ -n "$UPDATING_FROM" ] && [ -z "$SWITCHED" ] && message="$message SkyPilot $UPDATING_FROM is still installed and in use."
    [ -n "$LOG_OPEN" ] && message="$message Full log: $LOG_FILE"
    exit_status_of "$1"
    exit_status=$RETVAL
    emit error "" "" "$1" "$message"
    exit "$exit_status"
}

# Sets RETVAL to the exit status of an error code (ERROR_CODES); unknown codes are internal.
exit_status_of() {
    local entry
    RETVAL=1
    for entry in $ERROR_CODES; do
        [ "${entry%%:*}" = "$1" ] && RETVAL=${entry#*:}
    done
    return 0
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
    local code problem hint
    code=$1 problem=$2 hint=$3
    shift 4
    "$@" || err "$code" "$problem" "$hint"
}

# Sets RETVAL to the seconds since the epoch.
now_epoch() {
    RETVAL=$(date +%s)
}

# ================================================================ cleanup and signals

BACKGROUND_PIDS=""
LOCK_HELD=""
HEARTBEAT_PID=""
# Set by the SkyPilot section and run_update: what on_exit and err must know.
NEW_TOOLS=""
SWITCHED=""
UPDATING_FROM=""

track_pid() {
    BACKGROUND_PIDS="$BACKGROUND_PIDS $1"
}

# start_loop PIDS TICK [ARG...]: in the background, once a second while this script
# and every process in PIDS (a list, maybe empty) run, calls TICK SECONDS STATE [ARG...]:
# the seconds since the start, and what its last call left in RETVAL (empty at first).
# TICK returns non-zero to end the loop. The loop drops this script's traps, reads
# nothing, and ends by itself within a second of a process it watches, so neither a
# lost signal nor a kill -9 of the script leaves it behind. Sets RETVAL to its pid.
start_loop() {
    local pids tick seconds state pid
    pids=$1 tick=$2 seconds=0 state=""
    shift 2
    (
        trap - INT TERM HUP EXIT
        while sleep 1 >/dev/null 2>&1; do
            for pid in $$ $pids; do
                process_runs "$pid" || exit 0
            done
            seconds=$((seconds + 1))
            RETVAL=""
            "$tick" "$seconds" "$state" ${1+"$@"} || exit 0
            state=$RETVAL
        done
    ) </dev/null &
    RETVAL=$!
}

stop_background() {
    local pid
    for pid in $BACKGROUND_PIDS; do
        kill "$pid" 2>/dev/null
    done
    for pid in $BACKGROUND_PIDS; do
        wait "$pid" 2>/dev/null
    done
    BACKGROUND_PIDS=""
}

on_exit() {
    CLEANING_UP=1
    stop_background
    [ -n "$LOCK_HELD" ] || return 0
    # An environment made by a run that stopped before its switch is of no use.
    if [ -n "$NEW_TOOLS" ] && [ -z "$SWITCHED" ]; then
        remove_entry "$NEW_TOOLS" && unrecord "${NEW_TOOLS##*/}"
    fi
    # Staging goes before the lock: the next run may use it once the lock is gone.
    release_lock "$STAGING" 2>/dev/null
}

on_signal() {
    trap - INT TERM HUP
    CLEANING_UP=1
    stop_background
    err interrupted "The installation was stopped before it finished; nothing half-installed is kept" \
        "Run the installer again to finish the installation."
}

# ================================================================ settings and layout

parse_args() {
    COMMAND=install FORCE="" MANAGED="" ADD_CLOUD=""
    while [ $# -gt 0 ]; do
        case $1 in
            --status) COMMAND=status ;;
            --uninstall) COMMAND=uninstall ;;
            --update) COMMAND=update ;;
            --force) FORCE=1 ;;
            --managed) MANAGED=1 ;;
            --add-cloud)
                [ $# -gt 1 ] || err internal "--add-cloud needs the name of a cloud" "Run with --help to see the options."
                ADD_CLOUD=$2 MANAGED=1
                shift
                case $ADD_CLOUD in
                    '' | *[!a-z0-9-]*) err internal "'$ADD_CLOUD' is not the name of a cloud" "Use a name such as gcp, azure or kubernetes." ;;
                esac
                ;;
            --help | -h) COMMAND=help ;;
            *) err internal "Unknown option '$1'" "Run with --help to see the options." ;;
        esac
        shift
    done
}

# Sets CARAPACE_HOME_DIR and every path of its layout. A relative CARAPACE_HOME,
# the root folder and the user's home folder itself are refused outright: the
# installer creates and deletes folders in it.
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
        *) err permission "CARAPACE_HOME must be a full path starting with /, not '$CARAPACE_HOME_DIR'" \
            "Set CARAPACE_HOME to a full path such as \$HOME/.carapace, then retry." ;;
    esac
    while :; do
        case $CARAPACE_HOME_DIR in
            / | *[!/]) break ;;
            *) CARAPACE_HOME_DIR=${CARAPACE_HOME_DIR%/} ;;
        esac
    done
    [ "$CARAPACE_HOME_DIR" = / ] && refuse_home "the root folder"
    [ "$CARAPACE_HOME_DIR" = "${HOME:-}" ] && refuse_home "your home folder itself"

    HOME_MARK=$CARAPACE_HOME_DIR/$HOME_MARK_PATH
    MARKER=$CARAPACE_HOME_DIR/$MARKER_PATH
    PENDING_MARKER=$CARAPACE_HOME_DIR/$PENDING_MARKER_PATH
    TOOLS_LINK=$CARAPACE_HOME_DIR/$TOOLS_LINK_PATH
    LOCK_DIR=$CARAPACE_HOME_DIR/$LOCK_PATH
    LOCK_OWNER=$CARAPACE_HOME_DIR/$LOCK_OWNER_PATH
    UV_BIN=$CARAPACE_HOME_DIR/$UV_PATH
    UVX_BIN=$CARAPACE_HOME_DIR/$UVX_PATH
    SKY_BIN=$CARAPACE_HOME_DIR/$SKY_PATH
    PYTHON_INSTALLS=$CARAPACE_HOME_DIR/$PYTHON_INSTALLS_PATH
    PYTHON_BIN=$CARAPACE_HOME_DIR/$PYTHON_BIN_PATH
    UV_CACHE=$CARAPACE_HOME_DIR/$CACHE_PATH
    CREDENTIALS_DIR=$CARAPACE_HOME_DIR/$CREDENTIALS_PATH
    LOG_FILE=$CARAPACE_HOME_DIR/$INSTALL_LOG_PATH
    STAGING=$CARAPACE_HOME_DIR/$STAGING_PATH
    SETTINGS_FILE=$CARAPACE_HOME_DIR/$SETTINGS_PATH
}

refuse_home() {
    err permission "CARAPACE_HOME is $1 ($CARAPACE_HOME_DIR); Carapace installs only into a folder of its own" \
        "Unset CARAPACE_HOME (Carapace then uses ~/.carapace) or set it to a new, empty folder, then retry."
}

read_settings() {
    UV_VERSION=${CARAPACE_UV_VERSION:-$DEFAULT_UV_VERSION}
    UV_SHA256=${CARAPACE_UV_SHA256:-}
    UV_ARCHIVE=${CARAPACE_UV_ARCHIVE:-}
    CLOUDS=${CARAPACE_CLOUDS:-$DEFAULT_CLOUDS}
    SKYPILOT_SPEC=${CARAPACE_SKYPILOT_SPEC:-}
    PYTHON_GIVEN=${CARAPACE_PYTHON:-}
    LOCK_TIMEOUT=${CARAPACE_LOCK_TIMEOUT:-$DEFAULT_LOCK_TIMEOUT}
    MIN_FREE_MB=${CARAPACE_MIN_FREE_MB:-$DEFAULT_MIN_FREE_MB}
    STALL_TIMEOUT=${CARAPACE_STALL_TIMEOUT:-$DEFAULT_STALL_TIMEOUT}
    WATCH_PID=${CARAPACE_WATCH_PID:-}
    require_whole_number CARAPACE_LOCK_TIMEOUT "$LOCK_TIMEOUT"
    require_whole_number CARAPACE_MIN_FREE_MB "$MIN_FREE_MB"
    require_whole_number CARAPACE_STALL_TIMEOUT "$STALL_TIMEOUT"
    [ -z "$WATCH_PID" ] || require_whole_number CARAPACE_WATCH_PID "$WATCH_PID"
    case $UV_VERSION in
        [0-9]*[0-9]) ;;
        *) bad_uv_version ;;
    esac
    case $UV_VERSION in
        *[!0-9.]* | *..*) bad_uv_version ;;
    esac
    case $PYTHON_GIVEN in
        '' | [0-9]*.[0-9]*) ;;
        *) bad_python_version ;;
    esac
    case $PYTHON_GIVEN in
        *[!0-9.]* | *..* | *. | *.*.*.*) bad_python_version ;;
    esac
    case $CLOUDS in
        '' | *[!a-z0-9,-]* | ,* | *,) err package "CARAPACE_CLOUDS is not a list of clouds: '$CLOUDS'" \
            "Use comma-separated cloud names such as aws or aws,gcp, then retry." ;;
    esac
    if [ -n "$ADD_CLOUD" ]; then
        extras_union "$CLOUDS" "$ADD_CLOUD"
        CLOUDS=$RETVAL
    fi
    refuse_unknown_clouds "$CLOUDS"
    if [ -z "$SKYPILOT_SPEC" ]; then
        SPEC_GIVEN=""
        EXTRAS=$CLOUDS
        SKYPILOT_SPEC="${SKYPILOT_PACKAGE}[$EXTRAS]"
    else
        SPEC_GIVEN=1
        check_requirement "$SKYPILOT_SPEC"
        extras_of "$SKYPILOT_SPEC"
        EXTRAS=$RETVAL
    fi
}

# python_for EXTRAS: sets RETVAL to the Python SkyPilot is installed with for these clouds:
# CARAPACE_PYTHON when given, else the default, or an older one that all their libraries work with.
python_for() {
    RETVAL=$PYTHON_GIVEN
    [ -n "$RETVAL" ] && return 0
    if has_ibm "$1"; then
        RETVAL=$IBM_PYTHON
    else
        RETVAL=$DEFAULT_PYTHON
    fi
}

# has_ibm EXTRAS: IBM is among them, in any case (uv lowercases the names of extras).
has_ibm() {
    case ",$1," in
        *,[Ii][Bb][Mm],*) return 0 ;;
    esac
    return 1
}

# refuse_unknown_clouds LIST: every cloud of the comma list is one of CLOUD_EXTRAS.
refuse_unknown_clouds() {
    local unknown
    known_clouds "$1"
    unknown=${RETVAL#* }
    [ -z "$unknown" ] && return 0
    err package "'${unknown%%,*}' is not a cloud whose SkyPilot libraries Carapace can install (SkyPilot has no such extra)" \
        "Use the names of clouds among: $CLOUD_EXTRAS (in CARAPACE_CLOUDS, comma-separated, or --add-cloud), then retry."
}

# known_clouds LIST: sets RETVAL to "<known> <unknown>": the clouds of the comma list that
# are in CLOUD_EXTRAS and those that are not, each a comma list.
known_clouds() {
    local saved_ifs cloud known unknown
    saved_ifs=$IFS known="" unknown=""
    IFS=,
    for cloud in $1; do
        case " $CLOUD_EXTRAS " in
            *" $cloud "*) known="$known${known:+,}$cloud" ;;
            *) unknown="$unknown${unknown:+,}$cloud" ;;
        esac
    done
    IFS=$saved_ifs
    RETVAL="$known $unknown"
}

# extras_union A B: sets RETVAL to the comma lists A and B together, A's order first, no repeats.
extras_union() {
    local union saved_ifs extra
    union=$1 saved_ifs=$IFS
    IFS=,
    for extra in $2; do
        case ",$union," in
            *",$extra,"*) ;;
            *) union="$union${union:+,}$extra" ;;
        esac
    done
    IFS=$saved_ifs
    RETVAL=$union
}

# extras_cover HAVE WANT: every extra in WANT is in HAVE.
extras_cover() {
    local saved_ifs extra
    saved_ifs=$IFS
    IFS=,
    for extra in $2; do
        case ",$1," in
            *",$extra,"*) ;;
            *) IFS=$saved_ifs && return 1 ;;
        esac
    done
    IFS=$saved_ifs
}

bad_python_version() {
    err python "CARAPACE_PYTHON is not a Python version such as 3.12: '$PYTHON_GIVEN'" "Use a version such as 3.12, or unset it, then retry."
}

bad_uv_version() {
    err internal "CARAPACE_UV_VERSION is not a uv version number: '$UV_VERSION'" "Use a uv release such as $DEFAULT_UV_VERSION, then retry."
}

require_whole_number() {
    case $2 in
        '' | *[!0-9]*) err internal "$1 must be a whole number, not '$2'" "Fix or unset $1, then retry." ;;
    esac
}

# A requirement reaches uv as one argument, and is written into install.json: it
# may not look like an option, and holds only what PEP 508 names, versions and URLs
# use -- no quotes, backslashes or control characters.
check_requirement() {
    case $1 in
        [A-Za-z0-9]*) ;;
        *) bad_requirement "$1" ;;
    esac
    case $1 in
        *[!]A-Za-z0-9._,=\<\>!~\;\ \[*+@:/-]*) bad_requirement "$1" ;;
    esac
}

bad_requirement() {
    err package "CARAPACE_SKYPILOT_SPEC is not a valid requirement: '$1'" \
        "Use a plain requirement such as skypilot-nightly[aws] or skypilot[aws,gcp]==0.10.5, then retry."
}

# Sets RETVAL to the extras of a requirement: skypilot-nightly[aws,gcp]>=1 -> aws,gcp.
extras_of() {
    local extras
    RETVAL=""
    case $1 in
        *'['*']'*)
            extras=${1#*\[}
            replace_all "${extras%%\]*}" " " ""
            ;;
    esac
    return 0
}

# ================================================================ install state

# Empties the INSTALLED_* fields: install.json as read_marker last read it.
forget_marker() {
    INSTALLED_UV_VERSION="" INSTALLED_SKY_VERSION="" INSTALLED_SPEC="" INSTALLED_EXTRAS="" INSTALLED_PYTHON=""
    INSTALLED_TOOLS_DIR="" INSTALLED_DOWNLOAD_BYTES="" INSTALLED_AT=""
}
forget_marker

# Sets the INSTALLED_* fields from the marker; fails when there is no marker.
read_marker() {
    local line value
    forget_marker
    [ -f "$MARKER" ] || return 1
    while IFS= read -r line; do
        value=${line#*: \"}
        value=${value%\"*}
        case $line in
            *'"uv_version":'*) INSTALLED_UV_VERSION=$value ;;
            *'"sky_version":'*) INSTALLED_SKY_VERSION=$value ;;
            *'"spec":'*) INSTALLED_SPEC=$value ;;
            *'"extras":'*) INSTALLED_EXTRAS=$value ;;
            *'"python":'*) INSTALLED_PYTHON=$value ;;
            *'"tools_dir":'*) INSTALLED_TOOLS_DIR=$value ;;
            *'"download_bytes":'*) INSTALLED_DOWNLOAD_BYTES=$value ;;
            *'"installed_at":'*) INSTALLED_AT=$value ;;
        esac
    done <"$MARKER"
    [ -n "$INSTALLED_SKY_VERSION" ]
}

# The marker's install runs and holds what is asked: the same requirement when one is
# given (CARAPACE_SKYPILOT_SPEC), else every cloud asked for (CARAPACE_CLOUDS, --add-cloud).
managed_install_is_current() {
    [ ! -e "$PENDING_MARKER" ] && read_marker && [ -x "$SKY_BIN" ] || return 1
    # The clouds installed stay installed (see run_install): their Python is the one asked for.
    python_for "$INSTALLED_EXTRAS"
    [ "$INSTALLED_PYTHON" = "$RETVAL" ] || return 1
    if [ -n "$SPEC_GIVEN" ]; then
        [ "$INSTALLED_SPEC" = "$SKYPILOT_SPEC" ]
    else
        extras_cover "$INSTALLED_EXTRAS" "$EXTRAS"
    fi
}

# What a stopped run can leave beside a current marker (read_marker first): a switch
# to finish, or tools.* entries other than the marker's. The fast path checks this,
# so that the next run cleans up after a kill -9 -- by globbing, with no process.
leftovers_exist() {
    local dir
    [ -e "$PENDING_MARKER" ] && return 0
    for dir in "$CARAPACE_HOME_DIR"/tools.*; do
        [ -e "$dir" ] || [ -L "$dir" ] || continue
        [ "${dir##*/}" = "$INSTALLED_TOOLS_DIR" ] || return 0
    done
    return 1
}

# Prints the complete line when the managed install is current, nothing is left over
# by a stopped run, and no repair is asked for.
already_installed() {
    [ -z "$FORCE" ] && managed_install_is_current && ! leftovers_exist || return 1
    say complete "SkyPilot $INSTALLED_SKY_VERSION is ready at $SKY_BIN"
}

# ================================================================ the fast path
# Every run begins with its options, its settings and the traps. Then an install with
# nothing to do ends here, before the shell has read the rest of this file: a shell
# parses a script one command at a time, and the rest is most of it.

begin() {
    setup_output
    parse_args ${1+"$@"}
    if [ "$COMMAND" = help ]; then
        usage
        exit 0
    fi
    set_layout
    read_settings
    [ "${CARAPACE_SKYPILOT_TELEMETRY:-1}" = 0 ] && export SKYPILOT_DISABLE_USAGE_COLLECTION=1
    trap on_exit EXIT
    trap on_signal INT TERM HUP
    # A closed stdout makes printf fail (see emit) instead of killing the script mid-way.
    trap '' PIPE
}

# ${1+"$@"}, here and wherever there may be no arguments: some shells (posh) treat a
# bare "$@" with none as unset under set -u.
begin ${1+"$@"}
[ "$COMMAND" = install ] && already_installed && exit 0

# ================================================================ the folder
# CARAPACE_HOME holds a mark (.carapace-home) naming every entry the installer made
# in it. The installer installs only into a new or empty folder, or one that has
# the mark; --uninstall removes the entries the mark names and nothing else. It
# never writes or changes modes through a symbolic link inside the folder.

# The same refusal for names that lead to / or the home folder another way (/., ~/x/..).
refuse_special_home() {
    local physical
    set_control_characters
    case $CARAPACE_HOME_DIR in
        *"$NEWLINE"* | *"$CR"*) err permission "CARAPACE_HOME contains a line break" "Set CARAPACE_HOME to a folder name without line breaks, then retry." ;;
    esac
    [ -d "$CARAPACE_HOME_DIR" ] || return 0
    physical=$(cd "$CARAPACE_HOME_DIR" 2>/dev/null && pwd -P) || return 0
    [ "$physical" = / ] && refuse_home "the root folder"
    if [ -n "${HOME:-}" ] && [ "$physical" = "$(cd "$HOME" 2>/dev/null && pwd -P)" ]; then
        refuse_home "your home folder itself"
    fi
    return 0
}

# Makes CARAPACE_HOME, or checks that an existing one is Carapace's.
claim_home() {
    refuse_special_home
    refuse_shared_home
    if [ -L "$HOME_MARK" ] || { [ -e "$HOME_MARK" ] && [ ! -f "$HOME_MARK" ]; }; then
        err permission "$HOME_MARK is not a plain file" "Delete it (it should be a file written by Carapace), then retry."
    fi
    [ -f "$HOME_MARK" ] && return 0
    if [ -d "$CARAPACE_HOME_DIR" ] && ! folder_is_empty "$CARAPACE_HOME_DIR"; then
        err permission "$CARAPACE_HOME_DIR already holds files that Carapace did not put there, so nothing is installed into it" \
            "Unset CARAPACE_HOME (Carapace then uses ~/.carapace) or set it to a new, empty folder, then retry."
    fi
    if [ -e "$CARAPACE_HOME_DIR" ] && [ ! -d "$CARAPACE_HOME_DIR" ]; then
        err permission "Cannot create the Carapace folder $CARAPACE_HOME_DIR: something else has that name" \
            "Set CARAPACE_HOME to a folder you own, then retry."
    fi
    if [ ! -d "$CARAPACE_HOME_DIR" ]; then
        # Made by this run: the user's alone, whatever the umask.
        if ! { mkdir -p "$CARAPACE_HOME_DIR" && chmod go-w "$CARAPACE_HOME_DIR"; } 2>/dev/null; then
            err permission "Cannot create the Carapace folder $CARAPACE_HOME_DIR" \
                "Make its parent folder writable or set CARAPACE_HOME to a folder you own, then retry."
        fi
    fi
    if ! write_new_file "$HOME_MARK" "$HOME_MARK_HEADER" && [ ! -f "$HOME_MARK" ]; then
        err permission "Cannot write to the Carapace folder $CARAPACE_HOME_DIR" \
            "Make it writable (e.g. chown it to your user) or set CARAPACE_HOME to a folder you own, then retry."
    fi
}

# Anyone else who can write in CARAPACE_HOME can plant the programs, settings or token
# Carapace uses: as ssh refuses such a ~/.ssh, a folder another user owns, or that group or
# others may write in, is refused (the server refuses it at its start, in the same words).
refuse_shared_home() {
    local listing
    [ -d "$CARAPACE_HOME_DIR" ] || return 0
    # ls -n: the mode, the number of links, then the owner's uid (test -O is not in every shell).
    listing=$(ls -ldnL "$CARAPACE_HOME_DIR" 2>/dev/null) || listing=""
    set -f
    # shellcheck disable=SC2086 # the fields of ls's line
    set -- $listing
    set +f
    case ${1:-} in
        d????[!w]??[!w]*) [ "${3:-}" = "$(id -u)" ] && return 0 ;;
    esac
    err permission "$HOME_OWNERSHIP_MESSAGE $CARAPACE_HOME_DIR" "$HOME_OWNERSHIP_HINT"
}

# write_new_file PATH [LINE]: creates PATH with LINE in it, failing if it already exists
# (set -C, in this shell: no subshell).
write_new_file() {
    local made
    set -C
    { printf '%s' "${2:+$2$NEWLINE}" >"$1"; } 2>/dev/null && made=1 || made=""
    set +C
    [ -n "$made" ]
}

folder_is_empty() {
    local entry
    for entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        if [ -e "$entry" ] || [ -L "$entry" ]; then
            return 1
        fi
    done
    return 0
}

# made_here NAME...: record that the installer made these entries of CARAPACE_HOME
# (names without spaces); the mark is read once, by the shell itself.
made_here() {
    local missing listed name
    missing=" $* "
    if [ -f "$HOME_MARK" ]; then
        while IFS= read -r listed; do
            case $missing in
                *" $listed "*) missing="${missing%%" $listed "*} ${missing#*" $listed "}" ;;
            esac
        done <"$HOME_MARK"
    fi
    for name in $missing; do
        printf '%s\n' "$name" >>"$HOME_MARK" 2>/dev/null || fail_to_write "$HOME_MARK"
    done
}

# unrecord NAME: the installer removed this entry it had made.
unrecord() {
    local listed
    while IFS= read -r listed; do
        [ "$listed" = "$1" ] || printf '%s\n' "$listed"
    done <"$HOME_MARK" >"$HOME_MARK.tmp.$$" 2>/dev/null
    mv -f "$HOME_MARK.tmp.$$" "$HOME_MARK"
}

# own_dirs PATH...: folders of CARAPACE_HOME the installer writes into, made by one
# mkdir -p. A symbolic link on the way is replaced, never followed; the top-level
# entries it makes are recorded in the mark. Sets RETVAL to the lines for the log about
# links it replaced (the log may not be open yet).
own_dirs() {
    local dir sofar rest top made replaced
    made="" replaced=""
    for dir in "$@"; do
        top=${dir#"$CARAPACE_HOME_DIR"/}
        top=${top%%/*}
        case "$made " in
            *" $top "*) ;;
            *) [ -d "$CARAPACE_HOME_DIR/$top" ] && [ ! -L "$CARAPACE_HOME_DIR/$top" ] || made="$made $top" ;;
        esac
        sofar=$CARAPACE_HOME_DIR
        rest=${dir#"$CARAPACE_HOME_DIR"/}
        while [ -n "$rest" ]; do
            sofar=$sofar/${rest%%/*}
            case $rest in */*) rest=${rest#*/} ;; *) rest="" ;; esac
            if [ -L "$sofar" ]; then
                rm -f "$sofar" || fail_to_write "$sofar"
                replaced="$replaced${replaced:+$NEWLINE}replaced the symbolic link $sofar: Carapace never writes through links in its folder"
            fi
            # Below a folder that is not there, no link can be in the way.
            [ -d "$sofar" ] || break
        done
    done
    if ! mkdir -p -- "$@" 2>/dev/null; then
        fail_if_disk_full
        for dir in "$@"; do
            [ -d "$dir" ] || fail_to_write "$dir"
        done
    fi
    # shellcheck disable=SC2086 # names without spaces
    [ -z "$made" ] || made_here $made
    RETVAL=$replaced
}

# own_file PATH: a file of CARAPACE_HOME about to be written anew: a link there is removed.
own_file() {
    [ -L "$1" ] && rm -f "$1"
    return 0
}

fail_to_write() {
    err permission "Cannot write $1" "Make $CARAPACE_HOME_DIR writable, then retry."
}

# remove_entry PATH: removes one entry the installer made (a link itself, not what it points to).
remove_entry() {
    if [ -d "$1" ] && [ ! -L "$1" ]; then
        # uv leaves some cache folders read-only; find does not follow links.
        find "$1" -type d ! -perm -u+w -exec chmod u+w {} + 2>/dev/null
        rm -rf "$1"
    else
        rm -f "$1"
    fi
}

# ================================================================ platform

detect_platform() {
    local os arch
    # One uname for both: it prints them in its own order, kernel name first (POSIX).
    os=$(uname -s -m) || err platform "Could not run uname to detect this system" "Make sure uname works, then retry."
    arch=${os##* }
    os=${os%% *}
    case $arch in
        x86_64 | amd64) arch=x86_64 ;;
        arm64 | aarch64) arch=aarch64 ;;
    esac
    case $os in
        Darwin)
            # A Rosetta-translated shell reports x86_64 on Apple Silicon; the native build is faster.
            if [ "$arch" = x86_64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null)" = 1 ]; then
                arch=aarch64
            fi
            case $arch in
                x86_64 | aarch64) PLATFORM=$arch-apple-darwin ;;
                *) unsupported_platform "$os $arch" ;;
            esac
            ;;
        Linux)
            case $arch in
                x86_64 | aarch64) linux_libc "$arch" && PLATFORM=$arch-unknown-linux-$RETVAL ;;
                *) unsupported_platform "$os $arch" ;;
            esac
            ;;
        *) unsupported_platform "$os $arch" ;;
    esac
}

# linux_libc ARCH: sets RETVAL to gnu or musl. The static musl build runs on any Linux,
# so it is also the answer when glibc is missing, too old for uv's gnu build, or cannot
# be identified.
linux_libc() {
    local ldd glibc needed
    ldd=$(ldd --version 2>&1) || true
    RETVAL=musl
    case $ldd in
        *musl*) return 0 ;;
    esac
    # glibc's ldd ends its first line with the version: "ldd (GNU libc) 2.36".
    glibc=${ldd%%"$NEWLINE"*}
    glibc=${glibc##* }
    case $glibc in
        *[!0-9.]* | *.*.* | .* | *.) glibc="" ;;
    esac
    if [ -z "$glibc" ]; then
        # Some slim images drop ldd; getconf (also part of glibc) still knows the version.
        glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null) || glibc=""
        case $glibc in
            'glibc '*) glibc=${glibc#glibc } ;;
            *) glibc="" ;;
        esac
    fi
    needed=17
    [ "$1" = aarch64 ] && needed=28
    case $glibc in
        2.*) [ "${glibc#2.}" -ge "$needed" ] 2>/dev/null && RETVAL=gnu ;;
    esac
    return 0
}

unsupported_platform() {
    err platform "This system ($1) is not supported: SkyPilot can be installed on macOS (arm64, x86_64) and Linux (x86_64, aarch64)" \
        "Use a supported machine, or install SkyPilot yourself so that 'sky' is on PATH."
}

# ================================================================ preflight

# Like rustup-init.sh: every command the install needs is checked before anything is done
# (kill too: a builtin of most shells, not of posh).
need_cmds() {
    local cmd
    for cmd in uname date mkdir rmdir rm mv cp cat sed grep tr wc head df du touch sleep mkfifo chmod find ps kill ln readlink ls id; do
        need_cmd "$cmd"
    done
}

# find_on_path NAME [SKIP]: sets RETVAL to the first program NAME in the folders of
# PATH, leaving out the folder SKIP and those inside it.
find_on_path() {
    local saved_ifs dir
    RETVAL=""
    saved_ifs=$IFS
    IFS=:
    set -f
    for dir in $PATH; do
        case $dir in
            '') continue ;;
        esac
        if [ -n "${2:-}" ]; then
            case $dir in "$2" | "$2"/*) continue ;; esac
        fi
        if [ -f "$dir/$1" ] && [ -x "$dir/$1" ]; then
            RETVAL=$dir/$1
            break
        fi
    done
    set +f
    IFS=$saved_ifs
    [ -n "$RETVAL" ]
}

# Network settings saved from the page: a variable already set in the environment wins.
# The file must be in the one form the server writes -- a line `{`, lines of the shape
# SETTINGS_LINE (the last without its comma), a line `}`; `{}` alone when empty; at most
# SETTINGS_MAX_BYTES of printable ASCII -- and anything else is refused, in the words
# src/settings/file.ts uses for it too: both read the same values, or neither does.
read_settings_file() {
    local size others before between after line number state names name value current
    [ -e "$SETTINGS_FILE" ] || [ -L "$SETTINGS_FILE" ] || return 0
    [ -L "$SETTINGS_FILE" ] && refuse_settings_file "it is a symbolic link"
    [ -f "$SETTINGS_FILE" ] || refuse_settings_file "it is not a regular file"
    size=$(wc -c <"$SETTINGS_FILE" 2>/dev/null) || refuse_settings_file "it cannot be read"
    size=${size##* }
    [ "$size" -le "$SETTINGS_MAX_BYTES" ] || refuse_settings_file "it is larger than $SETTINGS_MAX_BYTES bytes"
    [ "$size" -gt 0 ] || refuse_settings_file "it is empty"
    # Shells read NUL bytes and other control characters differently: tr finds them.
    others=$(LC_ALL=C tr -d '\040-\176\n' <"$SETTINGS_FILE" | wc -c)
    [ "${others##* }" = 0 ] || refuse_settings_file "it holds a tab, a control character or a character outside printable ASCII"
    before=${SETTINGS_LINE%%NAME*}
    between=${SETTINGS_LINE#*NAME}
    between=${between%%VALUE*}
    after=${SETTINGS_LINE#*VALUE}
    after=${after%,}
    number=0 state=start names=" " line=""
    while IFS= read -r line; do
        number=$((number + 1))
        case $state:$line in
            'start:{') state=first ;;
            'start:{}') state=closed ;;
            'first:}' | 'last:}') state=closed ;;
            first:"$before"* | more:"$before"*)
                line=${line#"$before"}
                name=${line%%"$between"*}
                value=${line#*"$between"}
                case $value in
                    *"$after,") state=more value=${value%"$after,"} ;;
                    *"$after") state=last value=${value%"$after"} ;;
                    *) state=bad ;;
                esac
                case $name in
                    '' | [!A-Z]* | *[!A-Z0-9_]*) state=bad ;;
                esac
                case $value in
                    *[\"\\]*) state=bad ;;
                esac
                ;;
            *) state=bad ;;
        esac
        [ "$state" = bad ] && refuse_settings_file "line $number is not in the form Carapace writes"
        case $state in
            more | last) ;;
            *) continue ;;
        esac
        case $names in
            *" $name "*) refuse_settings_file "$name is set twice" ;;
        esac
        names="$names$name "
        case " $SETTINGS_VARIABLES " in
            *" $name "*) ;;
            *) continue ;;
        esac
        eval "current=\${$name:-}"
        if [ -n "$current" ] || [ -z "$value" ]; then
            continue
        fi
        export "$name=$value"
        log "settings: $name from $SETTINGS_FILE"
    done <"$SETTINGS_FILE"
    [ -z "$line" ] || refuse_settings_file "its last line does not end with a line break"
    [ "$state" = closed ] || refuse_settings_file "it ends before its closing }"
    # uv fetches over https; a proxy given for https serves plain http too, and wget reads only lower case.
    if [ -n "${HTTPS_PROXY:-}" ]; then
        [ -n "${HTTP_PROXY:-}" ] || export HTTP_PROXY="$HTTPS_PROXY"
        [ -n "${https_proxy:-}" ] || export https_proxy="$HTTPS_PROXY"
    fi
}

# Where uv is downloaded from: CARAPACE_UV_MIRROR; else, with a company's mirror of Astral's
# downloads (UV_ASTRAL_MIRROR_URL), its uv folder alone, as uv's own `self update` builds it
# (crates/uv/src/commands/self_update.rs, installer_download_url: trailing slashes trimmed,
# no fallback to GitHub); else Astral's mirror, then GitHub.
choose_uv_mirrors() {
    local base
    UV_MIRROR_SETTING=CARAPACE_UV_MIRROR
    if [ -n "${CARAPACE_UV_MIRROR:-}" ]; then
        UV_MIRRORS=$CARAPACE_UV_MIRROR
    elif [ -n "${UV_ASTRAL_MIRROR_URL:-}" ]; then
        base=$UV_ASTRAL_MIRROR_URL
        while :; do
            case $base in
                */) base=${base%/} ;;
                *) break ;;
            esac
        done
        UV_MIRRORS=$base$UV_MIRROR_SUFFIX UV_MIRROR_SETTING=UV_ASTRAL_MIRROR_URL
    else
        UV_MIRRORS=$DEFAULT_UV_MIRROR
    fi
}

# The addresses Carapace and uv download from, checked before anything is downloaded: a
# uv mirror, uv's indexes (`name=URL` or a URL, as uv reads them: Index::from_str in
# crates/uv-distribution-types/src/index.rs) and Astral's and Python's mirrors.
check_addresses() {
    local setting name value entry
    set -f
    for setting in CARAPACE_UV_MIRROR UV_DEFAULT_INDEX:index UV_INDEX:index UV_INDEX_URL:index \
        UV_EXTRA_INDEX_URL:index UV_PYTHON_INSTALL_MIRROR UV_ASTRAL_MIRROR_URL; do
        name=${setting%:*}
        eval "value=\${$name:-}"
        for entry in $value; do
            case $setting in
                *:index) case ${entry%%=*} in "$entry" | *:*) ;; *) entry=${entry#*=} ;; esac ;;
            esac
            check_address "$name" "$entry"
        done
    done
    set +f
}

# refuse_settings_file WHY: settings.json is not in the form Carapace writes.
refuse_settings_file() {
    err settings "Cannot read $SETTINGS_FILE: $1" "$SETTINGS_REFUSED_HINT"
}

# SSL_CERT_FILE reaches curl, wget and uv as one argument or variable, whatever its name
# holds (spaces too): it must name a file they can read.
check_ca_bundle() {
    [ -z "${SSL_CERT_FILE:-}" ] || { [ -f "$SSL_CERT_FILE" ] && [ -r "$SSL_CERT_FILE" ]; } && return 0
    err tls "SSL_CERT_FILE is $SSL_CERT_FILE, which is not a file Carapace can read" \
        "Set the CA bundle in Network settings (or SSL_CERT_FILE) to the full path of your organisation's PEM file, then retry."
}

# open_log REPLACED: a new log, the previous run's kept beside it; REPLACED is what
# own_dirs said before the log was there.
open_log() {
    own_file "$LOG_FILE.1"
    # Keep the previous run's log for comparison; each install starts its own.
    [ -e "$LOG_FILE" ] || [ -L "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    write_new_file "$LOG_FILE" || fail_to_write "$LOG_FILE"
    LOG_OPEN=1
    log "# install-skypilot.sh $INSTALLER_VERSION, pid $$, started $STARTED_AT, home $CARAPACE_HOME_DIR"
    [ -z "$1" ] || log "$1"
}

# free_mb FOLDER: sets RETVAL to the megabytes free on its disk (0 when df cannot tell).
free_mb() {
    local out
    out=$(df -Pk "$1" 2>/dev/null)
    # The line after df's header: filesystem, blocks, used, available, capacity, mount point.
    out=${out#*"$NEWLINE"}
    set -f
    # shellcheck disable=SC2086 # the fields of df's line
    set -- $out
    set +f
    case ${4:-} in
        '' | *[!0-9]*) RETVAL=0 ;;
        *) RETVAL=$(($4 / 1024)) ;;
    esac
}

check_free_space() {
    free_mb "$CARAPACE_HOME_DIR"
    if [ "$RETVAL" -lt "$MIN_FREE_MB" ]; then
        err disk "Not enough disk space in $CARAPACE_HOME_DIR: $MIN_FREE_MB MB needed, $RETVAL MB available" \
            "Free up space on that disk (or set CARAPACE_HOME to a folder on another disk), then retry."
    fi
}

# Called after a step failed: was the disk full? Returns when it was not.
fail_if_disk_full() {
    free_mb "$CARAPACE_HOME_DIR"
    if [ "$RETVAL" -lt 8 ]; then
        err disk "The disk holding $CARAPACE_HOME_DIR ran out of space during the installation ($RETVAL MB left)" \
            "Free up at least $MIN_FREE_MB MB on that disk, then retry."
    fi
    return 0
}

is_passed_through() {
    case " $UV_PASS_THROUGH " in
        *" $1 "*) return 0 ;;
    esac
    case $1 in
        UV_INDEX_?*_USERNAME | UV_INDEX_?*_PASSWORD) return 0 ;;
    esac
    return 1
}

# Clear the variables that would point uv at another Python, venv or config, keep
# the user's network settings, and give uv Carapace's own folders.
scrub_environment() {
    local exported line name
    # `export -p` prints one "export NAME=..." line per variable (a value's own lines
    # follow it, and can only name more variables to drop).
    exported=$(export -p)
    while [ -n "$exported" ]; do
        line=${exported%%"$NEWLINE"*}
        case $exported in
            *"$NEWLINE"*) exported=${exported#*"$NEWLINE"} ;;
            *) exported="" ;;
        esac
        case $line in
            'export UV_'*) ;;
            *) continue ;;
        esac
        name=${line#export }
        name=${name%%=*}
        case $name in
            *[!A-Za-z0-9_]*) ;;
            *) is_passed_through "$name" || unset "$name" ;;
        esac
    done
    unset VIRTUAL_ENV CONDA_PREFIX PYTHONHOME PYTHONPATH PYTHONSTARTUP PYTHONUSERBASE
    export UV_PYTHON_INSTALL_DIR="$PYTHON_INSTALLS"
    export UV_PYTHON_BIN_DIR="$PYTHON_BIN"
    export UV_CACHE_DIR="$UV_CACHE"
    # Credentials uv saves after a 401 go here rather than to ~/.local/share/uv/credentials.
    export UV_CREDENTIALS_DIR="$CREDENTIALS_DIR"
    export UV_NO_CONFIG=1
    export UV_PYTHON_PREFERENCE=only-managed
    export UV_NO_PROGRESS=1
    export UV_PYTHON_DOWNLOADS=automatic
}

# ================================================================ the install lock
# install.lock is a directory made with mkdir and touched every few seconds: the
# on-disk format of proper-lockfile (stale: 20000), so the server sees it too. Its
# owner file, inside it, comes and goes with it.

STARTED_AT=""
STARTED_ID=""
HOST_NAME=""

acquire_lock() {
    local waited_since vanished
    waited_since="" vanished=0
    while ! mkdir "$LOCK_DIR" 2>/dev/null; do
        if [ -L "$LOCK_DIR" ] || { [ -e "$LOCK_DIR" ] && [ ! -d "$LOCK_DIR" ]; }; then
            err permission "$LOCK_DIR is not a folder" "Delete $LOCK_DIR, then retry."
        fi
        if [ ! -d "$LOCK_DIR" ]; then
            # Usually released between our two looks: try again, but not forever.
            vanished=$((vanished + 1))
            [ "$vanished" -lt 100 ] || err permission "Cannot create the lock folder $LOCK_DIR" "Make $CARAPACE_HOME_DIR writable, then retry."
            continue
        fi
        if lock_is_stale && take_over_stale_lock; then
            continue
        fi
        app_is_gone && kill -TERM $$
        now_epoch
        if [ -z "$waited_since" ]; then
            waited_since=$RETVAL
            say checking "Another installation is in progress, waiting..."
        elif [ $((RETVAL - waited_since)) -ge "$LOCK_TIMEOUT" ]; then
            err lock "Another installation has held $LOCK_DIR for over $LOCK_TIMEOUT seconds" \
                "Wait for it to finish, or stop it, then retry; if no installer is running, delete $LOCK_DIR."
        fi
        sleep 1
    done
    LOCK_HELD=1
    write_lock_owner
    remove_stale_locks
    start_heartbeat
}

# Aside-moved locks of runs that died while removing them.
remove_stale_locks() {
    local stale
    for stale in "$LOCK_DIR".stale.*; do
        [ -e "$stale" ] || [ -L "$stale" ] || continue
        rm -rf "$LOCK_DIR".stale.* 2>/dev/null
        return 0
    done
}

write_lock_owner() {
    local field host
    this_host
    json_string "$RETVAL"
    host=$RETVAL
    started
    {
        printf '{\n'
        for field in $LOCK_OWNER_FIELDS; do
            case $field in
                pid) printf '  "pid": %s,\n' "$$" ;;
                host) printf '  "host": %s,\n' "$host" ;;
                started_at) printf '  "started_at": "%s"\n' "$STARTED_AT" ;;
            esac
        done
        printf '}\n'
    } >"$LOCK_OWNER" 2>/dev/null
}

# Sets STARTED_AT (UTC, ISO 8601) and STARTED_ID (the same, digits only) once a run:
# the time in the lock's owner, the log, the new environment's name and the marker.
started() {
    [ -n "$STARTED_AT" ] && return 0
    STARTED_AT=$(date -u +'%Y%m%d%H%M%S %Y-%m-%dT%H:%M:%SZ') || STARTED_AT="0 unknown"
    STARTED_ID=${STARTED_AT%% *} STARTED_AT=${STARTED_AT#* }
}

# Sets RETVAL to this machine's name (uname -n), read once a run; Linux keeps it in /proc.
this_host() {
    if [ -z "$HOST_NAME" ]; then
        { read -r HOST_NAME </proc/sys/kernel/hostname; } 2>/dev/null || HOST_NAME=$(uname -n)
    fi
    RETVAL=$HOST_NAME
}

# Exactly one run may remove a stale lock: the one that makes install.lock.breaking,
# and only after it has looked again (the lock may have been taken in between).
# Returns false when another run is doing it.
take_over_stale_lock() {
    local breaker mtime
    breaker=$LOCK_DIR.breaking
    if ! mkdir "$breaker" 2>/dev/null; then
        # A run that died while breaking leaves its folder behind: it goes stale too.
        if mtime_of "$breaker"; then
            mtime=$RETVAL
            now_epoch
            [ $((RETVAL - mtime)) -gt "$LOCK_STALE_SECONDS" ] && rmdir "$breaker" 2>/dev/null
        fi
        sleep 1
        return 1
    fi
    if lock_is_stale; then
        say checking "A previous installation stopped without finishing ($RETVAL); taking over its lock"
        mv "$LOCK_DIR" "$LOCK_DIR.stale.$$" 2>/dev/null && rm -rf "$LOCK_DIR.stale.$$"
    fi
    rmdir "$breaker" 2>/dev/null
    return 0
}

# The heartbeat is never waited for: a signal sent just after the fork can be lost
# before the subshell drops the inherited traps. It ends once the lock is gone or its
# owner has died (even by kill -9), so an abandoned lock goes stale.
start_heartbeat() {
    start_loop "" heartbeat_tick >/dev/null 2>&1
    HEARTBEAT_PID=$RETVAL
}

# heartbeat_tick SECONDS: refreshes the lock every few seconds, and stops the installer
# when the app that started it is gone.
heartbeat_tick() {
    [ -d "$LOCK_DIR" ] || return 1
    if app_is_gone; then
        kill -TERM $$ 2>/dev/null
        return 1
    fi
    # -c: a late refresh must never create a plain file where the lock was.
    [ $(($1 % LOCK_REFRESH_SECONDS)) != 0 ] || touch -c "$LOCK_DIR" 2>/dev/null
    return 0
}

# The app that started the installer (CARAPACE_WATCH_PID) has ended.
app_is_gone() {
    [ -n "$WATCH_PID" ] && ! kill -0 "$WATCH_PID" 2>/dev/null
}

# Succeeds when the lock is abandoned, and sets RETVAL to why.
lock_is_stale() {
    local age owner_pid owner_host
    mtime_of "$LOCK_DIR" || return 1
    age=$RETVAL
    now_epoch
    age=$((RETVAL - age))
    if [ "$age" -gt "$LOCK_STALE_SECONDS" ]; then
        RETVAL="it was last refreshed $age s ago"
        return 0
    fi
    # An owner on this host whose process is gone will never refresh the lock.
    read_owner || return 1
    owner_pid=${RETVAL%% *} owner_host=${RETVAL#* }
    this_host
    [ "$owner_host" = "$RETVAL" ] && ! process_exists "$owner_pid" || return 1
    RETVAL="its process $owner_pid is gone"
}

# kill -0 also fails for another user's live process, so ask /proc where there is one.
process_exists() {
    kill -0 "$1" 2>/dev/null || [ -d "/proc/$1" ]
}

# process_runs PID: alive and not a zombie. kill -0 succeeds for a zombie, and one
# whose parent does not reap it stays forever; /proc, where there is one, tells.
process_runs() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    [ -r "/proc/$1/stat" ] || return 0
    IFS= read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# Sets RETVAL to "<pid> <host>" from the lock's owner file; fails unless it names both.
read_owner() {
    local line pid host
    pid="" host=""
    [ -f "$LOCK_OWNER" ] || return 1
    while IFS= read -r line; do
        case $line in
            *'"pid":'*) pid=${line#*: } pid=${pid%,} ;;
            *'"host":'*) host=${line#*: \"} host=${host%\",} ;;
        esac
    done <"$LOCK_OWNER"
    RETVAL="$pid $host"
    [ -n "$pid" ] && [ -n "$host" ]
}

# mtime_of PATH: sets RETVAL to its time of last modification, in seconds since the epoch.
mtime_of() {
    RETVAL=$(stat -c %Y "$1" 2>/dev/null || stat -f %m "$1" 2>/dev/null)
}

# release_lock [PATH...]: removes the lock, after the paths given (one rm for all).
release_lock() {
    [ -n "$LOCK_HELD" ] || return 0
    LOCK_HELD=""
    rm -rf ${1+"$@"} "$LOCK_DIR"
    [ -n "$HEARTBEAT_PID" ] && kill "$HEARTBEAT_PID" 2>/dev/null
    HEARTBEAT_PID=""
}

lock_is_fresh() {
    [ -d "$LOCK_DIR" ] && ! lock_is_stale
}

# ================================================================ downloads

choose_downloader() {
    DOWNLOADER=""
    if find_on_path curl; then
        case $RETVAL in
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
}

# read_address URL: reads an address as the programs that use it do, and refuses what
# they could read differently. curl (lib/urlapi.c, parseurl) ends the authority at the
# first /, ? or # and takes the userinfo up to its FIRST @ (parse_hostname_login);
# wget (src/url.c, url_skip_credentials) ends a userinfo at a ; too; uv's URL parser
# (WHATWG) ends the host at a \, where curl and Python do not. So: printable ASCII,
# no quote or backslash, http:// or https:// (any case), at most one @ and no ; before
# the host, and a host name, IPv4 or [IPv6] address with an optional port. Sets RETVAL
# to "<scheme> <loopback: 1 or 0> <userinfo: 1 or 0> <host[:port]> <shown>", shown
# being the address with its user name and password as ***; or fails, with RETVAL
# saying why. src/settings/address.ts reads addresses by the same rule.
read_address() {
    local scheme rest authority userinfo hostport host port loopback
    case $1 in
        '' | *[!!-~]* | *'"'* | *\\*)
            RETVAL="it holds a space, a quote, a backslash or a character that is not printable ASCII"
            return 1
            ;;
        [Hh][Tt][Tt][Pp][Ss]://*) scheme=https ;;
        [Hh][Tt][Tt][Pp]://*) scheme=http ;;
        *)
            RETVAL="it is not an http:// or https:// address"
            return 1
            ;;
    esac
    rest=${1#*://}
    authority=${rest%%[/?#]*}
    rest=${rest#"$authority"}
    userinfo="" hostport=$authority
    case $authority in
        *@*@* | *\;*@*)
            RETVAL="its user name or password holds an @ or a ;, which must be written %40 or %3B"
            return 1
            ;;
        *@*) userinfo=1 hostport=${authority#*@} ;;
    esac
    case $hostport in
        '['*']' | '['*']:'*) host=${hostport%%]*}] ;;
        *) host=${hostport%%:*} ;;
    esac
    port=${hostport#"$host"}
    case $host in
        '[' | '[]' | '['*[!0-9A-Fa-f:.]*']' | '['*[!]]) host="" ;;
        '['*) ;;
        *[!A-Za-z0-9._-]*) host="" ;;
    esac
    case $port in
        '' | :) ;;
        :[0-9] | :[0-9][0-9] | :[0-9][0-9][0-9] | :[0-9][0-9][0-9][0-9] | :[0-9][0-9][0-9][0-9][0-9])
            [ "${port#:}" -le 65535 ] || host=""
            ;;
        *) host="" ;;
    esac
    if [ -z "$host" ]; then
        RETVAL="its host is empty or not a host name, IP address or port"
        return 1
    fi
    loopback=0
    case $host in
        [Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt] | '[::1]') loopback=1 ;;
        127.*.*.*) is_octet "${host#127.}" && loopback=1 ;;
    esac
    RETVAL="$scheme $loopback ${userinfo:-0} $hostport ${1%%://*}://${userinfo:+***@}$hostport$rest"
}

# is_octet A.B.C: three parts of an IPv4 address, each 0 to 255 in decimal without leading
# zeros (which curl would read as octal).
is_octet() {
    local rest part
    rest=$1.
    for part in 1 2 3; do
        part=${rest%%.*}
        rest=${rest#*.}
        case $part in
            [0-9] | [1-9][0-9] | 1[0-9][0-9] | 2[0-4][0-9] | 25[0-5]) ;;
            *) return 1 ;;
        esac
    done
    [ -z "$rest" ]
}

# check_address SETTING URL: an address Carapace or uv downloads from uses https, or plain
# http to this machine only. Sets RETVAL as read_address does; the error names the setting.
check_address() {
    local why
    if read_address "$2"; then
        case $RETVAL in
            https\ * | 'http 1 '*) return 0 ;;
        esac
        why="plain http:// is allowed only to this machine (127.0.0.1, localhost or [::1])"
    else
        why=$RETVAL
    fi
    hide_userinfo "$2"
    err network "$1 is not an address Carapace can download from ($RETVAL): $why" \
        "Fix $1 in Network settings (or in the environment), using https:// (or http:// to this machine only), then retry."
}

# shown_address URL: sets RETVAL to "<host[:port]> <URL as shown>" of an address
# check_addresses accepted (a uv mirror and the files under it).
shown_address() {
    check_address "$UV_MIRROR_SETTING" "$1"
    RETVAL=${RETVAL#* * * }
}

# start_downloader URL FILE HEADERS: one attempt in the background (its pid is $!),
# resuming FILE if it exists, writing the response headers to HEADERS.
start_downloader() {
    local proto redirects
    # Each gets the URL on stdin, never as an argument: its user name and password stay out
    # of the process table (ps, /proc/<pid>/cmdline), which every user of the machine reads.
    case $DOWNLOADER in
        curl)
            # Plain http (to this machine only) may redirect only to https, never leave over http.
            proto="=https"
            case $1 in [Hh][Tt][Tt][Pp]:*) proto="=http" ;; esac
            curl --config - --silent --show-error --location --fail --proto "$proto" --proto-redir =https --tlsv1.2 \
                --connect-timeout "$CONNECT_TIMEOUT" --speed-limit 1 --speed-time "$STALL_TIMEOUT" \
                --continue-at - --dump-header "$3" --output "$2" >/dev/null 2>"$3.errors" <<EOF &
url = "$1"
EOF
            ;;
        wget)
            # wget cannot limit the protocols of redirects: http (local) gets none, and
            # redirects of https downloads are checked afterwards (redirected_to_plain_http).
            redirects=--max-redirect=20
            case $1 in [Hh][Tt][Tt][Pp]:*) redirects=--max-redirect=0 ;; esac
            wget --no-verbose --server-response --continue --tries=1 --secure-protocol=TLSv1_2 "$redirects" \
                ${SSL_CERT_FILE:+"--ca-certificate=$SSL_CERT_FILE"} --connect-timeout="$CONNECT_TIMEOUT" \
                --read-timeout="$STALL_TIMEOUT" --output-document="$2" --input-file=- >/dev/null 2>"$3" <<EOF &
$1
EOF
            ;;
        busybox-wget)
            # BusyBox's wget reads no URL from stdin: this one is in its arguments.
            wget -S -c -T "$STALL_TIMEOUT" -O "$2" "$1" </dev/null >/dev/null 2>"$3" &
            ;;
    esac
}

# download URL FILE LABEL: one attempt. With LABEL, progress lines about once a
# second; without, only waiting lines. Sets RETVAL to "<result> <reason>": the result
# is ok, missing, transient, unreachable, tls, disk or insecure, the reason in plain words.
download() {
    local shown host headers dl_pid reporter_pid exit_code http_status result
    shown_address "$1"
    shown=${RETVAL#* } host=${RETVAL%% *}
    headers=$2.headers
    # Emptied rather than removed (the shell does it, no process): what the last
    # attempt left there must not be read as this one's.
    : >"$headers"
    : >"$headers.errors"
    start_downloader "$1" "$2" "$headers"
    dl_pid=$!
    track_pid "$dl_pid"
    start_loop "$dl_pid" download_tick "$2" "$headers" "$3" "$host"
    reporter_pid=$RETVAL
    track_pid "$reporter_pid"
    # wait returns the moment the download ends (or a signal arrives): no polling.
    wait "$dl_pid"
    exit_code=$?
    kill "$reporter_pid" 2>/dev/null
    wait "$reporter_pid" 2>/dev/null
    BACKGROUND_PIDS=""
    if [ "$DOWNLOADER" = curl ]; then log_lines "$headers.errors"; else log_lines "$headers"; fi
    read_headers "$headers"
    http_status=${RETVAL%% *}
    classify_download "$exit_code" "$http_status" "$2" "$headers"
    result=$RETVAL
    if [ "${result%% *}" = ok ] && [ "$DOWNLOADER" != curl ] && redirected_to_plain_http "$headers"; then
        result="insecure it redirected to plain http://"
    fi
    log "download $shown: exit $exit_code, HTTP ${http_status:-none}, ${result%% *}"
    [ "${result%% *}" = ok ] && [ -n "$3" ] && report_progress "$2" "$headers" "$3" complete
    RETVAL=$result
}

# log_lines FILE: a downloader's messages, into the log through log (which hides userinfo).
log_lines() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        log "$line"
    done <"$1"
}

# download_tick SECONDS STATE FILE HEADERS LABEL HOST: a second of a download, in the
# background until `download` ends it with the transfer: a progress line (with LABEL)
# when bytes arrived, and "Waiting for <host>" every few seconds while none do. STATE is
# "<size> <second it last changed>".
download_tick() {
    local size last changed
    last=0 changed=0
    [ -z "$2" ] || last=${2%% *} changed=${2#* }
    size=0
    if [ -f "$3" ]; then
        size=$(wc -c <"$3")
        size=${size##* }
    fi
    if [ "$size" != "$last" ]; then
        changed=$1
        [ -n "$5" ] && [ "$size" -gt 0 ] && report_progress "$3" "$4" "$5"
    elif [ $((($1 - changed) % WAITING_REPORT_SECONDS)) = 0 ]; then
        say downloading "Waiting for $6... $(($1 - changed)) s"
    fi
    RETVAL="$size $changed"
}

# read_headers HEADERS: the response headers of the last attempt. Sets RETVAL to
# "<HTTP status> <total bytes>", each empty when unknown.
read_headers() {
    local line status total
    status="" total=""
    set_control_characters
    if [ -f "$1" ]; then
        while IFS= read -r line; do
            line=${line%"$CR"}
            line=${line#"${line%%[! ]*}"}
            case $line in
                HTTP/*)
                    status=${line#* }
                    status=${status%% *}
                    total=""
                    ;;
                [Cc]ontent-[Ll]ength:*)
                    [ "$status" = 200 ] && total=${line#*: }
                    ;;
                [Cc]ontent-[Rr]ange:*)
                    total=${line##*/}
                    ;;
            esac
        done <"$1"
    fi
    case $total in *[!0-9]* | '') total="" ;; esac
    RETVAL="$status $total"
}

# report_progress FILE HEADERS LABEL [complete]: a progress line; once complete, the
# download holds the total its headers gave, when they gave one.
report_progress() {
    local total have pct have_mb
    read_headers "$2"
    total=${RETVAL#* }
    have=0
    if [ -n "$total" ] && [ "${4:-}" = complete ]; then
        have=$total
    elif [ -f "$1" ]; then
        have=$(wc -c <"$1")
        have=${have##* }
    fi
    megabytes "$have"
    have_mb=$RETVAL
    if [ -n "$total" ] && [ "$total" -gt 0 ]; then
        pct=$((have * 100 / total))
        [ "$pct" -gt 100 ] && pct=100
        megabytes "$total"
        emit downloading "$pct" "$have/$total" "" "$3: $have_mb of $RETVAL MB"
    else
        emit downloading "" "$have" "" "$3: $have_mb MB"
    fi
}

# megabytes BYTES: sets RETVAL to them in megabytes, with one decimal.
megabytes() {
    local tenths
    tenths=$(($1 / 100000))
    RETVAL=$((tenths / 10)).$((tenths % 10))
}

# classify_download EXIT HTTP_STATUS FILE HEADERS: sets RETVAL to "<result> <reason>".
classify_download() {
    RETVAL="transient the connection failed"
    if [ "$1" = 0 ]; then
        RETVAL="ok "
        return 0
    fi
    case $DOWNLOADER in
        curl)
            # curl's exit codes (curl(1), EXIT CODES).
            case $1 in
                22) classify_http_status "$2" ;;                                                # HTTP 4xx/5xx with --fail
                5 | 6) RETVAL="unreachable the host name could not be resolved" ;;             # proxy or host not resolved
                7) RETVAL="unreachable the connection was refused" ;;                          # failed to connect
                1 | 4) RETVAL="unreachable the address is not supported" ;;                    # protocol / feature not built in
                18) RETVAL="transient the transfer was cut short" ;;                           # partial file
                23) RETVAL="disk the file could not be written" ;;                             # write error
                28) no_data_or_stall "$3" ;;                                                   # operation timed out
                33 | 36) rm -f "$3" && RETVAL="transient the server cannot resume" ;;          # range / resume failed: start over
                47) RETVAL="transient there were too many redirects" ;;                        # too many redirects
                35 | 51 | 53 | 54 | 58 | 59 | 60 | 64 | 66 | 77 | 80 | 82 | 83 | 90 | 91)
                    RETVAL="tls TLS verification failed" ;;                                    # handshake, certificates, pinning
                52 | 55 | 56) RETVAL="transient the connection was reset" ;;                   # empty reply, send / receive error
            esac
            ;;
        *)
            # wget's exit codes (wget(1), EXIT STATUS); busybox wget exits 1 for everything.
            case $1 in
                3) RETVAL="disk the file could not be written" ;; # file I/O error
                5) RETVAL="tls TLS verification failed" ;;        # SSL verification failure
                8) classify_http_status "$2" ;;                   # server issued an error response
                4)                                                # network failure
                    if grep -qi 'refused' "$4" 2>/dev/null; then
                        RETVAL="unreachable the connection was refused"
                    elif grep -qi -e 'resolve' -e 'unable to' "$4" 2>/dev/null; then
                        RETVAL="unreachable the host name could not be resolved"
                    elif grep -qi 'timed out' "$4" 2>/dev/null; then
                        no_data_or_stall "$3"
                    fi
                    ;;
                1) [ -n "$2" ] && classify_http_status "$2" ;; # generic (busybox)
            esac
            ;;
    esac
    return 0
}

# A timeout before any byte arrived means the mirror cannot be reached: move on.
no_data_or_stall() {
    if [ -s "$1" ]; then
        RETVAL="transient no data arrived for $STALL_TIMEOUT s"
    else
        RETVAL="unreachable nothing arrived for $STALL_TIMEOUT s"
    fi
}

classify_http_status() {
    case $1 in
        408 | 429 | 5??) RETVAL="transient HTTP $1" ;;
        416) RETVAL="ok HTTP $1" ;; # the partial file already holds everything
        *) RETVAL="missing HTTP $1" ;;
    esac
}

# wget follows redirects to any protocol: a download that went through plain http
# elsewhere is refused, whatever it holds.
# A Location without a scheme stays on the same host and scheme; one with a scheme is
# read as check_address reads an address (a userinfo may hide the real host).
redirected_to_plain_http() {
    local locations location
    set_control_characters
    locations=$(sed -n 's/^ *[Ll]ocation: *\([^ ]*\).*$/\1/p' "$1" 2>/dev/null | tr -d "$CR")
    set -f
    for location in $locations; do
        case $location in
            *://*) ;;
            *) continue ;;
        esac
        if ! read_address "$location"; then
            set +f
            return 0
        fi
        case $RETVAL in
            https\ * | 'http 1 '*) ;;
            *)
                set +f
                return 0
                ;;
        esac
    done
    set +f
    return 1
}

# ================================================================ uv

# uv_reports_version BIN: BIN runs here and is the uv version asked for. Sets RETVAL
# to what it reports; returns 2 when it does not run, 1 when it is another version.
uv_reports_version() {
    RETVAL=$("$1" --version 2>>"${LOG_FILE:-/dev/null}" </dev/null) || return 2
    case $RETVAL in
        "uv $UV_VERSION" | "uv $UV_VERSION "*) return 0 ;;
    esac
    return 1
}

install_uv() {
    local archive_name archive expected rest
    if [ -x "$UV_BIN" ] && uv_reports_version "$UV_BIN"; then
        say checking "uv $UV_VERSION is already in ${UV_BIN%/*}"
        return 0
    fi
    archive_name=uv-$PLATFORM.tar.gz
    archive=$STAGING/$archive_name
    if [ -n "$UV_ARCHIVE" ]; then
        [ -f "$UV_ARCHIVE" ] || err missing-tool "CARAPACE_UV_ARCHIVE points to $UV_ARCHIVE, which does not exist" \
            "Set CARAPACE_UV_ARCHIVE to the path of uv-$PLATFORM.tar.gz, or unset it to download uv."
        [ -n "$UV_SHA256" ] || err checksum "CARAPACE_UV_ARCHIVE is set but CARAPACE_UV_SHA256 is not, so the archive cannot be verified" \
            "Set CARAPACE_UV_SHA256 to the archive's SHA-256 (from its .sha256 file), then retry."
        ensure disk "Could not copy $UV_ARCHIVE into $STAGING" "Check free space in $CARAPACE_HOME_DIR, then retry." -- \
            cp "$UV_ARCHIVE" "$archive"
    else
        download_uv "$archive_name" "$archive"
    fi
    expected=$UV_SHA256
    # The sidecar reads "<hex>  <name>": only the first field matters.
    [ -n "$expected" ] || read -r expected rest <"$archive.sha256"
    verify_archive "$archive" "$expected"
    unpack_uv "$archive"
}

# download_uv NAME FILE: tries every mirror once before retrying any. A mirror that
# cannot be reached, or has no such file, is not tried again; one that fails midway
# (a reset, a 5xx, a stall after some bytes) is, after the others, with backoff.
download_uv() {
    local name file base hosts dead mirrors round backoff index retryable problems earlier problem url host result failed reason
    set -f
    # shellcheck disable=SC2086 # split on spaces, never globbed
    set -- "$1" "$2" $UV_MIRRORS
    set +f
    name=$1 file=$2
    shift 2
    choose_downloader
    # One line per mirror in PROBLEMS: the last word on each is what the error reports.
    hosts="" dead="" mirrors=$# problems=""
    for base in "$@"; do
        shown_address "$base"
        hosts="$hosts${hosts:+ or }${RETVAL%% *}"
        problems=$problems$NEWLINE
    done
    round=1 backoff=1
    while :; do
        index=0 retryable="" earlier=$problems problems=""
        for base in "$@"; do
            index=$((index + 1))
            problem=${earlier%%"$NEWLINE"*}
            earlier=${earlier#*"$NEWLINE"}
            case " $dead " in
                *" $index "*)
                    problems=$problems$problem$NEWLINE
                    continue
                    ;;
            esac
            url=${base%/}/$UV_VERSION/$name
            shown_address "$url"
            host=${RETVAL%% *}
            say downloading "Downloading package manager (uv $UV_VERSION for $PLATFORM) from $host..."
            fetch_from_mirror "$url" "$file" && return 0
            result=${RETVAL%% *} failed=${RETVAL#* }
            reason=${failed#* } failed=${failed%% *}
            describe_failure "$result" "$reason" "$failed" "$round"
            problem=$RETVAL
            [ "$mirrors" -gt 1 ] && problem="$host: $problem"
            problems=$problems$problem$NEWLINE
            if [ "$result" = transient ]; then
                retryable=1
                say downloading "Download interrupted ($reason, attempt $round of $DOWNLOAD_ROUNDS)"
            else
                dead="$dead $index"
            fi
        done
        if [ -z "$retryable" ] || [ "$round" -ge "$DOWNLOAD_ROUNDS" ]; then
            break
        fi
        say downloading "Retrying in $backoff s"
        sleep "$backoff"
        round=$((round + 1)) backoff=$((backoff * 2))
    done
    joined_lines "$problems" "; "
    if [ "$mirrors" -gt 1 ]; then problems=" ($RETVAL)"; else problems=": $RETVAL"; fi
    err network "Could not download uv from $hosts$problems" \
        "Check your internet connection; behind a proxy, set it in Network settings (or HTTPS_PROXY), or choose another uv mirror there (or CARAPACE_UV_MIRROR), then retry."
}

# joined_lines LINES SEPARATOR: sets RETVAL to the non-empty lines joined by SEPARATOR.
joined_lines() {
    local rest line
    rest=$1 RETVAL=""
    while [ -n "$rest" ]; do
        line=${rest%%"$NEWLINE"*}
        case $rest in
            *"$NEWLINE"*) rest=${rest#*"$NEWLINE"} ;;
            *) rest="" ;;
        esac
        [ -n "$line" ] && RETVAL="$RETVAL${RETVAL:+$2}$line"
    done
    return 0
}

# fetch_from_mirror URL FILE: the checksum (unless given) and the archive from one
# mirror. On failure, sets RETVAL as fetch_file does.
fetch_from_mirror() {
    if [ -z "$UV_SHA256" ]; then
        : >"$2.sha256"
        fetch_file "$1.sha256" "$2.sha256" "" || return 1
    fi
    fetch_file "$1" "$2" "Downloading package manager"
}

# fetch_file URL FILE LABEL: one download (see download), stopping the install on what
# no other mirror or attempt can help with. On failure, sets RETVAL to
# "<result> <URL as shown> <reason>".
fetch_file() {
    local result shown host
    download "$1" "$2" "$3"
    result=$RETVAL
    [ "${result%% *}" = ok ] && return 0
    shown_address "$1"
    shown=${RETVAL#* } host=${RETVAL%% *}
    case ${result%% *} in
        tls)
            err tls "Could not verify the TLS certificate of $host while downloading $shown (a proxy or security product may be intercepting HTTPS)" \
                "Set your organisation's CA bundle in Network settings (or SSL_CERT_FILE / CURL_CA_BUNDLE), then retry."
            ;;
        insecure)
            err network "Refusing the download of $shown: it was redirected to plain http://" \
                "Choose another uv mirror in Network settings (or CARAPACE_UV_MIRROR), then retry."
            ;;
        disk)
            fail_if_disk_full
            err permission "Could not write the download into $STAGING" "Make $CARAPACE_HOME_DIR writable and check its free space, then retry."
            ;;
    esac
    RETVAL="${result%% *} $shown ${result#* }"
    return 1
}

# describe_failure RESULT REASON URL ROUND: sets RETVAL to what went wrong, in plain words.
describe_failure() {
    case $1 in
        missing) RETVAL="$3 was not found ($2)" ;;
        transient) RETVAL="the download kept failing ($2, after $4 attempts)" ;;
        *) RETVAL=$2 ;;
    esac
}

choose_sha256_tool() {
    local tool
    for tool in sha256sum shasum openssl; do
        if has "$tool"; then
            SHA256_TOOL=$tool
            return 0
        fi
    done
    err missing-tool "No SHA-256 tool was found (sha256sum, shasum or openssl), so the download cannot be verified" \
        "Install coreutils (sha256sum) or openssl, then retry."
}

# sha256_of FILE: sets RETVAL to its lowercase hex SHA-256, read from stdin so that no
# tool decorates the output with the file's name (GNU escapes names with a backslash).
sha256_of() {
    local sum
    case $SHA256_TOOL in
        sha256sum) sum=$(sha256sum <"$1") && sum=${sum%% *} ;;
        shasum) sum=$(shasum -a 256 <"$1") && sum=${sum%% *} ;;
        openssl) sum=$(openssl dgst -sha256 <"$1") && sum=${sum##* } ;;
    esac || return 1
    lowercase_hex "$sum"
}

# Sets RETVAL to a hex string in lowercase; tr runs only when there is something to change.
lowercase_hex() {
    case $1 in
        *[A-F]*) RETVAL=$(echo "$1" | tr 'A-F' 'a-f') ;;
        *) RETVAL=$1 ;;
    esac
}

# verify_archive FILE EXPECTED
verify_archive() {
    local expected actual
    say verifying "Checking the SHA-256 checksum of ${1##*/}"
    choose_sha256_tool
    lowercase_hex "$2"
    expected=$RETVAL
    case $expected in
        *[!0-9a-f]*) expected=invalid ;;
    esac
    [ ${#expected} -eq 64 ] || expected="not a SHA-256 ($2)"
    sha256_of "$1" || err internal "Could not compute the checksum of $1" "Retry; if it fails again, report it with the log."
    actual=$RETVAL
    if [ "$actual" != "$expected" ]; then
        rm -f "$1"
        err checksum "The uv download does not match its checksum (expected $expected, got $actual); it was deleted" \
            "Retry: the download may have been corrupted. If it happens again, your network or mirror is altering files."
    fi
}

unpack_uv() {
    local member
    need_cmd tar
    need_cmd gzip
    member=$STAGING/uv-$PLATFORM
    # -o: never restore the archive's owner (the CI runner's uid/gid) when run as root.
    if ! tar -x -z -o -f "$1" -C "$STAGING" "${member##*/}/uv" "${member##*/}/uvx" 2>>"$LOG_FILE"; then
        fail_if_disk_full
        err checksum "The uv archive could not be unpacked (it has no ${member##*/}/uv)" "Retry; if it happens again, report it with the log."
    fi
    uv_reports_version "$member/uv"
    case $? in
        2)
            fail_unless_executable_here
            err platform "The downloaded uv does not run on this system ($PLATFORM)" \
                "Report this with the log; meanwhile you can install SkyPilot yourself so that sky is on PATH."
            ;;
        1) err checksum "The downloaded uv reports '$RETVAL', not version $UV_VERSION" \
            "Check the uv mirror (CARAPACE_UV_MIRROR) and CARAPACE_UV_ARCHIVE point to uv $UV_VERSION, then retry." ;;
    esac
    own_file "$UVX_BIN"
    own_file "$UV_BIN"
    # Renames within one filesystem are atomic, made in the order given: uv goes last
    # since its presence means ready.
    ensure permission "Could not move uv into ${UV_BIN%/*}" "Make $CARAPACE_HOME_DIR writable, then retry." -- \
        mv -f "$member/uvx" "$member/uv" "${UV_BIN%/*}/"
    say verifying "uv $UV_VERSION is ready"
}

# A disk mounted noexec refuses every program, not just uv.
fail_unless_executable_here() {
    local probe
    probe=$STAGING/exec-test
    printf '#!/bin/sh\nexit 0\n' >"$probe" && chmod +x "$probe"
    "$probe" 2>/dev/null && return 0
    err permission "Programs cannot be run from $CARAPACE_HOME_DIR (is its disk mounted noexec?)" \
        "Set CARAPACE_HOME to a folder on a disk that allows running programs, then retry."
}

# ================================================================ SkyPilot

# A sky on PATH that runs and is not older than Carapace supports: sets RETVAL to
# "<version> <path>", and says in a checking line why one that is found is not used.
usable_sky_on_path() {
    local path_sky
    find_on_path sky "$CARAPACE_HOME_DIR" || return 1
    path_sky=$RETVAL
    if ! sky_version_of "$path_sky"; then
        say checking "The sky found on PATH at $path_sky does not run; using Carapace's own copy"
        return 1
    fi
    if ! skypilot_is_supported "$RETVAL"; then
        say checking "The sky found on PATH at $path_sky is SkyPilot $RETVAL, older than the $OLDEST_SKYPILOT_RELEASE Carapace needs; using Carapace's own copy"
        return 1
    fi
    RETVAL="$RETVAL $path_sky"
}

# skypilot 0.10.0 and later, nightlies (1.0.0.devYYYYMMDD) from the first with infra, and 1.x.
skypilot_is_supported() {
    local date major rest minor oldest_major oldest_minor
    case $1 in
        *.dev[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*)
            date=${1##*.dev}
            date=${date%"${date#????????}"}
            [ "$date" -ge "$OLDEST_SKYPILOT_NIGHTLY" ] 2>/dev/null
            return
            ;;
    esac
    major=${1%%.*}
    rest=${1#*.}
    minor=${rest%%[!0-9]*}
    oldest_major=${OLDEST_SKYPILOT_RELEASE%%.*}
    oldest_minor=${OLDEST_SKYPILOT_RELEASE#*.}
    case $major$minor in
        '' | *[!0-9]*) return 1 ;;
    esac
    [ "$major" -gt "$oldest_major" ] || { [ "$major" -eq "$oldest_major" ] && [ "$minor" -ge "$oldest_minor" ]; }
}

# sky_version_of SKY: sets RETVAL to the version `<sky> --version` reports
# ("skypilot, version 1.0.0.dev20261120"); fails when it does not run or say one.
sky_version_of() {
    local errors out
    errors=/dev/null
    [ -n "$LOG_OPEN" ] && errors=$LOG_FILE
    out=$("$1" --version </dev/null 2>>"$errors") || return 1
    case $out in
        *'version '*) RETVAL=${out##*version } ;;
        *) return 1 ;;
    esac
    case $RETVAL in
        '' | *[!A-Za-z0-9.+_-]*) return 1 ;;
    esac
}

# Installs the requirement into a new folder, tools.<id> (NEW_TOOLS), beside the one in
# use: whatever happens there, the sky in use keeps working until switch_tools.
install_skypilot() {
    local fifo uv_errors relay_pid uv_pid reporter_pid uv_exit download_start expected
    started
    NEW_TOOLS=$CARAPACE_HOME_DIR/tools.$STARTED_ID.$$
    own_dirs "$NEW_TOOLS/envs" "$NEW_TOOLS/bin"
    export UV_TOOL_DIR="$NEW_TOOLS/envs"
    export UV_TOOL_BIN_DIR="$NEW_TOOLS/bin"
    say installing "Installing cloud tools ($REQUIREMENT with Python $PYTHON_VERSION)..."
    fifo=$STAGING/uv-output
    uv_errors=$STAGING/uv-errors
    : >"$uv_errors"
    mkfifo "$fifo" || err internal "Could not create $fifo" "Check that $CARAPACE_HOME_DIR is on a local disk, then retry."
    (
        trap - EXIT INT TERM HUP
        relay_uv_output "$uv_errors"
    ) <"$fifo" &
    relay_pid=$!
    track_pid "$relay_pid"
    download_kilobytes
    download_start=$RETVAL
    set -- tool install --python "$PYTHON_VERSION" --with pip
    # An update asks the index again for the package of the requirement in use: skypilot-nightly,
    # or skypilot, or whatever CARAPACE_SKYPILOT_SPEC named (its name ends at [, a version or a marker).
    [ "$COMMAND" = update ] && set -- "$@" --refresh-package "${REQUIREMENT%%[[<>=!~;@ ]*}"
    "$UV_BIN" "$@" "$REQUIREMENT" </dev/null >>"$LOG_FILE" 2>"$fifo" &
    uv_pid=$!
    track_pid "$uv_pid"
    # The package step is measured against what the last install downloaded, or a default.
    case $INSTALLED_DOWNLOAD_BYTES in
        '' | *[!0-9]*) expected=0 ;;
        *) expected=$((INSTALLED_DOWNLOAD_BYTES / 1024)) ;;
    esac
    [ "$expected" -gt 0 ] || expected=$((DEFAULT_DOWNLOAD_MB * 1000))
    start_loop "$uv_pid" package_tick "$download_start" "$expected"
    reporter_pid=$RETVAL
    track_pid "$reporter_pid"
    wait "$uv_pid"
    uv_exit=$?
    wait "$relay_pid"
    kill "$reporter_pid" 2>/dev/null
    wait "$reporter_pid" 2>/dev/null
    BACKGROUND_PIDS=""
    [ "$uv_exit" = 0 ] || fail_uv_install "$uv_exit" "$uv_errors"
    refuse_missing_extra "$uv_errors"
    # What uv downloaded this time, if more than the last install knew of, is next time's estimate.
    download_kilobytes
    DOWNLOAD_BYTES=$(((RETVAL - download_start) * 1024))
    [ "$INSTALLED_DOWNLOAD_BYTES" -gt "$DOWNLOAD_BYTES" ] 2>/dev/null && DOWNLOAD_BYTES=$INSTALLED_DOWNLOAD_BYTES
    return 0
}

# Sets RETVAL to the kilobytes in uv's cache and Python folders: what uv has downloaded grows them.
download_kilobytes() {
    local out line
    out=$(du -sk "$UV_CACHE" "$PYTHON_INSTALLS" 2>/dev/null)
    RETVAL=0
    while [ -n "$out" ]; do
        line=${out%%"$NEWLINE"*}
        case $out in
            *"$NEWLINE"*) out=${out#*"$NEWLINE"} ;;
            *) out="" ;;
        esac
        line=${line%%[!0-9]*}
        RETVAL=$((RETVAL + ${line:-0}))
    done
}

# package_tick SECONDS STATE START EXPECTED: a second of uv's install, in the background:
# a progress line when uv's folders grew past START kilobytes, against EXPECTED. The
# percent never goes back, and stops at 95: only the complete line says it is done.
# STATE is "<kilobytes grown> <percent shown>".
package_tick() {
    local last shown grown pct grown_mb
    last=0 shown=0
    [ -z "$2" ] || last=${2%% *} shown=${2#* }
    download_kilobytes
    grown=$((RETVAL - $3))
    if [ "$grown" -gt "$last" ]; then
        last=$grown
        pct=$((grown * 100 / $4))
        [ "$pct" -gt 95 ] && pct=95
        [ "$pct" -gt "$shown" ] && shown=$pct
        megabytes $((grown * 1024))
        grown_mb=$RETVAL
        megabytes $(($4 * 1024))
        emit installing "$shown" "$((grown * 1024))/$(($4 * 1024))" "" \
            "Downloading cloud tools: $grown_mb of about $RETVAL MB"
    fi
    RETVAL="$last $shown"
}

# relay_uv_output COPY: uv's stderr, line by line, as installing events (and into COPY).
relay_uv_output() {
    local line
    set_control_characters
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%"$CR"}
        printf '%s\n' "$line" >>"$1"
        case $line in
            '') ;;
            # Carapace runs sky by its full path, so uv's advice to edit PATH would mislead.
            'warning: '*'is not on your PATH'*) log "$line" ;;
            *) say installing "$line" ;;
        esac
    done
}

# uv_detail ERRORS: sets RETVAL to uv's explanation in one line: its boxed chain
# ("x Failed to download ...", "|-> ...") or its "error:" line and causes, joined by
# ": ". (Patterns stay ASCII: some shells refuse other bytes in a script under the C
# locale. A box line is indented and starts with a byte outside printable ASCII.)
uv_detail() {
    local lines part
    lines=$(LC_ALL=C sed -n \
        -e 's/^ *[^ -~][^ -~]* *//p' \
        -e 's/^error: *//p' \
        -e 's/^ *Caused by: *//p' "$1" | head -n 6)
    part=""
    RETVAL=""
    while [ -n "$lines" ]; do
        part=${lines%%"$NEWLINE"*}
        case $lines in
            *"$NEWLINE"*) lines=${lines#*"$NEWLINE"} ;;
            *) lines="" ;;
        esac
        part=${part%:}
        [ -n "$part" ] && RETVAL="$RETVAL${RETVAL:+: }$part"
    done
    return 0
}

# refuse_missing_extra ERRORS: uv installs a requirement with an extra its package does not
# have, printing only a warning and exiting 0 (crates/uv-distribution-types/src/resolution.rs,
# MissingExtra; printed by pip/operations.rs, diagnose_resolution): here, that install failed.
refuse_missing_extra() {
    local line
    while IFS= read -r line; do
        case $line in
            'warning: The package '*' does not have an extra named '*)
                err package "uv installed $REQUIREMENT without libraries it was asked for: ${line#warning: }" \
                    "Check CARAPACE_SKYPILOT_SPEC or CARAPACE_CLOUDS: name only extras the package has (SkyPilot's clouds: $CLOUD_EXTRAS), then retry."
                ;;
        esac
    done <"$1"
}

# Turns uv's stderr, then its exit status, into one of our error codes: uv exits 1
# for a wheel it could not download just as for a requirement that cannot be met
# (crates/uv/src/commands/diagnostics.rs), so the text decides first.
fail_uv_install() {
    local detail
    uv_detail "$2"
    detail=$RETVAL
    [ -n "$detail" ] || detail="uv exited with status $1"
    if grep -qi 'no space left on device' "$2"; then
        err disk "The disk ran out of space while installing SkyPilot: $detail" \
            "Free up at least $MIN_FREE_MB MB in $CARAPACE_HOME_DIR's disk, then retry."
    elif grep -qi -e 'invalid peer certificate' -e 'UnknownIssuer' -e 'certificate verify failed' "$2"; then
        err tls "uv could not verify a TLS certificate: $detail" \
            "Set your organisation's CA bundle in Network settings (or SSL_CERT_FILE, or UV_SYSTEM_CERTS=1 for the system's certificates), then retry."
    elif grep -qi -e 'cpython-' -e 'No interpreter found' -e 'No download found' -e 'Failed to install cpython' "$2"; then
        err python "uv could not get Python $PYTHON_VERSION for SkyPilot: $detail" \
            "Check your internet connection, or set a Python mirror in Network settings (or UV_PYTHON_INSTALL_MIRROR), and check UV_OFFLINE is not set, then retry."
    elif grep -qi -e 'Failed to download' -e 'Request failed after' -e 'error sending request' -e 'dns error' -e 'Failed to fetch' "$2"; then
        err network "uv could not download SkyPilot's packages: $detail" \
            "Check your internet connection; behind a proxy, set it in Network settings (or HTTPS_PROXY), or set a package index there (or UV_DEFAULT_INDEX), then retry."
    elif [ "$1" = 1 ] || grep -q 'No solution found' "$2"; then
        err package "uv could not install $SKYPILOT_SPEC: $detail" \
            "Check CARAPACE_SKYPILOT_SPEC or CARAPACE_CLOUDS, and your package index (Network settings or UV_DEFAULT_INDEX), then retry."
    elif [ "$1" -gt 128 ]; then
        err interrupted "uv was stopped by a signal before it finished" "Run the installer again to finish the installation."
    fi
    err internal "uv failed while installing SkyPilot: $detail" "Retry with --force; if it fails again, report it with the log."
}

verify_skypilot() {
    say verifying "Checking that SkyPilot runs"
    sky_version_of "$NEW_TOOLS/bin/sky" || err package "SkyPilot was installed but '$NEW_TOOLS/bin/sky --version' failed" \
        "Run the installer again with --force to repair it."
    SKY_VERSION=$RETVAL
}

# Sets RETVAL to VALUE as a JSON string. Line breaks never reach here (set_layout
# refuses them in CARAPACE_HOME; the other values are checked where they are read).
json_string() {
    set_control_characters
    RETVAL=$1
    case $RETVAL in *\\*) replace_all "$RETVAL" "\\" "\\\\" ;; esac
    case $RETVAL in *\"*) replace_all "$RETVAL" '"' '\"' ;; esac
    case $RETVAL in *"$TAB"*) replace_all "$RETVAL" "$TAB" '\t' ;; esac
    RETVAL=\"$RETVAL\"
}

# write_marker PATH: the marker of the environment in NEW_TOOLS, written to PATH (the
# next marker, which counts only once the link points to its folder: see switch_tools).
write_marker() {
    local field value separator
    own_file "$1"
    {
        printf '{\n'
        for field in $MARKER_FIELDS; do
            case $field in
                installer_version) value=$INSTALLER_VERSION ;;
                uv_version) value=$UV_VERSION ;;
                sky_version) value=$SKY_VERSION ;;
                spec) value=$SKYPILOT_SPEC ;;
                extras) value=$EXTRAS ;;
                python) value=$PYTHON_VERSION ;;
                platform) value=$PLATFORM ;;
                sky_path) value=$SKY_BIN ;;
                tools_dir) value=${NEW_TOOLS##*/} ;;
                download_bytes) value=$DOWNLOAD_BYTES ;;
                installed_at) value=$STARTED_AT ;;
            esac
            separator=,
            [ "$field" = installed_at ] && separator=""
            json_string "$value"
            printf '  "%s": %s%s\n' "$field" "$RETVAL" "$separator"
        done
        printf '}\n'
    } >"$1" 2>/dev/null && return 0
    rm -f "$1"
    fail_if_disk_full
    fail_to_write "$1"
}

# Makes the environment in NEW_TOOLS the one in use: the next marker first, then the
# link flipped in one rename, then the marker moved into place, then the old folder
# removed. A stop anywhere leaves a working sky, old or new; finish_pending_switch
# completes or undoes the rest on the next run.
switch_tools() {
    local swap
    # SkyPilot's API server runs from an environment: with none before this run, there is none.
    [ -z "$HAD_ENVIRONMENT" ] || stop_local_api_server
    write_marker "$PENDING_MARKER"
    swap=$CARAPACE_HOME_DIR/tools.link.$$
    [ -e "$swap" ] || [ -L "$swap" ] && rm -f "$swap"
    ln -s "${NEW_TOOLS##*/}" "$swap" || fail_to_write "$swap"
    if [ -d "$TOOLS_LINK" ] && [ ! -L "$TOOLS_LINK" ]; then
        # A folder from an installer of before: moved aside, then the link takes its place.
        mv "$TOOLS_LINK" "$CARAPACE_HOME_DIR/tools.old.$$" || fail_to_write "$TOOLS_LINK"
        made_here "tools.old.$$"
    fi
    replace_link "$swap" "$TOOLS_LINK" || fail_to_write "$TOOLS_LINK"
    SWITCHED=1
    made_here "$TOOLS_LINK_PATH"
    mv -f "$PENDING_MARKER" "$MARKER" || fail_to_write "$MARKER"
    made_here "$MARKER_PATH"
    remove_unused_tools "${NEW_TOOLS##*/}"
}

# replace_link NEW TARGET: renames the link NEW over the link TARGET, never into the
# folder TARGET points to (GNU and busybox mv -T, BSD mv -h).
replace_link() {
    mv -T "$1" "$2" 2>/dev/null || mv -h "$1" "$2" 2>/dev/null
}

# Sets RETVAL to the folder the tools link points to, or nothing.
tools_in_use() {
    RETVAL=""
    [ -L "$TOOLS_LINK" ] && RETVAL=$(readlink "$TOOLS_LINK" 2>/dev/null)
    return 0
}

# Whether an environment is in the folder: the tools link, or a tools.* folder.
environment_exists() {
    local dir
    for dir in "$TOOLS_LINK" "$CARAPACE_HOME_DIR"/tools.*; do
        [ -e "$dir" ] || [ -L "$dir" ] && return 0
    done
    return 1
}

# remove_unused_tools IN_USE: removes the tools.* folders other than IN_USE: old
# environments, and the ones of installs that stopped before their switch.
remove_unused_tools() {
    local dir
    for dir in "$CARAPACE_HOME_DIR"/tools.*; do
        [ -e "$dir" ] || [ -L "$dir" ] || continue
        [ "${dir##*/}" = "$1" ] && continue
        [ -n "$NEW_TOOLS" ] && [ "$dir" = "$NEW_TOOLS" ] && [ -z "$SWITCHED" ] && continue
        remove_entry "$dir" && unrecord "${dir##*/}"
    done
}

# A switch a previous run did not finish: its marker is put in place when the link
# already points to its folder, and thrown away otherwise.
finish_pending_switch() {
    local in_use line pending_tools
    tools_in_use
    in_use=$RETVAL
    if [ -e "$PENDING_MARKER" ]; then
        pending_tools=""
        while IFS= read -r line; do
            case $line in
                *'"tools_dir": "'*) pending_tools=${line#*: \"} pending_tools=${pending_tools%\"*} ;;
            esac
        done <"$PENDING_MARKER"
        if [ -n "$pending_tools" ] && [ "$in_use" = "$pending_tools" ]; then
            mv -f "$PENDING_MARKER" "$MARKER" && made_here "$MARKER_PATH"
            log "finished the switch to $pending_tools that a stopped run began"
        else
            rm -f "$PENDING_MARKER"
        fi
    fi
    remove_unused_tools "$in_use"
}

# The local API server SkyPilot starts on first use keeps running after the CLI
# exits, from the environment it was started from (sky/server/common.py). Before
# that environment is replaced or removed, stop it, as `sky api stop` does.
stop_local_api_server() {
    local_api_server_pids || return 0
    say checking "Stopping SkyPilot's local API server, which runs from $CARAPACE_HOME_DIR"
    if [ -x "$SKY_BIN" ]; then
        run_bounded "$API_STOP_TIMEOUT" "$SKY_BIN" api stop </dev/null >>"${LOG_FILE:-/dev/null}" 2>&1
    fi
    if local_api_server_pids; then
        # shellcheck disable=SC2086 # a list of pids
        kill $RETVAL 2>/dev/null
        sleep 1
    fi
    if local_api_server_pids; then
        say checking "SkyPilot's local API server (process $RETVAL) did not stop; the next sky command may report a version mismatch"
    else
        say checking "SkyPilot's local API server is stopped"
    fi
}

# Sets RETVAL to the pids of the SkyPilot API servers running from this CARAPACE_HOME:
# processes of this user whose program, before `-m sky.server.server`, is inside the home
# (SkyPilot starts `[sys.executable, '-m', 'sky.server.server', ...]`: the tool
# environment's python; a script standing for it has its interpreter in front). Another
# user's process, or one that names the home only after the module, is not Carapace's.
local_api_server_pids() {
    local uid physical
    uid=$(id -u) || return 1
    physical=$(cd "$CARAPACE_HOME_DIR" 2>/dev/null && pwd -P) || physical=$CARAPACE_HOME_DIR
    RETVAL=$(ps -A -o pid= -o uid= -o args= 2>/dev/null | api_servers_among_processes "$uid" "$physical")
    [ -n "$RETVAL" ]
}

# api_servers_among_processes UID PHYSICAL_HOME: reads "<pid> <uid> <command line>" lines;
# prints the pids of this home's API servers.
api_servers_among_processes() {
    local pid owner args program
    while read -r pid owner args; do
        [ "$owner" = "$1" ] || continue
        case $args in
            *" $API_SERVER_MODULE"*) program=" ${args%%" $API_SERVER_MODULE"*}" ;;
            *) continue ;;
        esac
        case $program in
            *" $CARAPACE_HOME_DIR/"* | *" $2/"*) printf '%s ' "$pid" ;;
        esac
    done
}

# run_bounded SECONDS COMMAND...: runs a command, stopping it after SECONDS. Its timer
# ends by itself with the command: nothing is left asleep.
run_bounded() {
    local limit pid
    limit=$1
    shift
    "$@" &
    pid=$!
    start_loop "$pid" bounded_tick "$limit" "$pid" >/dev/null 2>&1
    wait "$pid"
}

# bounded_tick SECONDS STATE LIMIT PID: stops PID once it has run LIMIT seconds.
bounded_tick() {
    [ "$1" -lt "$3" ] && return 0
    kill -TERM "$4"
    return 1
}

# ================================================================ commands

HAD_ENVIRONMENT=""

# An install the fast path found something to do for.
run_install() {
    need_cmds
    say checking "Checking this system and $CARAPACE_HOME_DIR"
    if [ -z "$MANAGED" ] && ! read_marker && usable_sky_on_path; then
        say complete "Using SkyPilot found on PATH at ${RETVAL#* } (version ${RETVAL%% *}), installed outside Carapace"
        return 0
    fi
    prepare_to_install
    # Whoever held the lock before may have finished the same install.
    already_installed && return 0
    # The clouds installed already stay: an added cloud joins them, at the version in
    # use, so adding a cloud never updates SkyPilot and comes from uv's cache. A name an
    # older installer recorded that is no cloud of CLOUD_EXTRAS installed nothing: it goes.
    REQUIREMENT=$SKYPILOT_SPEC
    if [ -z "$SPEC_GIVEN" ] && read_marker && [ -n "$INSTALLED_EXTRAS" ]; then
        known_clouds "$INSTALLED_EXTRAS"
        extras_union "${RETVAL%% *}" "$EXTRAS"
        EXTRAS=$RETVAL
        SKYPILOT_SPEC="${SKYPILOT_PACKAGE}[$EXTRAS]"
        REQUIREMENT=$SKYPILOT_SPEC
        [ -x "$SKY_BIN" ] && [ -n "$INSTALLED_SKY_VERSION" ] && REQUIREMENT="$SKYPILOT_SPEC==$INSTALLED_SKY_VERSION"
    fi
    python_for "$EXTRAS"
    PYTHON_VERSION=$RETVAL
    refuse_extras_for_python
    say_python_change
    [ -n "$ADD_CLOUD" ] && say installing "Adding the SkyPilot libraries of $ADD_CLOUD ($SKYPILOT_SPEC)"
    say checking "Platform $PLATFORM; installing into $CARAPACE_HOME_DIR"
    install_uv
    install_skypilot
    verify_skypilot
    switch_tools
    say complete "SkyPilot $SKY_VERSION is ready at $SKY_BIN"
}

# Everything an install or an update does before uv: the platform, the folder, the
# lock, a new staging and the folders uv writes to, the log, the settings, a switch
# left unfinished, space, the environment.
prepare_to_install() {
    detect_platform
    claim_home
    acquire_lock
    [ -e "$STAGING" ] || [ -L "$STAGING" ] && rm -rf "$STAGING"
    own_dirs "${LOG_FILE%/*}" "$STAGING" "${UV_BIN%/*}" "$PYTHON_INSTALLS" "$PYTHON_BIN" "$UV_CACHE" "$CREDENTIALS_DIR"
    open_log "$RETVAL"
    # The user's alone: the logs name hosts and settings, and uv keeps passwords in credentials/.
    set -- "$LOG_FILE" "$CREDENTIALS_DIR"
    [ -f "$LOG_FILE.1" ] && set -- "$@" "$LOG_FILE.1"
    chmod go= "$@" || fail_to_write "$CREDENTIALS_DIR"
    read_settings_file
    choose_uv_mirrors
    check_addresses
    check_ca_bundle
    environment_exists && HAD_ENVIRONMENT=1
    finish_pending_switch
    check_free_space
    scrub_environment
}

# Only a Python named in CARAPACE_PYTHON can be one IBM's libraries do not work with.
refuse_extras_for_python() {
    local minor
    has_ibm "$EXTRAS" || return 0
    minor=${PYTHON_VERSION#*.}
    minor=${minor%%.*}
    [ "${PYTHON_VERSION%%.*}" = 3 ] && [ "$minor" -le 11 ] 2>/dev/null && return 0
    err package "SkyPilot's IBM libraries need Python 3.11 or older, and CARAPACE_PYTHON asks for Python $PYTHON_VERSION" \
        "Unset CARAPACE_PYTHON (Carapace then installs SkyPilot with Python $IBM_PYTHON for IBM) or set it to $IBM_PYTHON, then retry."
}

# A new Python for SkyPilot (IBM added, or CARAPACE_PYTHON changed) means more to download
# than a cloud's libraries alone: that Python, and every package built for one Python.
say_python_change() {
    local reason
    read_marker && [ -n "$INSTALLED_PYTHON" ] && [ "$INSTALLED_PYTHON" != "$PYTHON_VERSION" ] || return 0
    reason=""
    [ -z "$PYTHON_GIVEN" ] && [ "$PYTHON_VERSION" = "$IBM_PYTHON" ] && reason=", which SkyPilot's IBM libraries need"
    say checking "SkyPilot moves from Python $INSTALLED_PYTHON to Python $PYTHON_VERSION$reason: uv downloads that Python and the packages built for it"
}

# --update: the newest version of the installed requirement, beside the one in use,
# switched to once it runs. A failure before the switch leaves the old one in use.
run_update() {
    need_cmds
    if ! read_marker || [ ! -x "$SKY_BIN" ]; then
        err package "SkyPilot is not installed by Carapace in $CARAPACE_HOME_DIR, so there is nothing to update" \
            "Install it first (run the installer without --update)."
    fi
    say checking "Updating SkyPilot $INSTALLED_SKY_VERSION ($INSTALLED_SPEC) in $CARAPACE_HOME_DIR"
    prepare_to_install
    read_marker
    UPDATING_FROM=$INSTALLED_SKY_VERSION
    SKYPILOT_SPEC=$INSTALLED_SPEC EXTRAS=$INSTALLED_EXTRAS REQUIREMENT=$INSTALLED_SPEC
    python_for "$EXTRAS"
    PYTHON_VERSION=$RETVAL
    refuse_extras_for_python
    say_python_change
    install_uv
    install_skypilot
    verify_skypilot
    if [ "$SKY_VERSION" = "$UPDATING_FROM" ]; then
        remove_entry "$NEW_TOOLS" && unrecord "${NEW_TOOLS##*/}"
        NEW_TOOLS=""
        say complete "SkyPilot $UPDATING_FROM is already the newest version; ready at $SKY_BIN"
        return 0
    fi
    switch_tools
    say complete "SkyPilot updated from $UPDATING_FROM to $SKY_VERSION; ready at $SKY_BIN"
}

run_status() {
    say checking "Carapace folder: $CARAPACE_HOME_DIR"
    if lock_is_fresh && read_owner; then
        say checking "An installation is in progress (process ${RETVAL%% *} on ${RETVAL#* })"
    fi
    if read_marker && [ -x "$SKY_BIN" ]; then
        say checking "uv: $INSTALLED_UV_VERSION; Python: $INSTALLED_PYTHON; installed at $INSTALLED_AT"
        say complete "SkyPilot $INSTALLED_SKY_VERSION is installed, managed by Carapace, at $SKY_BIN"
        return 0
    fi
    if usable_sky_on_path; then
        say complete "SkyPilot ${RETVAL%% *} is usable, found on PATH at ${RETVAL#* } (installed outside Carapace)"
        return 0
    fi
    if [ -e "$TOOLS_LINK" ] || [ -L "$TOOLS_LINK" ] || [ -e "$PENDING_MARKER" ]; then
        say checking "SkyPilot is not installed: a previous installation did not finish (run the installer to repair it)"
    else
        say checking "SkyPilot is not installed (run the installer to install it)"
    fi
    exit 1
}

run_uninstall() {
    local name entry
    if [ ! -d "$CARAPACE_HOME_DIR" ] || { [ ! -e "$HOME_MARK" ] && folder_is_empty "$CARAPACE_HOME_DIR"; }; then
        say complete "Nothing to remove: $CARAPACE_HOME_DIR holds nothing of Carapace's"
        return 0
    fi
    refuse_special_home
    need_cmds
    refuse_shared_home
    if [ ! -f "$HOME_MARK" ] || [ -L "$HOME_MARK" ]; then
        err permission "$CARAPACE_HOME_DIR is not marked as Carapace's folder ($HOME_MARK_PATH is missing), so nothing in it is removed" \
            "Check that CARAPACE_HOME names Carapace's folder; to remove this folder anyway, delete it yourself."
    fi
    acquire_lock
    stop_local_api_server
    say checking "Removing SkyPilot, uv and Python from $CARAPACE_HOME_DIR"
    while IFS= read -r name; do
        case $name in
            '' | '#'* | . | .. | *[!A-Za-z0-9._-]* | "$HOME_MARK_PATH" | "$LOCK_PATH" | "$LOCK_PATH".*) continue ;;
        esac
        remove_entry "$CARAPACE_HOME_DIR/$name"
        if [ -e "$CARAPACE_HOME_DIR/$name" ] || [ -L "$CARAPACE_HOME_DIR/$name" ]; then
            err permission "Could not remove $CARAPACE_HOME_DIR/$name" "Make it writable, then retry."
        fi
    done <"$HOME_MARK"
    printf '%s\n' "$HOME_MARK_HEADER" >"$HOME_MARK.tmp.$$" && mv -f "$HOME_MARK.tmp.$$" "$HOME_MARK"
    release_lock
    # The folder itself goes too when nothing but the mark is left (the server's files stay).
    rm -rf "$LOCK_DIR".stale.* 2>/dev/null
    for entry in "$CARAPACE_HOME_DIR"/* "$CARAPACE_HOME_DIR"/.[!.]* "$CARAPACE_HOME_DIR"/..?*; do
        [ "$entry" = "$HOME_MARK" ] && continue
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        say complete "Removed everything the installer created in $CARAPACE_HOME_DIR"
        return 0
    done
    rm -f "$HOME_MARK" && rmdir "$CARAPACE_HOME_DIR" 2>/dev/null
    say complete "Removed everything the installer created in $CARAPACE_HOME_DIR"
}

# Runs the command begin read; an install with nothing to do has ended in the fast path.
main() {
    case $COMMAND in
        status) run_status ;;
        uninstall) run_uninstall ;;
        update) run_update ;;
        install) run_install ;;
    esac
}

main
