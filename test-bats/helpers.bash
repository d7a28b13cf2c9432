# Shared set-up for the installer's shell tests: a test mirror per file, a fresh
# CARAPACE_HOME and HOME per test, and a PATH ("toolbox") holding only the
# commands a bare system has -- never python -- so that the script runs as it
# would on a user's machine.

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
SCRIPT=$REPO/scripts/install-skypilot.sh
load "$REPO/node_modules/bats-support/load"
load "$REPO/node_modules/bats-assert/load"

# One line of the script's grammar (README, "Output").
LINE_GRAMMAR='^\[carapace\] (checking|downloading|installing|verifying|complete|error)( [0-9]{1,3}%)?( bytes=[0-9]+(/[0-9]+)?)?( code=[a-z-]+)?: .+$'

TOOLBOX_COMMANDS="sh dash uname date mkdir rm mv cp cat sed grep tr wc tail head df du touch sleep mkfifo chmod env
tar gzip curl wget sha256sum shasum openssl stat ln ls rmdir dirname basename id ps kill readlink find ldd getconf printf"

# make_toolbox DIR [COMMAND...]: DIR gets links to the toolbox commands, minus the ones named.
make_toolbox() {
    local dir=$1 cmd path
    shift
    mkdir -p "$dir"
    for cmd in $TOOLBOX_COMMANDS; do
        case " $* " in *" $cmd "*) continue ;; esac
        # type -P: the program file, even for names that are also bash builtins (printf)
        path=$(PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin type -P "$cmd") || continue
        ln -sf "$path" "$dir/$cmd"
    done
}

# require_tool NAME: skip loudly when a tool is missing, or fail when CI requires every suite.
require_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ -n "${CARAPACE_REQUIRE_ALL:-}" ]; then
        fail "$1 is required (CARAPACE_REQUIRE_ALL is set) but not installed"
    fi
    skip "$1 is not installed"
}

