#!/usr/bin/env bats
# SkyPilot's life after the first install: clouds added, updates that switch only
# once the new version runs, and a kill -9 at each step of an update.

load helpers

OLD=1.0.0.dev20261120
NEW=1.0.0.dev20261201

sky_version() {
    "$CARAPACE_DIR/tools/bin/sky" --version
}

marker_field() {
    sed -n "s/^ *\"$1\": \"\\(.*\\)\",*\$/\\1/p" "$CARAPACE_DIR/install.json"
}

tools_folders() {
    find "$CARAPACE_DIR" -maxdepth 1 -name 'tools.*' | wc -l | tr -d ' '
}

@test "CARAPACE_CLOUDS chooses the extras, and the marker records them" {
    INSTALLER_ENV+=(CARAPACE_CLOUDS=gcp,kubernetes)
    run installer
    assert_success
    assert_line "[carapace] installing: Installing cloud tools (skypilot-nightly[gcp,kubernetes] with Python 3.12)..."
    assert_equal "$(marker_field extras)" "gcp,kubernetes"
    assert_equal "$(marker_field spec)" "skypilot-nightly[gcp,kubernetes]"
}

@test "--add-cloud installs the union of extras at the installed version, then the fast path holds" {
    installer >/dev/null
    offer_skypilot "$OLD" "$NEW"
    run installer --add-cloud gcp
    assert_success
    assert_grammar
    assert_line "[carapace] installing: Adding the SkyPilot libraries of gcp (skypilot-nightly[aws,gcp])"
    assert_line "[carapace] installing: Installing cloud tools (skypilot-nightly[aws,gcp]==$OLD with Python 3.12)..."
    refute_line --partial "Downloading package manager"
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot $OLD is ready at $CARAPACE_DIR/tools/bin/sky"
    assert_equal "$(marker_field extras)" "aws,gcp"
    assert_equal "$(sky_version)" "skypilot, version $OLD"
    assert_equal "$(tools_folders)" 1
    # Both clouds are covered now: nothing to do for either.
    run installer --add-cloud aws
    assert_success
    assert_equal "${#lines[@]}" 1
    INSTALLER_ENV+=(CARAPACE_CLOUDS=gcp)
    run installer
    assert_equal "${#lines[@]}" 1
    assert_equal "$(uv_install_count)" 2
}

@test "a cloud name that is not one is refused before anything runs" {
    run installer --add-cloud 'gcp;rm'
    assert_failure 1
    assert_line --partial "code=internal: 'gcp;rm' is not the name of a cloud"
    assert [ ! -e "$CARAPACE_DIR" ]
}

@test "a cloud that is not one of SkyPilot's extras is refused before anything is downloaded, never recorded" {
    for args in "" "--add-cloud gpc"; do
        rm -rf "$CARAPACE_DIR"
        INSTALLER_ENV=()
        [ -n "$args" ] || INSTALLER_ENV=(CARAPACE_CLOUDS=aws,gpc)
        # shellcheck disable=SC2086
        run installer $args
        assert_failure 18
        assert_line --partial "error code=package: 'gpc' is not a cloud whose SkyPilot libraries Carapace can install (SkyPilot has no such extra). What to do: Use the names of clouds among: aws gcp azure"
        assert_equal "$(uv_install_count)" 0
        assert_equal "$(mirror_requests)" "[]"
        assert [ ! -e "$CARAPACE_DIR/install.json" ]
    done
}

@test "an extra uv installs with only a warning fails the install, and the SkyPilot in use stays" {
    installer >/dev/null
    tools=$(readlink "$CARAPACE_DIR/tools")
    INSTALLER_ENV+=(CARAPACE_SKYPILOT_SPEC="skypilot-nightly[aws,gpc]")
    run installer
    assert_failure 18
    assert_line "[carapace] installing: warning: The package \`skypilot-nightly==$OLD\` does not have an extra named \`gpc\`"
    assert_line --partial "error code=package: uv installed skypilot-nightly[aws,gpc] without libraries it was asked for: The package \`skypilot-nightly==$OLD\` does not have an extra named \`gpc\`"
    assert_equal "$(readlink "$CARAPACE_DIR/tools")" "$tools"
    assert_equal "$(marker_field spec)" "skypilot-nightly[aws]"
    assert_equal "$(tools_folders)" 1
}

@test "--update refreshes the package of the requirement in use (skypilot, not skypilot-nightly)" {
    installer >/dev/null
    # The marker of an install of skypilot[aws] (the test mirror offers skypilot-nightly only).
    sed -i 's/"spec": "skypilot-nightly\[aws\]"/"spec": "skypilot[aws]==0.10.5"/' "$CARAPACE_DIR/install.json"
    rm -rf "$RECORDS"
    run installer --update
    assert_line "[carapace] checking: Updating SkyPilot $OLD (skypilot[aws]==0.10.5) in $CARAPACE_DIR"
    grep -q -- '--refresh-package skypilot skypilot\[aws\]==0.10.5$' "$RECORDS"/uv-run.* ||
        fail "uv was not asked to refresh skypilot: $(grep argv "$RECORDS"/uv-run.*)"
}

