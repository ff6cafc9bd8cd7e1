#!/bin/sh
# Ends every process of one private libvirtd run and removes its folder. Those processes are recognised by
# their command line naming a path inside the run folder: libvirtd (--config DIR/libvirtd.conf) and each QEMU
# it started (its master key and pid file live under DIR). QEMU is detached from libvirtd on purpose, so
# stopping libvirtd alone would leave guests running.
#
#   reap.sh DIR                  reap now
#   reap.sh --owner PID DIR      wait until process PID has exited (or DIR is gone), then reap: the watchdog
#                                that cleans up after a test process that died without tearing down
#   reap.sh --list DIR           only print those processes' pids (leak checks in the tests)
set -u
owner= list=
if [ "${1:-}" = --owner ]; then owner=$2; shift 2; fi
if [ "${1:-}" = --list ]; then list=1; shift; fi
dir=${1:?usage: reap.sh [--owner PID] DIR}
dir=${dir%/}
case "$dir" in /*/*) ;; *) echo "reap.sh: refusing a folder this shallow: $dir" >&2; exit 2 ;; esac

if [ -n "$owner" ]; then
  while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
  [ -d "$dir" ] || exit 0
fi

# The pids whose command line mentions "$dir/". One grep reads them all; its pattern ends in "[/]" so that grep's
# own command line (and this script's, which names DIR without the slash) does not match.
pattern="$(printf '%s' "$dir" | sed 's/[][\\.*^$]/\\&/g')[/]"
members() {
  grep -la -- "$pattern" /proc/[0-9]*/cmdline 2>/dev/null | sed -n 's|^/proc/\([0-9]*\)/cmdline$|\1|p' | grep -vx "$$"
}

if [ -n "$list" ]; then members; exit 0; fi

pids=$(members)
if [ -n "$pids" ]; then
  kill -TERM $pids 2>/dev/null
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    pids=$(members); [ -z "$pids" ] && break
    sleep 0.25
  done
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
fi
rm -rf "$dir"
