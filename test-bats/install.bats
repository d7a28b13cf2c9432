#!/usr/bin/env bats
# The installer's normal paths: fresh install, fast path, status, force, uninstall, PATH fallback.

load helpers

@test "a fresh install goes checking, downloading, verifying, installing, verifying, complete" {
    run installer
    assert_success
    assert_grammar
    assert_equal "$(phases)" "checking downloading verifying installing verifying complete "
    assert_line --index 0 "[carapace] checking: Checking this system and $CARAPACE_DIR"
    assert_line --partial "[carapace] downloading: Downloading package manager (uv 0.12.5 for x86_64-unknown-linux-gnu)"
    assert_line --regexp '^\[carapace\] downloading 100% bytes=([0-9]+)/\1: Downloading package manager: [0-9.]+ of [0-9.]+ MB$'
    assert_line "[carapace] installing: Installing cloud tools (skypilot-nightly[aws] with Python 3.12)..."
    # uv's own stderr, relayed line by line
    assert_line "[carapace] installing: Resolved 112 packages in 1.41s"
    assert_line "[carapace] installing: Installed 1 executable: sky"
    refute_line --partial "is not on your PATH"
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    run "$CARAPACE_DIR/tools/bin/sky" --version
    assert_output "skypilot, version 1.0.0.dev20261120"
}

@test "the marker holds the install's facts and is written last" {
    run installer
    assert_success
    run node -e '
        const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const k of ["uv_version","sky_version","spec","extras","python","platform","sky_path","installed_at","installer_version"])
            if (!m[k]) throw new Error("missing " + k);
        console.log([m.uv_version, m.sky_version, m.spec, m.extras, m.python, m.platform, m.sky_path].join(" "));
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(m.installed_at)) throw new Error("installed_at " + m.installed_at);
    ' "$CARAPACE_DIR/install.json"
    assert_success
    assert_output "0.12.5 1.0.0.dev20261120 skypilot-nightly[aws] aws 3.12 x86_64-unknown-linux-gnu $CARAPACE_DIR/tools/bin/sky"
    # written last: nothing the install made is newer than the marker, but the tools
    # link, flipped between writing the marker and moving it into place
    run find "$CARAPACE_DIR" -newer "$CARAPACE_DIR/install.json" -not -path "*/logs/*" -not -type d -not -name .carapace-home \
        -not -path "$CARAPACE_DIR/tools"
    assert_output ""
    grep -q "\"tools_dir\": \"$(readlink "$CARAPACE_DIR/tools")\"" "$CARAPACE_DIR/install.json"
    assert [ ! -e "$CARAPACE_DIR/install.json.next" ]
    assert [ ! -e "$CARAPACE_DIR/install.lock" ]
    assert [ ! -e "$CARAPACE_DIR/staging" ]
}

@test "the fast path prints one complete line and runs neither uv nor sky" {
    installer >/dev/null
    rm -rf "$RECORDS"
    chmod -x "$CARAPACE_DIR/uv/uv"
    # a sky that would leave a trace if it were run
    printf '#!/bin/sh\ntouch "%s/sky-ran"\necho "skypilot, version 9"\n' "$BATS_TEST_TMPDIR" >"$CARAPACE_DIR/tools/envs/skypilot-nightly/bin/sky"
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR=http://127.0.0.1:9/unreachable)
    run installer
    assert_success
    assert_output "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    assert [ ! -e "$BATS_TEST_TMPDIR/sky-ran" ]
    assert_equal "$(uv_install_count)" 0
}

@test "the uv archive's entries do not keep the CI runner's owner when run as root" {
    [ "$(id -u)" = 0 ] || skip "only meaningful as root"
    run installer
    assert_success
    assert_equal "$(stat -c %u:%g "$CARAPACE_DIR/uv/uv")" "0:0"
}

@test "--status says not installed (exit 1) and then installed, managed (exit 0)" {
    run installer --status
    assert_failure 1
    assert_grammar
    assert_line "[carapace] checking: Carapace folder: $CARAPACE_DIR"
    assert_line "[carapace] checking: SkyPilot is not installed (run the installer to install it)"
    assert [ ! -e "$CARAPACE_DIR" ]
    installer >/dev/null
    requests_before=$(mirror_requests | grep -o '"path"' | wc -l)
    run installer --status
    assert_success
    assert_grammar
    assert_line --regexp "^\[carapace\] checking: uv: 0\.12\.5; Python: 3\.12; installed at "
    assert_line "[carapace] complete: SkyPilot 1.0.0.dev20261120 is installed, managed by Carapace, at $CARAPACE_DIR/tools/bin/sky"
    assert_equal "$(mirror_requests | grep -o '"path"' | wc -l)" "$requests_before" # none from --status
}

