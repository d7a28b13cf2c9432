#!/usr/bin/env bats
# The stand-in uv, held to what uv 0.12.5 does (test/standins/README.md names the sources):
# where an executable in the way stops an install, where the bin folder is, how downloads
# are announced, and the command-line tools the cloud extras bring.

load helpers
bats_require_minimum_version 1.5.0

# A uv stand-in as the installer puts it in CARAPACE_HOME, and folders of its own for a run.
setup() {
    curl -sSf -X POST "$(mirror_url)/__control/reset"
    TOOLBOX=$BATS_FILE_TMPDIR/toolbox
    USER_HOME=$BATS_TEST_TMPDIR/user
    CARAPACE_DIR=$USER_HOME/.carapace
    RECORDS=$BATS_TEST_TMPDIR/uv-runs
    mkdir -p "$USER_HOME" "$BATS_TEST_TMPDIR/tmp"
    INSTALLER_ENV=()
    installer >/dev/null
    UV=$CARAPACE_DIR/uv/uv
    RUN=$BATS_TEST_TMPDIR/run
    mkdir -p "$RUN"
}

# uv_install [VAR=value...] -- SPEC: `uv tool install` of SPEC with its folders in RUN.
uv_install() {
    local settings=()
    while [ "$1" != -- ]; do settings+=("$1") && shift; done
    shift
    env -i HOME="$USER_HOME" PATH="$TOOLBOX" UV_DEFAULT_INDEX="$(mirror_url)/simple" UV_CACHE_DIR="$RUN/cache" \
        UV_PYTHON_INSTALL_DIR="$RUN/python" UV_TOOL_DIR="$RUN/tools" "${settings[@]}" \
        "$UV" tool install --python 3.12 --with pip "$@"
}

@test "an executable in the way stops the install after its packages are installed, and the environment goes; a dangling link is not in the way" {
    mkdir -p "$RUN/bin"
    echo mine >"$RUN/bin/sky"
    run --separate-stderr uv_install UV_TOOL_BIN_DIR="$RUN/bin" -- "skypilot-nightly[aws]"
    assert_failure 2
    [[ $stderr == *" + skypilot-nightly==1.0.0.dev20261120"*"error: Executable already exists: sky (use \`--force\` to overwrite)"* ]] ||
        fail "not in uv's order: $stderr"
    assert [ ! -e "$RUN/tools/skypilot-nightly" ]
    assert_equal "$(cat "$RUN/bin/sky")" mine
    rm "$RUN/bin/sky"
    ln -s "$RUN/nowhere" "$RUN/bin/sky"
    run --separate-stderr uv_install UV_TOOL_BIN_DIR="$RUN/bin" -- "skypilot-nightly[aws]"
    assert_success
    assert_equal "$(readlink "$RUN/bin/sky")" "$RUN/tools/skypilot-nightly/bin/sky"
}

@test "without UV_TOOL_BIN_DIR or XDG_BIN_HOME, the executables go to \$XDG_DATA_HOME/../bin" {
    mkdir -p "$RUN/data"
    run --separate-stderr uv_install XDG_DATA_HOME="$RUN/data" -- "skypilot-nightly[aws]"
    assert_success
    assert [ -L "$RUN/data/../bin/sky" ]
    assert [ ! -e "$USER_HOME/.local/bin/sky" ]
}

@test "an extra the package does not have: a warning after the installed packages, and exit 0" {
    run --separate-stderr uv_install UV_TOOL_BIN_DIR="$RUN/bin" -- "skypilot-nightly[aws,gpc]"
    assert_success
    [[ $stderr == *" + pip==25.3"$'\n'"warning: The package \`skypilot-nightly==1.0.0.dev20261120\` does not have an extra named \`gpc\`"$'\n'"Installed 1 executable: sky"* ]] ||
        fail "not in uv's order: $stderr"
}

@test "the aws and azure extras put aws and az into the tool's environment, not beside sky" {
    run --separate-stderr uv_install UV_TOOL_BIN_DIR="$RUN/bin" -- "skypilot-nightly[aws,azure]"
    assert_success
    assert [ -x "$RUN/tools/skypilot-nightly/bin/aws" ]
    assert [ -x "$RUN/tools/skypilot-nightly/bin/az" ]
    assert [ ! -e "$RUN/bin/az" ]
    run "$RUN/tools/skypilot-nightly/bin/az" --version
    assert_success
    assert_output --partial "azure-cli"
}

@test "downloads are announced with their size rounded to a tenth of a MiB, and without a size when the server gives none" {
    node -e '
        const http = require("http");
        const body = (size) => Buffer.alloc(size, 120);
        const server = http.createServer((req, res) => {
            const path = req.url.split("#")[0];
            if (path === "/simple/skypilot-nightly/") {
                res.end(`<a href="/packages/skypilot_nightly-1.0.0.dev20261120-py3-none-any.whl">w</a><br/>\n` +
                    `<a href="/packages/sized-1.0-py3-none-any.whl" data-dependency>s</a><br/>\n` +
                    `<a href="/packages/unsized-1.0-py3-none-any.whl" data-dependency>u</a><br/>\n`);
            } else if (path.startsWith("/packages/sized-")) {
                res.setHeader("Content-Length", 1153434);
                res.end(req.method === "HEAD" ? undefined : body(1153434));
            } else if (path.startsWith("/packages/unsized-")) {
                res.write(req.method === "HEAD" ? "" : body(2000000));
                res.end();
            } else {
                res.end(body(10));
            }
        }).listen(0, "127.0.0.1", () => { require("fs").writeFileSync(process.argv[1], String(server.address().port)); });
        setTimeout(() => process.exit(0), 60000);
    ' "$RUN/port" 3>&- &
    local server=$! tries=0
    until [ -s "$RUN/port" ]; do tries=$((tries + 1)) && [ "$tries" -lt 100 ] && sleep 0.1; done
    run --separate-stderr uv_install UV_TOOL_BIN_DIR="$RUN/bin" UV_DEFAULT_INDEX="http://127.0.0.1:$(cat "$RUN/port")/simple" -- "skypilot-nightly[aws]"
    kill "$server"
    assert_success
    [[ $stderr == *$'Downloading sized (1.1MiB)\n Downloaded sized\nDownloading unsized\n Downloaded unsized\n'* ]] ||
        fail "not as uv announces them: $stderr"
}
