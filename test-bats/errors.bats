#!/usr/bin/env bats
# Every error code the installer can produce on this machine: its exit status,
# its message (what happened, what to do, where the log is) and no marker left.

load helpers

setup_file() {
    mirror_start
    make_toolbox "$BATS_FILE_TMPDIR/toolbox"
    # A mirror behind a self-signed certificate, as TLS interception looks to curl.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$BATS_FILE_TMPDIR/tls.key" -out "$BATS_FILE_TMPDIR/tls.crt" 2>/dev/null
    mirror_start tls --tls-key "$BATS_FILE_TMPDIR/tls.key" --tls-cert "$BATS_FILE_TMPDIR/tls.crt"
}

# assert_error CODE STATUS: the run failed with this code and left no install behind.
assert_error() {
    assert_failure "$2"
    assert_grammar
    assert_equal "${#lines[@]}" "$(grep -c . <<<"$output")"
    assert_line --regexp "^\[carapace\] error code=$1: .+\. What to do: .+"
    [[ ${lines[-1]} == "[carapace] error code=$1: "* ]] || fail "the last line is not the error: ${lines[-1]}"
    assert [ ! -e "$CARAPACE_DIR/install.json" ]
    assert [ ! -e "$CARAPACE_DIR/install.lock" ]
    assert [ ! -e "$CARAPACE_DIR/staging" ]
}

platform_toolbox() {
    TOOLBOX="$REPO/test/standins/platform:$TOOLBOX"
}

marker_platform() {
    sed -n 's/.*"platform": "\(.*\)".*/\1/p' "$CARAPACE_DIR/install.json"
}

@test "platform (10): an unsupported OS is named in the error" {
    platform_toolbox
    INSTALLER_ENV+=(STANDIN_UNAME_S=FreeBSD STANDIN_UNAME_M=amd64)
    run installer
    assert_error platform 10
    assert_line --partial "This system (FreeBSD x86_64) is not supported: SkyPilot can be installed on macOS (arm64, x86_64) and Linux (x86_64, aarch64)"
}

@test "platform (10): an unsupported CPU is named in the error" {
    platform_toolbox
    INSTALLER_ENV+=(STANDIN_UNAME_M=armv7l)
    run installer
    assert_error platform 10
    assert_line --partial "This system (Linux armv7l) is not supported"
}

@test "platform: each supported system gets its uv build" {
    platform_toolbox
    local case expected
    for case in "Darwin arm64 - glibc-2.36 aarch64-apple-darwin" \
        "Darwin x86_64 - glibc-2.36 x86_64-apple-darwin" \
        "Darwin x86_64 1 glibc-2.36 aarch64-apple-darwin" \
        "Linux x86_64 - glibc-2.17 x86_64-unknown-linux-gnu" \
        "Linux x86_64 - glibc-2.12 x86_64-unknown-linux-musl" \
        "Linux x86_64 - musl x86_64-unknown-linux-musl" \
        "Linux aarch64 - glibc-2.28 aarch64-unknown-linux-gnu" \
        "Linux aarch64 - glibc-2.27 aarch64-unknown-linux-musl" \
        "Linux arm64 - musl aarch64-unknown-linux-musl"; do
        set -- $case
        rm -rf "$CARAPACE_DIR"
        INSTALLER_ENV=(STANDIN_UNAME_S="$1" STANDIN_UNAME_M="$2" STANDIN_LIBC="$4")
        [ "$3" = - ] || INSTALLER_ENV+=(STANDIN_SYSCTL_ARM64="$3")
        run installer
        assert_success
        assert_equal "$(marker_platform)" "$5"
    done
}

@test "missing-tool (11): no SHA-256 tool means no install" {
    make_toolbox "$BATS_TEST_TMPDIR/box" sha256sum shasum openssl
    TOOLBOX=$BATS_TEST_TMPDIR/box
    run installer
    assert_error missing-tool 11
    assert_line --partial "No SHA-256 tool was found (sha256sum, shasum or openssl)"
    assert [ ! -e "$CARAPACE_DIR/uv/uv" ]
}

@test "missing-tool: shasum or openssl alone are enough" {
    make_toolbox "$BATS_TEST_TMPDIR/shasum-only" sha256sum openssl
    make_toolbox "$BATS_TEST_TMPDIR/openssl-only" sha256sum shasum
    TOOLBOX=$BATS_TEST_TMPDIR/shasum-only
    run installer
    assert_success
    rm -rf "$CARAPACE_DIR"
    TOOLBOX=$BATS_TEST_TMPDIR/openssl-only
    run installer
    assert_success
}

