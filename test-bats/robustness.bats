#!/usr/bin/env bats
# Interruptions, crashes, concurrent runs, locks, shells and terminals.

load helpers

assert_clean_after_stop() {
    assert [ ! -e "$CARAPACE_DIR/install.json" ]
    assert [ ! -e "$CARAPACE_DIR/install.lock" ]
    assert [ ! -e "$CARAPACE_DIR/staging" ]
}

@test "interrupted (130): TERM during uv stops uv, releases the lock and cleans up" {
    INSTALLER_ENV+=(STANDIN_UV_INSTALL_SECONDS=60)
    installer_bg "$BATS_TEST_TMPDIR/out"
    wait_for_line "$BATS_TEST_TMPDIR/out" "Prepared 112 packages"
    uv_pid=$(uv_pids)
    kill -0 "$uv_pid"
    kill -TERM "$BG_PID"
    status=0
    wait "$BG_PID" || status=$?
    assert_equal "$status" 130
    run tail -n 1 "$BATS_TEST_TMPDIR/out"
    assert_output "[carapace] error code=interrupted: The installation was stopped before it finished; nothing half-installed is kept. What to do: Run the installer again to finish the installation. Full log: $CARAPACE_DIR/logs/install.log"
    run kill -0 "$uv_pid"
    assert_failure
    assert_clean_after_stop
}

@test "interrupted (130): HUP during the download" {
    mirror_faults '[{"match":".tar.gz","kind":"slow","bytesPerSecond":100000}]'
    installer_bg "$BATS_TEST_TMPDIR/out"
    wait_for_line "$BATS_TEST_TMPDIR/out" "Downloading package manager ("
    kill -HUP "$BG_PID"
    status=0
    wait "$BG_PID" || status=$?
    assert_equal "$status" 130
    grep -q 'error code=interrupted' "$BATS_TEST_TMPDIR/out"
    assert_clean_after_stop
}

@test "kill -9 during the download, then a rerun takes over the lock and finishes" {
    mirror_faults '[{"match":".tar.gz","kind":"slow","bytesPerSecond":100000}]'
    installer_bg "$BATS_TEST_TMPDIR/out"
    wait_for_line "$BATS_TEST_TMPDIR/out" "downloading [0-9]*%"
    kill -9 "$BG_PID"
    wait "$BG_PID" || true
    assert [ -d "$CARAPACE_DIR/install.lock" ]
    assert [ ! -e "$CARAPACE_DIR/install.json" ]
    curl -sSf -X POST "$(mirror_url)/__control/reset"
    run installer
    assert_success
    assert_line --regexp "^\[carapace\] checking: A previous installation stopped without finishing \((it was last refreshed [0-9]+ s ago|its process [0-9]+ is gone)\); taking over its lock$"
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    assert [ ! -e "$CARAPACE_DIR/staging" ]
}

@test "kill -9 during uv install, then a rerun repairs the half-made environment" {
    INSTALLER_ENV+=(STANDIN_UV_INSTALL_SECONDS=60)
    installer_bg "$BATS_TEST_TMPDIR/out"
    wait_for_line "$BATS_TEST_TMPDIR/out" "Prepared 112 packages"
    uv_pid=$(uv_pids)
    # A crashed app takes its children with it.
    kill -9 "$BG_PID" "$uv_pid"
    wait "$BG_PID" || true
    half_made=$(find "$CARAPACE_DIR" -maxdepth 1 -name 'tools.*')
    assert [ -d "$half_made/envs/skypilot-nightly" ]
    assert [ ! -e "$CARAPACE_DIR/install.json" ]
    assert [ ! -e "$CARAPACE_DIR/tools" ]
    INSTALLER_ENV=()
    run installer
    assert_success
    refute_line --partial "Downloading package manager"
    assert [ -f "$CARAPACE_DIR/install.json" ]
    assert [ ! -e "$half_made" ]
    assert_equal "$(find "$CARAPACE_DIR" -maxdepth 1 -name 'tools.*' | wc -l | tr -d ' ')" 1
}

