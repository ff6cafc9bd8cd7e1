#!/bin/sh
# Copies the C example programs of Debian's libvirt-doc package into DEST (default: a new temporary
# directory) and prints DEST.  test/headers compiles them against include/ to prove that programs
# written for libvirt build unchanged against tsvirt's headers.
#
# The examples are libvirt's code: they are only ever unpacked outside the repository, never committed.
# Exit status 2 means the package could not be downloaded (no network or no apt), so callers can skip.
#
# Usage: scripts/fetch-libvirt-examples.sh [DEST]
set -eu

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    echo "fetch-libvirt-examples: apt-get and dpkg are needed" >&2
    exit 2
fi
if ! (cd "$work" && apt-get download libvirt-doc) >"$work/apt.log" 2>&1; then
    echo "fetch-libvirt-examples: cannot download libvirt-doc:" >&2
    cat "$work/apt.log" >&2
    exit 2
fi

dpkg -x "$work"/libvirt-doc_*.deb "$work/root"
examples="$work/root/usr/share/doc/libvirt-doc/examples/c"
if [ ! -d "$examples" ]; then
    echo "fetch-libvirt-examples: the package has no examples/c folder" >&2
    exit 1
fi

dest=${1:-$(mktemp -d)}
mkdir -p "$dest"
cp -R "$examples"/. "$dest"/
echo "$dest"