@test "missing-tool (11): neither curl nor wget" {
    make_toolbox "$BATS_TEST_TMPDIR/box" curl wget
    TOOLBOX=$BATS_TEST_TMPDIR/box
    run installer
    assert_error missing-tool 11
    assert_line --partial "Neither curl nor wget was found"
}

@test "missing-tool (11): kill, which posh does not build in" {
    require_tool posh
    make_toolbox "$BATS_TEST_TMPDIR/box" kill
    run env -i HOME="$USER_HOME" PATH="$BATS_TEST_TMPDIR/box" CARAPACE_UV_MIRROR="$(mirror_url)/uv" "$(command -v posh)" "$SCRIPT"
    assert_error missing-tool 11
    assert_line --partial "The command 'kill' is needed but was not found"
}

@test "network (12): a refused connection names the host and the fix, without retrying" {
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR=http://127.0.0.1:9/uv)
    run installer
    assert_error network 12
    assert_line --partial "Could not download uv from 127.0.0.1:9: the connection was refused. What to do: Check your internet connection; behind a proxy, set it in Network settings (or HTTPS_PROXY)"
    assert_line --partial "Full log: $CARAPACE_DIR/logs/install.log"
    refute_line --partial "retrying"
    grep -q "Failed to connect to 127.0.0.1 port 9" "$CARAPACE_DIR/logs/install.log"
}

@test "network (12): a 404 is not retried and every mirror is tried" {
    mirror_faults '[{"match":".tar.gz","kind":"404"}]'
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="$(mirror_url)/a $(mirror_url)/b")
    run installer
    assert_error network 12
    assert_line --partial "was not found (HTTP 404)"
    assert_line --partial "Could not download uv from 127.0.0.1:$(mirror_url | sed 's/.*://') or 127.0.0.1:"
    assert_equal "$(mirror_requests | grep -o '"/[ab]/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz"' | wc -l)" 2
}

@test "network: a 500 is retried with backoff and the install succeeds" {
    mirror_faults '[{"match":"gnu.tar.gz","kind":"500","count":2}]'
    run installer
    assert_success
    assert_line "[carapace] downloading: Download interrupted (HTTP 500, attempt 1 of 4)"
    assert_line "[carapace] downloading: Retrying in 1 s"
    assert_line "[carapace] downloading: Download interrupted (HTTP 500, attempt 2 of 4)"
    assert_line "[carapace] downloading: Retrying in 2 s"
    assert_equal "$(mirror_requests | grep -o '"/uv/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz"' | wc -l)" 3
}

@test "network (12): a server that keeps failing gives up after 4 attempts" {
    mirror_faults '[{"match":"gnu.tar.gz","kind":"500"}]'
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="$(mirror_url)/uv")
    run installer
    assert_error network 12
    assert_line --partial "Could not download uv from 127.0.0.1:$(mirror_url | sed 's/.*://'): the download kept failing (HTTP 500, after 4 attempts)"
}

@test "network: a reset connection is retried" {
    mirror_faults '[{"match":"gnu.tar.gz","kind":"refuse","count":1}]'
    run installer
    assert_success
    assert_line --partial "Download interrupted (the connection was reset, attempt 1 of 4)"
}

@test "network: a truncated download resumes where it stopped" {
    mirror_faults '[{"match":"gnu.tar.gz","kind":"truncate","count":1}]'
    run installer
    assert_success
    run mirror_requests
    assert_output --regexp '"path":"/uv/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz","range":"bytes=[1-9][0-9]+-"'
}

@test "network: a stalled download is abandoned and retried" {
    mirror_faults '[{"match":"gnu.tar.gz","kind":"stall","count":1}]'
    INSTALLER_ENV+=(CARAPACE_STALL_TIMEOUT=2)
    run installer
    assert_success
    assert_line --partial "Download interrupted (no data arrived for 2 s, attempt 1 of 4)"
    run mirror_requests
    assert_output --regexp '"range":"bytes=[1-9][0-9]+-"'
}

@test "network (12): plain http to another machine is refused" {
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR=http://mirror.example.com/uv)
    run installer
    assert_error network 12
    assert_line --partial "CARAPACE_UV_MIRROR is not an address Carapace can download from (http://mirror.example.com/uv): plain http:// is allowed only to this machine"
}