@test "two installs at once: one installs, the other waits and finds it done" {
    mirror_faults '[{"match":".tar.gz","kind":"slow","bytesPerSecond":600000}]'
    installer_bg "$BATS_TEST_TMPDIR/a"
    pid_a=$BG_PID
    installer_bg "$BATS_TEST_TMPDIR/b"
    pid_b=$BG_PID
    wait "$pid_a"
    wait "$pid_b"
    assert_equal "$(uv_install_count)" 1
    assert_equal "$(grep -l 'Another installation is in progress, waiting...' "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" | wc -l | tr -d ' ')" 1
    for out in a b; do
        run tail -n 1 "$BATS_TEST_TMPDIR/$out"
        assert_output "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    done
    assert_equal "$(mirror_requests | grep -o '"/uv/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz"' | wc -l)" 1
}

@test "five installs at once still run uv exactly once" {
    local pids=() i
    for i in 1 2 3 4 5; do
        installer_bg "$BATS_TEST_TMPDIR/out$i"
        pids+=("$BG_PID")
    done
    for i in "${pids[@]}"; do wait "$i"; done
    assert_equal "$(uv_install_count)" 1
    assert_equal "$(grep -l '^\[carapace\] complete:' "$BATS_TEST_TMPDIR"/out* | wc -l | tr -d ' ')" 5
}

@test "a stale lock (not refreshed for over 20 s) is taken over" {
    make_carapace_home
    mkdir "$CARAPACE_DIR/install.lock"
    touch -d '30 seconds ago' "$CARAPACE_DIR/install.lock"
    run installer
    assert_success
    assert_line --regexp "^\[carapace\] checking: A previous installation stopped without finishing \((it was last refreshed [0-9]+ s ago|its process [0-9]+ is gone)\); taking over its lock$"
    refute_line --partial "waiting"
}

@test "a fresh lock whose owner process is gone is taken over at once" {
    make_carapace_home
    mkdir "$CARAPACE_DIR/install.lock"
    sh -c 'exit 0' &
    dead=$!
    wait "$dead"
    printf '{\n  "pid": %s,\n  "host": "%s",\n  "started_at": "2026-01-01T00:00:00Z"\n}\n' "$dead" "$(uname -n)" >"$CARAPACE_DIR/install.lock/owner"
    run installer
    assert_success
    assert_line --regexp "^\[carapace\] checking: A previous installation stopped without finishing \((it was last refreshed [0-9]+ s ago|its process [0-9]+ is gone)\); taking over its lock$"
}

@test "a lock held by a live process is waited for, then the install proceeds" {
    make_carapace_home
    mkdir "$CARAPACE_DIR/install.lock"
    (sleep 3 && rm -rf "$CARAPACE_DIR/install.lock") 3>&- &
    run installer
    assert_success
    assert_line "[carapace] checking: Another installation is in progress, waiting..."
    assert_equal "$(uv_install_count)" 1
}

@test "the lock is proper-lockfile's format: node sees ours, and we respect node's" {
    INSTALLER_ENV+=(STANDIN_UV_INSTALL_SECONDS=7)
    installer_bg "$BATS_TEST_TMPDIR/out"
    wait_for_line "$BATS_TEST_TMPDIR/out" "Prepared 112 packages"
    before=$(stat -c %Y "$CARAPACE_DIR/install.lock")
    sleep 5.5
    after=$(stat -c %Y "$CARAPACE_DIR/install.lock")
    [ "$after" -gt "$before" ] || fail "the lock was not refreshed ($before, $after)"
    check='require("proper-lockfile").check(process.argv[1], {lockfilePath: process.argv[1] + ".lock", stale: 20000, realpath: false}).then(l => console.log(l))'
    run node -e "$check" "$CARAPACE_DIR/install"
    assert_output true
    wait "$BG_PID"
    run node -e "$check" "$CARAPACE_DIR/install"
    assert_output false

    # proper-lockfile's own lock makes the script wait, and is released after 2 s
    rm -rf "$CARAPACE_DIR"
    make_carapace_home
    node -e '
        const lockfile = require("proper-lockfile");
        lockfile.lock(process.argv[1], {lockfilePath: process.argv[1] + ".lock", stale: 20000, realpath: false})
            .then(release => setTimeout(release, 2000));
    ' "$CARAPACE_DIR/install" 3>&- &
    node_pid=$!
    sleep 0.5
    run installer
    wait "$node_pid"
    assert_success
    assert_line "[carapace] checking: Another installation is in progress, waiting..."
}

