#!/bin/sh
# The project's C files in .clang-format's style: `scripts/format-c.sh` rewrites them, `--check` fails
# (listing each difference) when any is not. The public headers (include/libvirt, libvirt's own layout) and
# generated files (their generator's layout) are not ours to format.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' | grep -v '^include/' | grep -v '\.generated\.')
if [ "${1:-}" = "--check" ]; then
  exec clang-format --dry-run --Werror $files
fi
exec clang-format -i $files