@test "tls (13): an untrusted certificate is a TLS error with the fix" {
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="$(mirror_url tls)/uv")
    run installer
    assert_error tls 13
    assert_line --partial "Could not verify the TLS certificate of 127.0.0.1:"
    assert_line --partial "Set your organisation's CA bundle in Network settings (or SSL_CERT_FILE / CURL_CA_BUNDLE)"
}

@test "tls: CURL_CA_BUNDLE reaches curl, so the same mirror then works" {
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="$(mirror_url tls)/uv" CURL_CA_BUNDLE="$BATS_FILE_TMPDIR/tls.crt")
    run installer
    assert_success
}

@test "tls: a CA bundle whose path holds spaces reaches wget whole" {
    mkdir -p "$BATS_TEST_TMPDIR/My Certs"
    cp "$BATS_FILE_TMPDIR/tls.crt" "$BATS_TEST_TMPDIR/My Certs/ca.pem"
    make_toolbox "$BATS_TEST_TMPDIR/box" curl
    TOOLBOX=$BATS_TEST_TMPDIR/box
    INSTALLER_ENV+=(CARAPACE_UV_MIRROR="$(mirror_url tls)/uv" SSL_CERT_FILE="$BATS_TEST_TMPDIR/My Certs/ca.pem")
    run installer
    assert_success
}

@test "checksum (14): a wrong sidecar shows both hashes and deletes the download" {
    mirror_faults '[{"match":".sha256","kind":"bad-checksum"}]'
    run installer
    assert_error checksum 14
    assert_line --regexp "The uv download does not match its checksum \(expected f{64}, got [0-9a-f]{64}\); it was deleted"
    assert [ ! -e "$CARAPACE_DIR/uv/uv" ]
}

@test "checksum (14): CARAPACE_UV_SHA256 wins over the sidecar" {
    INSTALLER_ENV+=(CARAPACE_UV_SHA256=0000000000000000000000000000000000000000000000000000000000000000)
    run installer
    assert_error checksum 14
    assert_line --partial "expected 0000000000000000000000000000000000000000000000000000000000000000, got"
    run mirror_requests
    refute_output --partial ".sha256"
}

@test "checksum: an upper-case CARAPACE_UV_SHA256 that matches is accepted" {
    sum=$(curl -sSf "$(mirror_url)/uv/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz.sha256" | cut -d' ' -f1 | tr a-f A-F)
    INSTALLER_ENV+=(CARAPACE_UV_SHA256="$sum")
    run installer
    assert_success
}

@test "checksum (14): an archive of another uv version is refused" {
    curl -sSf -o "$BATS_TEST_TMPDIR/uv.tar.gz" "$(mirror_url)/uv/0.12.5/uv-x86_64-unknown-linux-gnu.tar.gz"
    INSTALLER_ENV+=(CARAPACE_UV_VERSION=0.13.0 CARAPACE_UV_ARCHIVE="$BATS_TEST_TMPDIR/uv.tar.gz"
        CARAPACE_UV_SHA256="$(sha256sum "$BATS_TEST_TMPDIR/uv.tar.gz" | cut -d' ' -f1)")
    run installer
    assert_error checksum 14
    assert_line --partial "The downloaded uv reports 'uv 0.12.5 (5ta7d1n 2026-08-14 x86_64-unknown-linux-gnu)', not version 0.13.0"
}

@test "disk (15): too little free space is refused before downloading" {
    INSTALLER_ENV+=(CARAPACE_MIN_FREE_MB=999999999)
    run installer
    assert_error disk 15
    assert_line --regexp "Not enough disk space in .*: 999999999 MB needed, [0-9]+ MB available"
    assert_equal "$(mirror_requests)" "[]"
}

