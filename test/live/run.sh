#!/bin/sh
# npm run test:live: the real installer against the real internet (uv's releases
# and PyPI), into a temporary CARAPACE_HOME. For maintainers with a connection;
# skipped, saying why, when the internet cannot be reached.
set -u

say() {
    printf 'test:live: %s\n' "$1"
}

fail() {
    say "FAILED: $1"
    exit 1
}

main() {
    cd "$(dirname "$0")/../.." || exit 1
    for _url in https://releases.astral.sh/github/uv/releases/ https://pypi.org/simple/skypilot-nightly/; do
        if ! curl -sS -o /dev/null --max-time 10 "$_url" 2>/dev/null; then
            say "skipped: $_url cannot be reached from this machine (no internet)."
            say "0 passed, 0 failed, 1 skipped"
            exit 0
        fi
    done
    _home=$(mktemp -d "${TMPDIR:-/tmp}/carapace-live.XXXXXX") || fail "mktemp"
    trap 'rm -rf "$_home"' EXIT
    say "installing into $_home (this downloads ~150 MB)"
    CARAPACE_HOME=$_home sh scripts/install-skypilot.sh --managed | tee "$_home.out" || fail "the installer failed"
    tail -n 1 "$_home.out" | grep -q '^\[carapace\] complete: SkyPilot .* is ready at ' || fail "no complete line"
    "$_home/tools/bin/sky" --version | grep -q '^skypilot, version ' || fail "sky --version"
    grep -q '"sky_version"' "$_home/install.json" || fail "no marker"
    _start=$(date +%s)
    CARAPACE_HOME=$_home sh scripts/install-skypilot.sh --managed | grep -q '^\[carapace\] complete:' || fail "fast path"
    say "fast path took $(($(date +%s) - _start)) s or less"
    CARAPACE_HOME=$_home sh scripts/install-skypilot.sh --uninstall >/dev/null || fail "--uninstall"
    rm -f "$_home.out"
    say "1 passed, 0 failed"
}

main
