#!/bin/sh
# Runs C test programs against tsvirt with the native library built under AddressSanitizer.
#
# The library (native/src/*/*.c, as binding.gyp builds it, plus -fsanitize=address) and the programs are
# built into a scratch package folder that loads that library instead of build/Release's, and the
# programs run through tsvirt-run with libasan preloaded into node (node itself is not instrumented).
# Leak detection is off: node's own allocations at exit would drown ours; use-after-free, double free,
# overflows and the like are what this catches.
#
# Usage: scripts/asan.sh [PROGRAM.c [ARGS...]]
#   without arguments, runs the C ABI test programs of test/native/abi/c/ with their usual arguments.
# Exit status: 0 when every program exited 0 without an AddressSanitizer report.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

libasan=$(cc -print-file-name=libasan.so)
if [ ! -e "$libasan" ]; then
    echo "asan: the C compiler has no libasan.so" >&2
    exit 2
fi

# A package root of its own, so that the library loader (src/ts/native/library.ts) finds the ASan build.
echo '{ "name": "tsvirt", "type": "module" }' >"$work/package.json"
ln -s "$root/node_modules" "$work/node_modules"
mkdir -p "$work/build/Release" "$work/dist" "$work/programs" "$work/scratch"

echo "asan: building the library" >&2
cc -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror -pthread \
    -fsanitize=address -fno-omit-frame-pointer -g -O1 -shared -fPIC \
    -Wl,--version-script="$root/native/exports.map" \
    -I"$root/native/src/abi" -I"$root/native/src/libvirt" -I"$root/native/src/copy" -I"$root/include" \
    "$root"/native/src/*/*.c \
    -o "$work/build/Release/tsvirt.node"

echo "asan: bundling tsvirt-run" >&2
node --input-type=module -e "
import { build } from '$root/node_modules/esbuild/lib/main.js';
await build({ entryPoints: ['$root/src/ts/run/main.ts'], outfile: '$work/dist/run.mjs', bundle: true,
  platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
"

failed=0

# run NAME SOURCE [ARGS...]
run() {
    name=$1
    source=$2
    shift 2
    program="$work/programs/$name.so"
    cc -std=gnu11 -g -O1 -Wall -Werror -pthread -fsanitize=address -fno-omit-frame-pointer -shared -fPIC \
        -I"$root/include" -DTSVIRT "$source" -o "$program"
    log="$work/$name.log"
    status=0
    LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1 \
        TSVIRT_TEST_RATE=0 node "$work/dist/run.mjs" "$program" "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ] || grep -q 'ERROR: AddressSanitizer' "$log"; then
        echo "asan: $name FAILED (exit status $status)" >&2
        cat "$log" >&2
        failed=1
    else
        echo "asan: $name ok" >&2
    fi
}

# run_unit NAME SOURCE: a C unit test linked with the library's sources, run on its own (no node).
run_unit() {
    name=$1
    program="$work/programs/$name"
    cc -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -g -O1 -Wall -Werror -pthread -fsanitize=address \
        -fno-omit-frame-pointer -I"$root/native/src/abi" -I"$root/native/src/libvirt" -I"$root/native/src/copy" \
        -I"$root/include" "$2" "$root"/native/src/*/*.c -ldl \
        -o "$program"
    log="$work/$name.log"
    status=0
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "$program" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ] || grep -q 'ERROR: AddressSanitizer' "$log"; then
        echo "asan: $name FAILED (exit status $status)" >&2
        cat "$log" >&2
        failed=1
    else
        echo "asan: $name ok" >&2
    fi
}

if [ $# -gt 0 ]; then
    source=$1
    shift
    run "$(basename "$source" .c)" "$source" "$@"
else
    tests="$root/test/native/abi/c"
    run invalid-handles "$tests/invalid-handles.c" all
    run errors "$tests/errors.c"
    run api-coverage "$tests/api-coverage.c" "$work/scratch"
    run jobs "$tests/jobs.c" "$work/scratch"
    run job-ids "$tests/job-ids.c" "$work/scratch"
    run threads "$tests/threads.c" 8 2000
    run fuzz-handles "$tests/fuzz-handles.c" 20261204 4000
    run utf8 "$tests/utf8.c" "$work/scratch"
    run domain-events "$tests/domain-events.c" test:///default
    run custom-event-loop "$tests/custom-event-loop.c" test:///default
    run event-threads "$tests/event-threads.c" test:///default 300 300
    mkdir -p "$work/scratch/streams"
    run streams "$tests/streams.c" "tsvirt:///embed?root=$work/scratch/streams/root" "$work/scratch/streams"
    run_unit kept-names "$tests/kept-names.c"
    run ring "$tests/ring.c" exact 8 200
fi
exit $failed