@test "--status reports an unfinished install as not installed" {
    installer >/dev/null
    rm "$CARAPACE_DIR/install.json"
    run installer --status
    assert_failure 1
    assert_line --partial "a previous installation did not finish"
}

@test "--force reinstalls beside a working install, switches to it and removes the old one" {
    installer >/dev/null
    before=$(cat "$CARAPACE_DIR/install.json")
    old_tools=$(readlink "$CARAPACE_DIR/tools")
    sleep 1
    run installer --force
    assert_success
    assert_line "[carapace] installing: Installed 1 executable: sky"
    assert_equal "$(uv_install_count)" 2
    refute [ "$before" = "$(cat "$CARAPACE_DIR/install.json")" ]
    refute [ "$old_tools" = "$(readlink "$CARAPACE_DIR/tools")" ]
    assert [ ! -e "$CARAPACE_DIR/$old_tools" ]
    assert_equal "$(find "$CARAPACE_DIR" -maxdepth 1 -name 'tools.*' | wc -l | tr -d ' ')" 1
}

@test "a second run without --force reuses uv and the marker" {
    installer >/dev/null
    run installer
    assert_success
    assert_equal "${#lines[@]}" 1
    assert_equal "$(uv_install_count)" 1
}

@test "a missing marker is repaired by a reinstall beside the unknown environment, reusing uv" {
    installer >/dev/null
    old_tools=$(readlink "$CARAPACE_DIR/tools")
    rm "$CARAPACE_DIR/install.json"
    run installer
    assert_success
    assert_line "[carapace] checking: uv 0.12.5 is already in $CARAPACE_DIR/uv"
    refute_line --partial "Downloading package manager"
    assert_equal "$(uv_install_count)" 2
    assert [ -f "$CARAPACE_DIR/install.json" ]
    assert [ ! -e "$CARAPACE_DIR/$old_tools" ]
}

@test "a changed CARAPACE_SKYPILOT_SPEC reinstalls instead of taking the fast path" {
    installer >/dev/null
    INSTALLER_ENV+=("CARAPACE_SKYPILOT_SPEC=skypilot-nightly[aws,gcp]")
    run installer
    assert_success
    assert_line "[carapace] installing: Installing cloud tools (skypilot-nightly[aws,gcp] with Python 3.12)..."
    grep -q '"spec": "skypilot-nightly\[aws,gcp\]"' "$CARAPACE_DIR/install.json"
}

@test "--uninstall removes what the installer made and nothing else" {
    installer >/dev/null
    mkdir -p "$CARAPACE_DIR/servers"
    echo keep >"$CARAPACE_DIR/servers/mine.yaml"
    echo keep >"$USER_HOME/unrelated"
    run installer --uninstall
    assert_success
    assert_grammar
    assert_line "[carapace] complete: Removed everything the installer created in $CARAPACE_DIR"
    run find "$CARAPACE_DIR" -mindepth 1
    assert_output "$CARAPACE_DIR/.carapace-home
$CARAPACE_DIR/servers
$CARAPACE_DIR/servers/mine.yaml"
    assert [ -f "$USER_HOME/unrelated" ]
    rm -r "$CARAPACE_DIR/servers"
    installer >/dev/null
    run installer --uninstall
    assert [ ! -e "$CARAPACE_DIR" ]
}

@test "a sky on PATH is used as it is, with nothing installed" {
    make_path_sky "$BATS_TEST_TMPDIR/elsewhere" 0.10.3
    TOOLBOX="$TOOLBOX:$BATS_TEST_TMPDIR/elsewhere"
    run installer
    assert_success
    assert_grammar
    assert_equal "${lines[-1]}" "[carapace] complete: Using SkyPilot found on PATH at $BATS_TEST_TMPDIR/elsewhere/sky (version 0.10.3), installed outside Carapace"
    assert [ ! -e "$CARAPACE_DIR" ]
    assert_equal "$(mirror_requests)" "[]"
    run installer --status
    assert_success
    assert_line "[carapace] complete: SkyPilot 0.10.3 is usable, found on PATH at $BATS_TEST_TMPDIR/elsewhere/sky (installed outside Carapace)"
    run installer --managed
    assert_success
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
}

@test "a broken sky on PATH does not stop the managed install" {
    mkdir -p "$BATS_TEST_TMPDIR/elsewhere"
    printf '#!/bin/sh\necho "Traceback (most recent call last):" >&2\nexit 1\n' >"$BATS_TEST_TMPDIR/elsewhere/sky"
    chmod +x "$BATS_TEST_TMPDIR/elsewhere/sky"
    TOOLBOX="$TOOLBOX:$BATS_TEST_TMPDIR/elsewhere"
    run installer
    assert_success
    assert_line "[carapace] checking: The sky found on PATH at $BATS_TEST_TMPDIR/elsewhere/sky does not run; using Carapace's own copy"
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
}