@test "adding IBM moves SkyPilot to Python 3.11, which its libraries need, and the fast path holds after" {
    installer >/dev/null
    run installer --add-cloud ibm
    assert_success
    assert_grammar
    assert_line "[carapace] checking: SkyPilot moves from Python 3.12 to Python 3.11, which SkyPilot's IBM libraries need: uv downloads that Python and the packages built for it"
    assert_line --partial "[carapace] installing: Installing cloud tools (skypilot-nightly[aws,ibm]=="
    assert_line --partial " with Python 3.11)..."
    grep -q -- '--python 3.11 ' "$RECORDS"/uv-run.* || fail "uv was not asked for Python 3.11: $(grep argv "$RECORDS"/uv-run.*)"
    assert_equal "$(marker_field python)" "3.11"
    # The server's usual run asks for aws alone: IBM stays, and so does its Python.
    run installer
    assert_success
    assert_equal "${#lines[@]}" 1
    run installer --add-cloud gcp
    assert_success
    refute_line --partial "SkyPilot moves from Python"
    assert_line --partial "[carapace] installing: Installing cloud tools (skypilot-nightly[aws,ibm,gcp]=="
    assert_equal "$(marker_field python)" "3.11"
    assert_equal "$(uv_install_count)" 3
}

@test "IBM named in capitals in the requirement is IBM, as uv reads extras: SkyPilot gets Python 3.11" {
    INSTALLER_ENV+=("CARAPACE_SKYPILOT_SPEC=skypilot-nightly[aws,IBM]")
    run installer
    assert_success
    assert_line "[carapace] installing: Installing cloud tools (skypilot-nightly[aws,IBM] with Python 3.11)..."
    refute_line --partial "does not have an extra"
}

@test "an update keeps IBM's Python, and refuses a CARAPACE_PYTHON IBM's libraries do not work with" {
    INSTALLER_ENV+=(CARAPACE_CLOUDS=aws,ibm)
    installer >/dev/null
    assert_equal "$(marker_field python)" "3.11"
    offer_skypilot "$OLD" "$NEW"
    INSTALLER_ENV+=(CARAPACE_PYTHON=3.12)
    run installer --update
    assert_failure 18
    assert_line --partial "code=package: SkyPilot's IBM libraries need Python 3.11 or older, and CARAPACE_PYTHON asks for Python 3.12"
    assert_equal "$(uv_install_count)" 1
    unset 'INSTALLER_ENV[-1]'
    run installer --update
    assert_success
    assert_line "[carapace] installing: Installing cloud tools (skypilot-nightly[aws,ibm] with Python 3.11)..."
    assert_equal "$(marker_field python)" "3.11"
}

@test "CARAPACE_PYTHON must name a version such as 3.12, not a major version alone" {
    for python in 3 3. .12 3.12.1.1 3..12 3.x; do
        INSTALLER_ENV=("CARAPACE_PYTHON=$python")
        run installer
        assert_failure 19
        assert_line --partial "code=python: CARAPACE_PYTHON is not a Python version such as 3.12: '$python'"
    done
    assert_equal "$(uv_install_count)" 0
}

@test "IBM's libraries are refused with a Python they do not work with, named in CARAPACE_PYTHON" {
    INSTALLER_ENV+=(CARAPACE_CLOUDS=aws,ibm CARAPACE_PYTHON=3.12)
    run installer
    assert_failure 18
    assert_line --partial "code=package: SkyPilot's IBM libraries need Python 3.11 or older, and CARAPACE_PYTHON asks for Python 3.12"
    assert_line --partial "What to do: Unset CARAPACE_PYTHON (Carapace then installs SkyPilot with Python 3.11 for IBM) or set it to 3.11, then retry."
    assert_equal "$(uv_install_count)" 0
}

@test "--update installs the newest version beside the old one, switches, and removes the old" {
    installer >/dev/null
    old_tools=$(readlink "$CARAPACE_DIR/tools")
    offer_skypilot "$OLD" "$NEW"
    run installer --update
    assert_success
    assert_grammar
    assert_line "[carapace] checking: Updating SkyPilot $OLD (skypilot-nightly[aws]) in $CARAPACE_DIR"
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot updated from $OLD to $NEW; ready at $CARAPACE_DIR/tools/bin/sky"
    assert_equal "$(sky_version)" "skypilot, version $NEW"
    assert_equal "$(marker_field sky_version)" "$NEW"
    assert [ ! -e "$CARAPACE_DIR/$old_tools" ]
    assert_equal "$(tools_folders)" 1
    grep -q -- '--refresh-package skypilot-nightly' "$RECORDS"/uv-run.* || fail "uv was not asked to refresh the package's index entry"
}