@test "disk (15): running out of space mid-way" {
    [ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
    mkdir -p "$BATS_TEST_TMPDIR/small"
    mount -t tmpfs -o size=1m tmpfs "$BATS_TEST_TMPDIR/small"
    INSTALLER_ENV+=(CARAPACE_HOME="$BATS_TEST_TMPDIR/small/carapace" CARAPACE_MIN_FREE_MB=0)
    run installer
    umount "$BATS_TEST_TMPDIR/small"
    assert_failure 15
    assert_line --regexp "^\[carapace\] error code=disk: The disk holding .* ran out of space during the installation"
}

@test "permission (16): a CARAPACE_HOME that cannot be created" {
    touch "$BATS_TEST_TMPDIR/a-file"
    INSTALLER_ENV+=(CARAPACE_HOME="$BATS_TEST_TMPDIR/a-file/carapace")
    run installer
    assert_failure 16
    assert_line "[carapace] error code=permission: Cannot create the Carapace folder $BATS_TEST_TMPDIR/a-file/carapace. What to do: Make its parent folder writable or set CARAPACE_HOME to a folder you own, then retry."
}

@test "permission (16): a CARAPACE_HOME owned by someone else" {
    [ "$(id -u)" = 0 ] || skip "needs root to run as another user"
    # bats' own temporary folders are private to root, so use one that others can enter.
    shared=$(mktemp -d /tmp/carapace-permission.XXXXXX)
    mkdir "$shared/root-only"
    chmod 755 "$shared" "$shared/root-only"
    run setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent \
        CARAPACE_HOME="$shared/root-only" dash "$SCRIPT"
    rm -rf "$shared"
    assert_failure 16
    assert_line --partial "error code=permission: CARAPACE_HOME must be owned by you and writable by no one else, and this folder is not: $shared/root-only."
}

@test "permission (16): no HOME and no CARAPACE_HOME" {
    run env -i PATH="$TOOLBOX" dash "$SCRIPT"
    assert_failure 16
    assert_line --partial "neither CARAPACE_HOME nor HOME is set"
}

@test "lock (17): another install that holds the lock too long" {
    make_carapace_home
    mkdir "$CARAPACE_DIR/install.lock"
    INSTALLER_ENV+=(CARAPACE_LOCK_TIMEOUT=2)
    run installer
    assert_failure 17
    assert_line "[carapace] checking: Another installation is in progress, waiting..."
    assert_line --partial "error code=lock: Another installation has held $CARAPACE_DIR/install.lock for over 2 seconds"
    assert [ -d "$CARAPACE_DIR/install.lock" ] # not ours to remove
}

@test "package (18): a requirement the index does not have" {
    INSTALLER_ENV+=(CARAPACE_SKYPILOT_SPEC=skypilot-nightly-typo)
    run installer
    assert_error package 18
    assert_line --partial "[carapace] installing:   ╰─▶ Because skypilot-nightly-typo was not found in the package registry"
    assert_line --partial "uv could not install skypilot-nightly-typo: No solution found when resolving tool dependencies: Because skypilot-nightly-typo was not found in the package registry"
    assert [ -x "$CARAPACE_DIR/uv/uv" ] # uv stays, so a retry does not download it again
}

@test "package (18): a requirement that cannot be written into the marker" {
    INSTALLER_ENV+=('CARAPACE_SKYPILOT_SPEC=sky"pilot')
    run installer
    assert_failure 18
    assert_line --partial "CARAPACE_SKYPILOT_SPEC is not a valid requirement"
}

@test "network (12): uv cannot reach the package index" {
    INSTALLER_ENV+=(UV_DEFAULT_INDEX=http://127.0.0.1:9/simple)
    run installer
    assert_error network 12
    assert_line --regexp "uv could not download SkyPilot's packages: Request failed after 3 retries in [0-9]+\.[0-9]s: Failed to fetch"
}

@test "python (19): no managed Python can be had" {
    INSTALLER_ENV+=(UV_OFFLINE=1)
    run installer
    assert_error python 19
    assert_line --partial "uv could not get Python 3.12 for SkyPilot: No interpreter found for Python 3.12 in managed installations"
}

@test "internal (1): an unknown option" {
    run installer --frobnicate
    assert_failure 1
    assert_line "[carapace] error code=internal: Unknown option '--frobnicate'. What to do: Run with --help to see the options."
}

@test "internal (1): a setting that is not a number" {
    INSTALLER_ENV+=(CARAPACE_LOCK_TIMEOUT=soon)
    run installer
    assert_failure 1
    assert_line --partial "CARAPACE_LOCK_TIMEOUT must be a whole number, not 'soon'"
}

@test "a failed install is retried from scratch and succeeds once the fault is gone" {
    mirror_faults '[{"match":".sha256","kind":"bad-checksum"}]'
    run installer
    assert_failure 14
    curl -sSf -X POST "$(mirror_url)/__control/reset"
    run installer
    assert_success
    assert_equal "${lines[-1]}" "[carapace] complete: SkyPilot 1.0.0.dev20261120 is ready at $CARAPACE_DIR/tools/bin/sky"
}