@test "the managed sky on PATH is not mistaken for one installed outside Carapace" {
    installer >/dev/null
    rm "$CARAPACE_DIR/install.json"
    TOOLBOX="$TOOLBOX:$CARAPACE_DIR/tools/bin"
    run installer
    assert_success
    refute_line --partial "found on PATH"
    assert_equal "$(uv_install_count)" 2
}

@test "nothing is written outside CARAPACE_HOME (default ~/.carapace)" {
    run installer
    assert_success
    run find "$USER_HOME" "$BATS_TEST_TMPDIR/tmp" -mindepth 1 -not -path "$CARAPACE_DIR" -not -path "$CARAPACE_DIR/*"
    assert_output ""
}

@test "uv gets Carapace's folders and isolation settings, never the user's Python or uv config" {
    INSTALLER_ENV+=(VIRTUAL_ENV=/tmp/venv UV_SYSTEM_PYTHON=1 UV_PYTHON=/usr/bin/python3 PYTHONHOME=/x PYTHONPATH=/y
        UV_TOOL_DIR=/tmp/elsewhere UV_CACHE_DIR=/tmp/cache UV_CONFIG_FILE=/tmp/uv.toml UV_PYTHON_DOWNLOADS=never
        UV_HTTP_TIMEOUT=45 UV_INDEX=https://extra.example/simple "UV_PYTHON_INSTALL_MIRROR=$(mirror_url)/python"
        HTTPS_PROXY=http://proxy.example:3128 NO_PROXY=127.0.0.1 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
        UV_SYSTEM_CERTS=1 UV_OFFLINE=)
    run installer
    assert_success
    record=$(cat "$RECORDS"/uv-run.*)
    for forbidden in VIRTUAL_ENV= UV_SYSTEM_PYTHON= UV_PYTHON= PYTHONHOME= PYTHONPATH= UV_CONFIG_FILE= /tmp/elsewhere /tmp/cache; do
        if grep -q -- "^$forbidden" <<<"$record" || grep -q "=$forbidden" <<<"$record"; then
            fail "$forbidden reached uv"
        fi
    done
    tools_dir=$CARAPACE_DIR/$(readlink "$CARAPACE_DIR/tools")
    for wanted in "UV_TOOL_DIR=$tools_dir/envs" "UV_TOOL_BIN_DIR=$tools_dir/bin" \
        "UV_PYTHON_INSTALL_DIR=$CARAPACE_DIR/python/installs" "UV_PYTHON_BIN_DIR=$CARAPACE_DIR/python/bin" \
        "UV_CACHE_DIR=$CARAPACE_DIR/cache" UV_NO_CONFIG=1 UV_PYTHON_PREFERENCE=only-managed UV_NO_PROGRESS=1 \
        UV_PYTHON_DOWNLOADS=automatic UV_HTTP_TIMEOUT=45 UV_INDEX=https://extra.example/simple \
        "UV_PYTHON_INSTALL_MIRROR=$(mirror_url)/python" HTTPS_PROXY=http://proxy.example:3128 NO_PROXY=127.0.0.1 \
        SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_SYSTEM_CERTS=1 "UV_DEFAULT_INDEX=$(mirror_url)/simple" \
        "UV_CREDENTIALS_DIR=$CARAPACE_DIR/credentials"; do
        grep -qxF -- "$wanted" <<<"$record" || fail "$wanted did not reach uv"
    done
    grep -qxF -- "argv: tool install --python 3.12 --with pip skypilot-nightly[aws]" <<<"$record"
}

@test "it installs with no python anywhere on PATH" {
    run env PATH="$TOOLBOX" sh -c 'command -v python3 || command -v python || echo none'
    assert_output none
    run installer
    assert_success
}

@test "download progress comes about once a second with MB figures" {
    mirror_faults '[{"match":".tar.gz","kind":"slow","bytesPerSecond":400000}]'
    run installer
    assert_success
    progress=$(grep -c '^\[carapace\] downloading [0-9]*% bytes=' <<<"$output")
    # ~1.8 MB at 0.4 MB/s: ~4.5 s, so 4 to 6 progress lines, not one per chunk
    [ "$progress" -ge 3 ] && [ "$progress" -le 7 ] || fail "$progress progress lines: $output"
    assert_line --regexp '^\[carapace\] downloading [1-9][0-9]?% bytes=[0-9]+/[0-9]+: Downloading package manager: [0-9]+\.[0-9] of [0-9]+\.[0-9] MB$'
}

