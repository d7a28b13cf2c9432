#!/bin/sh
# Makes the local base image the container test builds the Dockerfile on, since
# these machines cannot pull images: Debian bookworm (debootstrap minbase, from
# the Debian mirror this machine's own apt uses) plus this machine's node and npm,
# imported into buildah as $BASE_TAG. Cached outside the repository: the rootfs in
# $CACHE_DIR and the image in buildah's storage; a second run takes seconds.
#
# Usage: sh test/container/make-base.sh   (as root; prints the image name)
set -u

BASE_TAG=localhost/carapace-test-base:bookworm
CACHE_DIR=${CARAPACE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carapace-test}
ROOTFS_TAR=$CACHE_DIR/bookworm-minbase.tar
export STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}"

say() {
    printf 'make-base: %s\n' "$1" >&2
}

err() {
    say "error: $1"
    exit 1
}

need_cmd() {
    command -v "$1" >/dev/null 2>&1 || err "$1 is needed (apt-get install $2)"
}

# The first Debian archive URL in this machine's apt sources (deb822 or one-line format).
debian_mirror() {
    for _file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$_file" ] || continue
        _url=$(sed -n -e 's/^URIs: *\([^ ]*\/debian\/*\)$/\1/p' -e 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\/debian\/*\) .*/\2/p' "$_file" | head -n 1)
        if [ -n "$_url" ]; then
            echo "$_url"
            return 0
        fi
    done
    return 1
}

make_rootfs_tar() {
    [ -s "$ROOTFS_TAR" ] && return 0
    need_cmd debootstrap debootstrap
    _mirror=$(debian_mirror) || err "no Debian mirror found in /etc/apt/sources*"
    _root=$CACHE_DIR/rootfs.$$
    mkdir -p "$CACHE_DIR" || err "cannot create $CACHE_DIR"
    say "debootstrap --variant=minbase bookworm from $_mirror (a few minutes, once)"
    debootstrap --variant=minbase bookworm "$_root" "$_mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
        err "debootstrap failed: see $CACHE_DIR/debootstrap.log"
    _node=$(command -v node) || err "node is not on PATH"
    _npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    mkdir -p "$_root/usr/local/bin" "$_root/usr/local/lib/node_modules"
    cp "$(readlink -f "$_node")" "$_root/usr/local/bin/node" || err "cannot copy node"
    cp -a "$_npm_dir" "$_root/usr/local/lib/node_modules/npm" || err "cannot copy npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$_root/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$_root/usr/local/bin/npx"
    trust_host_certificates "$_root"
    rm -rf "$_root/var/cache/apt/archives/"*.deb
    tar -C "$_root" -cf "$ROOTFS_TAR.tmp" . || err "cannot pack the rootfs"
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$_root"
}

# The base trusts what this machine trusts: where HTTPS goes through an intercepting
# proxy (as the npm registry does on these machines), builds on it then work too.
# Local CAs go where update-ca-certificates (run by the image's apt step) finds them.
trust_host_certificates() {
    if [ -d /usr/local/share/ca-certificates ]; then
        mkdir -p "$1/usr/local/share/ca-certificates"
        cp -a /usr/local/share/ca-certificates/. "$1/usr/local/share/ca-certificates/"
    fi
    if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
        mkdir -p "$1/etc/ssl/certs"
        cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"
    fi
}

import_image() {
    if buildah inspect --type image "$BASE_TAG" >/dev/null 2>&1; then
        return 0
    fi
    need_cmd buildah buildah
    _ctr=$(buildah from scratch) || err "buildah from scratch failed"
    _mnt=$(buildah mount "$_ctr") || err "buildah mount failed"
    tar -C "$_mnt" -xf "$ROOTFS_TAR" || err "cannot unpack the rootfs"
    buildah umount "$_ctr" >/dev/null
    # Node keeps its own CA list; point it at the bundle trust_host_certificates copied.
    _node_ca=""
    [ -s /etc/ssl/certs/ca-certificates.crt ] && _node_ca="--env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"
    # shellcheck disable=SC2086 # _node_ca is two words or nothing
    buildah config --env PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin $_node_ca --cmd /bin/sh "$_ctr"
    buildah commit --quiet "$_ctr" "$BASE_TAG" >/dev/null || err "buildah commit failed"
    buildah rm "$_ctr" >/dev/null
}

main() {
    [ "$(id -u)" = 0 ] || err "must run as root (debootstrap and buildah mount)"
    make_rootfs_tar
    import_image
    echo "$BASE_TAG"
}

main