# mirror_start [NAME [MIRROR-ARGS...]]: start a test mirror; its URL is $(mirror_url NAME).
mirror_start() {
    local name=${1:-mirror}
    shift $(($# > 0))
    node --import tsx "$REPO/test/mirror/main.ts" --url-file "$BATS_FILE_TMPDIR/$name.url" "$@" \
        >"$BATS_FILE_TMPDIR/$name.log" 2>&1 3>&- &
    echo $! >>"$BATS_FILE_TMPDIR/mirrors.pid"
    local tries=0
    until [ -s "$BATS_FILE_TMPDIR/$name.url" ]; do
        tries=$((tries + 1))
        [ "$tries" -lt 100 ] || { cat "$BATS_FILE_TMPDIR/$name.log" >&2; return 1; }
        sleep 0.1
    done
}

mirror_url() {
    cat "$BATS_FILE_TMPDIR/${1:-mirror}.url"
}

mirror_stop() {
    [ -f "$BATS_FILE_TMPDIR/mirrors.pid" ] && kill $(cat "$BATS_FILE_TMPDIR/mirrors.pid") 2>/dev/null
    return 0
}

# mirror_faults JSON: e.g. '[{"match":"tar.gz","kind":"500","count":1}]'
mirror_faults() {
    curl -sSf -X PUT --data "$1" "$(mirror_url)/__control/faults"
}

mirror_requests() {
    curl -sSf "$(mirror_url)/__control/requests"
}

# The hooks every file uses (a file may define its own after loading this one).
setup_file() {
    mirror_start
    make_toolbox "$BATS_FILE_TMPDIR/toolbox"
}

teardown_file() {
    mirror_stop
}

setup() {
    curl -sSf -X POST "$(mirror_url)/__control/reset"
    TOOLBOX=$BATS_FILE_TMPDIR/toolbox
    USER_HOME=$BATS_TEST_TMPDIR/user
    CARAPACE_DIR=$BATS_TEST_TMPDIR/user/.carapace
    RECORDS=$BATS_TEST_TMPDIR/uv-runs
    mkdir -p "$USER_HOME" "$BATS_TEST_TMPDIR/tmp"
    # Extra settings for one test: INSTALLER_ENV+=(NAME=value)
    INSTALLER_ENV=()
}

# installer [ARGS...]: run the script under dash with a clean environment, pointed
# at the test mirror, plus INSTALLER_ENV.
installer() {
    installer_command
    "${INSTALLER_COMMAND[@]}" "$@"
}

# Sets INSTALLER_COMMAND. A background job of this command (not of a function) is the
# script's own process, so that $! is the pid to kill.
installer_command() {
    INSTALLER_COMMAND=(env -i HOME="$USER_HOME" PATH="$TOOLBOX" TMPDIR="$BATS_TEST_TMPDIR/tmp"
        CARAPACE_UV_MIRROR="$(mirror_url)/uv" UV_DEFAULT_INDEX="$(mirror_url)/simple"
        UV_PYTHON_INSTALL_MIRROR="$(mirror_url)/python" STANDIN_RECORD_DIR="$RECORDS" "${INSTALLER_ENV[@]}"
        dash "$SCRIPT")
}

# make_carapace_home [DIR]: a Carapace folder as the installer or the server makes it, with its mark.
make_carapace_home() {
    local dir=${1:-$CARAPACE_DIR}
    mkdir -p "$dir"
    printf '%s\n' "# This folder belongs to Carapace (scripts/install-skypilot.sh). --uninstall removes the entries listed below, and nothing else." >"$dir/.carapace-home"
}

# make_path_sky DIR [VERSION]: the stand-in sky in DIR, as if installed outside Carapace.
make_path_sky() {
    mkdir -p "$1"
    node --import tsx -e 'import(process.argv[1]).then((m) => process.stdout.write(m.standin("sky", { SKY_VERSION: process.argv[2] })))' \
        "$REPO/test/mirror/artifacts.ts" "${2:-0.10.3}" >"$1/sky"
    chmod +x "$1/sky"
}

# How many times `uv tool install` ran.
uv_install_count() {
    if [ -d "$RECORDS" ]; then
        find "$RECORDS" -name 'uv-run.*' | wc -l | tr -d ' '
    else
        echo 0
    fi
}

# Every stdout line must be one event of the grammar.
assert_grammar() {
    local line
    while IFS= read -r line; do
        [[ $line =~ $LINE_GRAMMAR ]] || fail "line outside the grammar: '$line'"
    done <<<"$output"
}

# The phases of the output, in order, with repeats folded.
phases() {
    printf '%s\n' "$output" | sed -n 's/^\[carapace\] \([a-z]*\).*/\1/p' | uniq | tr '\n' ' '
}

# wait_for_line FILE PATTERN [SECONDS]
wait_for_line() {
    local tries=0 limit=$((${3:-20} * 10))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -lt "$limit" ] || fail "no line matching '$2' in $1 after ${3:-20}s: $(cat "$1")"
        sleep 0.1
    done
}

# installer_bg OUT [ARGS...]: start the installer in the background; its pid is BG_PID.
installer_bg() {
    local out=$1
    shift
    installer_command
    "${INSTALLER_COMMAND[@]}" "$@" >"$out" 2>&1 3>&- &
    BG_PID=$!
}

# The pids of the stand-in uv runs so far.
uv_pids() {
    find "$RECORDS" -name 'uv-run.*' 2>/dev/null | sed 's/.*uv-run\.//'
}

# installer_bg_to FILE [ARGS...]: like installer_bg, with stdout to FILE (a FIFO) and stderr kept apart.
installer_bg_to() {
    local out=$1
    shift
    installer_command
    "${INSTALLER_COMMAND[@]}" "$@" >"$out" 2>/dev/null 3>&- &
    BG_PID=$!
}

# process_running PID: alive and not a zombie waiting to be reaped.
process_running() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case $state in Z* | '') return 1 ;; esac
}

# offer_skypilot VERSION...: the SkyPilot versions the test mirror's index lists.
offer_skypilot() {
    local json
    json=$(printf '"%s",' "$@")
    curl -sSf -X PUT --data "[${json%,}]" "$(mirror_url)/__control/skypilot-versions"
}

# pause_tool NAME PATTERN: in a copy of the toolbox, NAME stops for a minute when its
# arguments match the case PATTERN, after writing its pid to $BATS_TEST_TMPDIR/paused:
# a point inside the script at which to kill it.
pause_tool() {
    local box=$BATS_TEST_TMPDIR/paused-toolbox real
    [ -d "$box" ] || { mkdir -p "$box" && cp -P "$TOOLBOX"/* "$box"/; }
    real=$(readlink -f "$TOOLBOX/$1")
    rm -f "$box/$1"
    printf '#!/bin/sh\npattern='"'"'%s'"'"'\ncase "$*" in\n    $pattern) echo $$ >"%s"; sleep 60 ;;\nesac\nexec "%s" "$@"\n' \
        "$2" "$BATS_TEST_TMPDIR/paused" "$real" >"$box/$1"
    chmod +x "$box/$1"
    TOOLBOX=$box
}