@test "CARAPACE_UV_ARCHIVE installs from a local archive with no download" {
    curl -sSf -o "$BATS_TEST_TMPDIR/uv.tar.gz" "$(mirror_url)/uv/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz"
    sum=$(sha256sum "$BATS_TEST_TMPDIR/uv.tar.gz" | cut -d' ' -f1)
    curl -sSf -X POST "$(mirror_url)/__control/reset"
    INSTALLER_ENV+=(CARAPACE_UV_ARCHIVE="$BATS_TEST_TMPDIR/uv.tar.gz" CARAPACE_UV_SHA256="$sum" CARAPACE_UV_MIRROR=http://127.0.0.1:9)
    run installer
    assert_success
    refute_line --partial "Downloading package manager"
    run mirror_requests
    refute_output --partial '/uv/'
}

@test "a mirror list falls back to the next mirror" {
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="http://127.0.0.1:9/nothing-here $(mirror_url)/uv")
    run installer
    assert_success
    assert_line --partial "from 127.0.0.1:$(mirror_url | sed 's/.*://')..."
}

@test "wget is used when curl is missing" {
    make_toolbox "$BATS_TEST_TMPDIR/no-curl" curl
    TOOLBOX=$BATS_TEST_TMPDIR/no-curl
    mirror_faults '[{"match":".tar.gz","kind":"truncate","count":1}]'
    run installer
    assert_success
    assert_line --partial "Download interrupted"
    run mirror_requests
    assert_output --regexp '"range":"bytes=[0-9]+-"'
}

@test "--help prints usage and installs nothing" {
    run installer --help
    assert_success
    assert_line --partial "Usage: sh scripts/install-skypilot.sh [--status] [--force] [--managed] [--update] [--add-cloud NAME] [--uninstall] [--help]"
    assert [ ! -e "$CARAPACE_DIR" ]
}

@test "bin/setup installs npm dependencies, then SkyPilot with the same script and folder, and says what is next" {
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    # A recording npm: this test is about what bin/setup runs, not about npm.
    printf '#!/bin/sh\necho "npm $*" >>"%s/npm-calls"\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/bin/npm"
    chmod +x "$BATS_TEST_TMPDIR/bin/npm"
    ln -s "$(command -v node)" "$BATS_TEST_TMPDIR/bin/node"
    TOOLBOX="$BATS_TEST_TMPDIR/bin:$TOOLBOX"
    run env -i HOME="$USER_HOME" PATH="$TOOLBOX" CARAPACE_UV_MIRROR="$(mirror_url)/uv" \
        UV_DEFAULT_INDEX="$(mirror_url)/simple" dash "$REPO/bin/setup"
    assert_success
    assert_equal "$(cat "$BATS_TEST_TMPDIR/npm-calls")" "npm install"
    assert_line "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    assert_line "setup: installing SkyPilot into $CARAPACE_DIR" # the real path, never a literal $HOME
    assert_equal "${lines[-1]}" "setup: done. Next: npm start, then open the address it prints"
    run env -i HOME="$USER_HOME" PATH="$TOOLBOX" dash "$REPO/bin/setup"
    assert_success
    assert_line "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
    refute_line --partial "Downloading"
}

@test "bin/setup stops with the installer's exit status when the install fails" {
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    printf '#!/bin/sh\nexit 0\n' >"$BATS_TEST_TMPDIR/bin/npm"
    chmod +x "$BATS_TEST_TMPDIR/bin/npm"
    ln -s "$(command -v node)" "$BATS_TEST_TMPDIR/bin/node"
    run env -i HOME="$USER_HOME" PATH="$BATS_TEST_TMPDIR/bin:$TOOLBOX" CARAPACE_UV_MIRROR=http://127.0.0.1:9/uv \
        dash "$REPO/bin/setup"
    assert_failure 12
    assert_line --partial "[carapace] error code=network:"
    assert_line "setup: SkyPilot was not installed (exit 12): the [carapace] error line above says why and what to do."
}

@test "UV_ASTRAL_MIRROR_URL: uv is downloaded from the mirror's uv folder alone, and uv gets the variable" {
    local port
    port=$(mirror_url | sed 's/.*://')
    INSTALLER_ENV=(UV_DEFAULT_INDEX="$(mirror_url)/simple" CARAPACE_UV_MIRROR="" UV_ASTRAL_MIRROR_URL="$(mirror_url)/astral//")
    run installer
    # The test mirror serves uv under one folder only: what matters is where it was asked, and nowhere else.
    assert_failure 12
    assert_line --partial "error code=network: Could not download uv from 127.0.0.1:$port: http://127.0.0.1:$port/astral/github/uv/releases/download/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz.sha256 was not found (HTTP 404)"
    run mirror_requests
    assert_output --partial '"/astral/github/uv/releases/download/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz.sha256"'
    rm -rf "$CARAPACE_DIR"
    INSTALLER_ENV=(UV_ASTRAL_MIRROR_URL="$(mirror_url)/astral")
    run installer
    assert_success
    grep -qx "UV_ASTRAL_MIRROR_URL=$(mirror_url)/astral" "$RECORDS"/uv-run.* || fail "uv did not get UV_ASTRAL_MIRROR_URL"
}