@test "the script never reads stdin" {
    # stdin stays open and silent; a script that read it would hang until timeout kills it.
    run bash -c 'exec 3>&-; timeout 20 "$@" < <(exec sleep 30 2>/dev/null)' _ env -i HOME="$USER_HOME" PATH="$TOOLBOX" \
        CARAPACE_UV_MIRROR="$(mirror_url)/uv" UV_DEFAULT_INDEX="$(mirror_url)/simple" dash "$SCRIPT"
    assert_success
}

@test "colour only on a terminal, and never with NO_COLOR" {
    require_tool script
    run script -qec "env -i HOME='$USER_HOME' PATH='$TOOLBOX' dash '$SCRIPT' --status" /dev/null
    assert_output --partial $'\e[1m[carapace] checking\e[0m: '
    run script -qec "env -i HOME='$USER_HOME' PATH='$TOOLBOX' NO_COLOR=1 dash '$SCRIPT' --status" /dev/null
    refute_output --partial $'\e['
    run installer --status
    refute_output --partial $'\e['
}

# shell_runs SHELL...: a fresh install, the fast path and --status under that shell. The
# install pauses in uv for a few seconds, in which the heartbeat must refresh the lock.
shell_runs() {
    local pid before after
    env -i HOME="$USER_HOME" PATH="$TOOLBOX" CARAPACE_UV_MIRROR="$(mirror_url)/uv" \
        UV_DEFAULT_INDEX="$(mirror_url)/simple" STANDIN_UV_INSTALL_SECONDS=7 "$@" "$SCRIPT" \
        >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    wait_for_line "$BATS_TEST_TMPDIR/out" "Prepared 112 packages"
    before=$(stat -c %Y "$CARAPACE_DIR/install.lock")
    sleep 5.5
    after=$(stat -c %Y "$CARAPACE_DIR/install.lock")
    wait "$pid"
    [ "$after" -gt "$before" ] || fail "the lock was not refreshed under $* ($before, $after)"
    run cat "$BATS_TEST_TMPDIR/out"
    assert_grammar
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    run env -i HOME="$USER_HOME" PATH="$TOOLBOX" "$@" "$SCRIPT"
    assert_output "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    run env -i HOME="$USER_HOME" PATH="$TOOLBOX" "$@" "$SCRIPT" --status
    assert_success
}

@test "runs under busybox sh" {
    require_tool busybox
    shell_runs "$(command -v busybox)" sh
}

@test "runs under posh" {
    require_tool posh
    shell_runs "$(command -v posh)"
}

@test "runs under mksh" {
    require_tool mksh
    shell_runs "$(command -v mksh)"
}

@test "runs under yash" {
    require_tool yash
    shell_runs "$(command -v yash)"
}

@test "runs under zsh in sh emulation" {
    require_tool zsh
    shell_runs "$(command -v zsh)" --emulate sh
}

@test "runs under bash --posix" {
    shell_runs "$(command -v bash)" --posix
}

# local_scope SHELL...: the script's functions keep their variables with `local`, and
# rely on it being dynamic, as it is in every shell above: a callee sees (and may
# change) its caller's locals, a ( ... ) & subshell gets a snapshot of them, and a
# global of the same name is back once the function returns.
local_scope() {
    run "$@" -c '
set -u
callee() { printf "callee sees %s; " "$x"; x=changed; y=global; }
caller() {
    local x y
    x=inner y=mine
    callee
    printf "caller has %s %s; " "$x" "$y"
    ( printf "subshell sees %s; " "$x" ) &
    wait $!
}
x=outer y=top
caller
printf "after %s %s\n" "$x" "$y"'
    assert_success
    assert_output "callee sees inner; caller has changed global; subshell sees changed; after outer top"
}

@test "local is dynamically scoped under dash" {
    local_scope "$(command -v dash)"
}

@test "local is dynamically scoped under busybox sh" {
    require_tool busybox
    local_scope "$(command -v busybox)" sh
}

@test "local is dynamically scoped under posh" {
    require_tool posh
    local_scope "$(command -v posh)"
}

@test "local is dynamically scoped under mksh" {
    require_tool mksh
    local_scope "$(command -v mksh)"
}

@test "local is dynamically scoped under yash" {
    require_tool yash
    local_scope "$(command -v yash)"
}

@test "local is dynamically scoped under zsh in sh emulation" {
    require_tool zsh
    local_scope "$(command -v zsh)" --emulate sh
}

@test "local is dynamically scoped under bash --posix" {
    local_scope "$(command -v bash)" --posix
}