@test "--update when the newest is installed says so and changes nothing" {
    installer >/dev/null
    old_tools=$(readlink "$CARAPACE_DIR/tools")
    run installer --update
    assert_success
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot $OLD is already the newest version; ready at $CARAPACE_DIR/tools/bin/sky"
    assert_equal "$(readlink "$CARAPACE_DIR/tools")" "$old_tools"
    assert_equal "$(tools_folders)" 1
}

@test "an update whose new version fails to download leaves the old sky in use, and says so" {
    installer >/dev/null
    before=$(cat "$CARAPACE_DIR/install.json")
    offer_skypilot "$OLD" "$NEW"
    mirror_faults "[{\"match\":\"skypilot_nightly-$NEW-py3-none-any.whl\",\"kind\":\"500\"}]"
    run installer --update
    assert_failure 12
    assert_line --regexp "^\[carapace\] error code=network: .*SkyPilot $OLD is still installed and in use"
    assert_equal "$(sky_version)" "skypilot, version $OLD"
    assert_equal "$(cat "$CARAPACE_DIR/install.json")" "$before"
    assert_equal "$(tools_folders)" 1
    # and the next run is clean: the fast path, on the old version
    run installer
    assert_success
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot $OLD is ready at $CARAPACE_DIR/tools/bin/sky"
}

@test "--update with nothing installed says to install first" {
    run installer --update
    assert_failure 18
    assert_line --partial "code=package: SkyPilot is not installed by Carapace in $CARAPACE_DIR, so there is nothing to update"
}

# kill_update_at: start an update and kill -9 it (and the paused tool) where it stopped.
kill_update_at() {
    installer_bg "$BATS_TEST_TMPDIR/out" --update
    local tries=0
    until [ -s "$BATS_TEST_TMPDIR/paused" ]; do
        tries=$((tries + 1))
        [ "$tries" -lt 300 ] || fail "the update never reached the pause: $(cat "$BATS_TEST_TMPDIR/out")"
        sleep 0.1
    done
    kill -9 "$BG_PID" "$(cat "$BATS_TEST_TMPDIR/paused")"
    wait "$BG_PID" || true
}

# after_kill EXPECTED...: sky runs at one of the versions, and the next run is clean.
after_kill() {
    run sky_version
    assert_success
    local version=${output##* } ok=""
    for expected in "$@"; do [ "$version" = "$expected" ] && ok=1; done
    [ -n "$ok" ] || fail "sky runs at $version, not at one of: $*"
    TOOLBOX=$BATS_FILE_TMPDIR/toolbox
    run installer
    assert_success
    assert_grammar
    run installer --status
    assert_success
    assert_line --partial "SkyPilot $version is installed, managed by Carapace"
    assert_equal "$(marker_field sky_version)" "$version"
    assert_equal "$(tools_folders)" 1
    assert [ ! -e "$CARAPACE_DIR/install.json.next" ]
    assert [ ! -e "$CARAPACE_DIR/install.lock" ]
    assert_equal "$(find "$CARAPACE_DIR" -maxdepth 1 -name 'tools.link.*' | wc -l | tr -d ' ')" 0
}

updatable_install() {
    installer >/dev/null
    offer_skypilot "$OLD" "$NEW"
}

@test "kill -9 while uv installs the update: the old sky works, the next run is clean" {
    updatable_install
    INSTALLER_ENV+=(STANDIN_UV_INSTALL_SECONDS=60)
    installer_bg "$BATS_TEST_TMPDIR/out" --update
    wait_for_line "$BATS_TEST_TMPDIR/out" "Prepared 112 packages"
    kill -9 "$BG_PID" $(uv_pids) 2>/dev/null || true
    wait "$BG_PID" || true
    INSTALLER_ENV=()
    after_kill "$OLD"
}

@test "kill -9 after the new version is verified, before the switch: the old sky works" {
    updatable_install
    pause_tool ps '-A*'
    kill_update_at
    after_kill "$OLD"
}

@test "kill -9 with the next marker written, before the link flips: the old sky works" {
    updatable_install
    pause_tool ln '-s *tools.link.*'
    kill_update_at
    assert [ -e "$CARAPACE_DIR/install.json.next" ]
    after_kill "$OLD"
}

@test "kill -9 after the link flips, before the marker moves: the new sky works, the next run finishes the switch" {
    updatable_install
    pause_tool mv '-f *install.json.next *'
    kill_update_at
    assert_equal "$(marker_field sky_version)" "$OLD"
    after_kill "$NEW"
}

@test "kill -9 while the old environment is removed: the new sky works, the next run removes the rest" {
    updatable_install
    pause_tool rm "-rf $CARAPACE_DIR/tools.[0-9]*"
    kill_update_at
    assert_equal "$(tools_folders)" 2
    after_kill "$NEW"
}
