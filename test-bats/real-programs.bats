#!/usr/bin/env bats
# The installer against the real programs' behaviour (test/fixtures/real/, served by
# the stand-ins): uv's failures told apart by their text, uv's network settings
# passed on, SkyPilot's local API server stopped before its environment changes, and
# an old SkyPilot on PATH not used.

load helpers

@test "a wheel uv cannot download exits 1 like a bad requirement, and is reported as network, with uv's chain" {
    INSTALLER_ENV+=(STANDIN_UV_FAIL=wheel-download)
    run installer
    assert_failure 12
    assert_line --regexp '^\[carapace\] error code=network: uv could not download SkyPilot.s packages: Failed to download `[^`]+==[^`]+`: Request failed after 3 retries in 12\.3s: Failed to fetch: `http://[^`]+`: error sending request for url \(.*\): client error \(SendRequest\): connection closed before message completed\. What to do: Check your internet connection; behind a proxy, set it in Network settings'
    assert_line --regexp '^\[carapace\] installing:   × Failed to download `[^`]+==[^`]+`$'
}

@test "a managed Python uv cannot download is reported as python, pointing at the Python mirror" {
    INSTALLER_ENV+=(STANDIN_UV_FAIL=python-download)
    run installer
    assert_failure 19
    assert_line --partial "error code=python: uv could not get Python 3.12 for SkyPilot: Request failed after 3 retries in 8.1s: Failed to download https://github.com/astral-sh/python-build-standalone/releases/download/20261105/cpython-3.12.7"
    assert_line --partial "set a Python mirror in Network settings (or UV_PYTHON_INSTALL_MIRROR)"
}

@test "a certificate uv cannot verify is reported as tls" {
    INSTALLER_ENV+=(STANDIN_UV_FAIL=tls)
    run installer
    assert_failure 13
    # Never retried (uv-client/src/retry.rs): the inner error comes first.
    assert_line --regexp "error code=tls: uv could not verify a TLS certificate: Failed to fetch: \`http://[^\`]+\`: error sending request"
    assert_line --partial "invalid peer certificate: UnknownIssuer"
}

@test "uv's network settings reach it, credentials of named indexes included; its credentials store is Carapace's" {
    INSTALLER_ENV+=(UV_INSECURE_HOST=pypi.corp.example UV_HTTP_CONNECT_TIMEOUT=20 UV_HTTP_RETRIES=5
        UV_PYTHON_DOWNLOADS_JSON_URL=https://corp.example/python.json UV_KEYRING_PROVIDER=subprocess
        UV_FIND_LINKS=https://corp.example/wheels UV_EXTRA_INDEX_URL=https://extra.corp.example/simple
        UV_INDEX_CORP_USERNAME=alice UV_INDEX_CORP_PASSWORD=s3cret UV_CREDENTIALS_DIR=/tmp/elsewhere
        UV_CONFIG_FILE=/tmp/uv.toml UV_CACHE_DIR=/tmp/cache)
    run installer
    assert_success
    record=$(cat "$RECORDS"/uv-run.*)
    for wanted in UV_INSECURE_HOST=pypi.corp.example UV_HTTP_CONNECT_TIMEOUT=20 UV_HTTP_RETRIES=5 \
        UV_PYTHON_DOWNLOADS_JSON_URL=https://corp.example/python.json UV_KEYRING_PROVIDER=subprocess \
        UV_FIND_LINKS=https://corp.example/wheels UV_EXTRA_INDEX_URL=https://extra.corp.example/simple \
        UV_INDEX_CORP_USERNAME=alice UV_INDEX_CORP_PASSWORD=s3cret "UV_CREDENTIALS_DIR=$CARAPACE_DIR/credentials" \
        UV_NO_CONFIG=1 "UV_CACHE_DIR=$CARAPACE_DIR/cache"; do
        grep -qxF -- "$wanted" <<<"$record" || fail "$wanted did not reach uv"
    done
    refute grep -q '^UV_CONFIG_FILE=' <<<"$record"
    refute grep -q '/tmp/elsewhere' <<<"$record"
}

@test "--force stops SkyPilot's local API server of this install first, and the next sky starts a new one" {
    installer >/dev/null
    sky=$CARAPACE_DIR/tools/bin/sky
    run env HOME="$USER_HOME" "$sky" check
    assert_line --partial "Starting a local server."
    run pgrep -f -- "$CARAPACE_DIR/.*-m sky.server.server"
    assert_success
    old=$output
    run installer --force
    assert_success
    assert_line "[carapace] checking: Stopping SkyPilot's local API server, which runs from $CARAPACE_DIR"
    assert_line "[carapace] checking: SkyPilot's local API server is stopped"
    run process_running "$old"
    assert_failure
    run env HOME="$USER_HOME" "$sky" check
    assert_line --partial "Starting a local server."
    refute_line --partial "not compatible with the client"
    env HOME="$USER_HOME" "$sky" api stop >/dev/null
}

@test "--uninstall stops SkyPilot's local API server before removing its environment" {
    installer >/dev/null
    env HOME="$USER_HOME" "$CARAPACE_DIR/tools/bin/sky" status >/dev/null
    server=$(pgrep -f -- "$CARAPACE_DIR/.*-m sky.server.server")
    run installer --uninstall
    assert_success
    assert_line "[carapace] checking: SkyPilot's local API server is stopped"
    run process_running "$server"
    assert_failure
}

@test "no API server is stopped when none runs from this install" {
    installer >/dev/null
    run installer --force
    assert_success
    refute_line --partial "API server"
}

@test "an old SkyPilot on PATH is not used: the installer says why and installs its own" {
    make_path_sky "$BATS_TEST_TMPDIR/old" 0.6.1
    TOOLBOX="$TOOLBOX:$BATS_TEST_TMPDIR/old"
    run installer
    assert_success
    assert_line "[carapace] checking: The sky found on PATH at $BATS_TEST_TMPDIR/old/sky is SkyPilot 0.6.1, older than the 0.10 Carapace needs; using Carapace's own copy"
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
}

@test "which SkyPilot versions on PATH are used" {
    for version in 0.10.0 0.10.5 0.11.2 1.0.0.dev20250601 1.0.0.dev20261120 1.0.0-dev0 0.9.3 0.6.1 1.0.0.dev20250420; do
        rm -rf "$BATS_TEST_TMPDIR/path-sky" "$CARAPACE_DIR"
        make_path_sky "$BATS_TEST_TMPDIR/path-sky" "$version"
        TOOLBOX_WITH_SKY="$TOOLBOX:$BATS_TEST_TMPDIR/path-sky"
        run env -i HOME="$USER_HOME" PATH="$TOOLBOX_WITH_SKY" dash "$SCRIPT" --status
        case $version in
            0.9.* | 0.6.* | 1.0.0.dev20250420) assert_failure 1 ;;
            *) assert_success ;;
        esac
    done
}
