#!/usr/bin/env bash
# Builds the tiny guest the real-QEMU tests boot, from Debian packages only, into a cache outside the repo:
#   vmlinuz     Debian's cloud kernel (the package linux-image-cloud-amd64 depends on), taken from the .deb
#   initrd.img  a busybox-static initramfs whose /init fills guest memory with non-zero bytes, then idles
# Idempotent: a stamp records the kernel package and the hash of this script; nothing is rebuilt when both
# still match. Prints the cache folder on stdout. Needs apt's package lists and /bin/busybox (busybox-static).
#
# The guest's kernel command line drives /init (see vm-guest.mjs for the domain XML):
#   tsvirt.fill_mib=N   fill N MiB of guest RAM (a ramfs file) so a save or dump has real bytes to write
# /init prints "tsvirt-guest: ready fill_mib=N" on the serial console once the fill is done.
set -euo pipefail

cache=${TSVIRT_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tsvirt/vm-guest}
busybox=/bin/busybox
self_hash=$(sha256sum "$0" | cut -c1-16)

meta_package=linux-image-cloud-amd64
kernel_package=$(apt-cache depends "$meta_package" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -1)
if [ -z "$kernel_package" ]; then
  echo "build-guest: $meta_package is not in apt's lists; updating them" >&2
  apt-get update -qq
  kernel_package=$(apt-cache depends "$meta_package" | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -1)
fi
[ -n "$kernel_package" ] || { echo "build-guest: cannot resolve $meta_package to a kernel package" >&2; exit 1; }
# (Not `busybox --list | grep -q`: under pipefail, grep quitting early can fail the pipeline with SIGPIPE.)
applets=$([ -x "$busybox" ] && "$busybox" --list || true)
grep -qx cpio <<<"$applets" || {
  echo "build-guest: $busybox (with cpio) is missing: apt-get install busybox-static" >&2; exit 1; }

stamp="$kernel_package $self_hash $(sha256sum "$busybox" | cut -c1-16)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.img" ]; then
  echo "$cache"
  exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The kernel: only ./boot/vmlinuz-* out of the .deb (its 100 MB of modules are not needed: no disk, no network).
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$kernel_package" >&2)
dpkg-deb --fsys-tarfile "$work"/"$kernel_package"_*.deb | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
cp "$work"/boot/vmlinuz-* "$work/vmlinuz"

# The initramfs: busybox and an /init script, packed as newc cpio and gzipped (the kernel unpacks both).
root="$work/initramfs"
mkdir -p "$root"/{bin,dev,proc,sys,fill}
cp "$busybox" "$root/bin/busybox"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
fill_mib=$(sed -n 's/.*tsvirt\.fill_mib=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
fill_mib=${fill_mib:-0}
# ramfs, not tmpfs: no size cap and never swapped, so every filled page stays in guest RAM. The data is one
# random MiB repeated: no page is zero (QEMU sends zero pages as a flag, without data), and gzip, which sees only
# 32 KiB back, cannot compress it, so a daemon saving with save_image_format = "gzip" writes at gzip's speed.
mount -t ramfs ramfs /fill
if [ "$fill_mib" -gt 0 ]; then
  head -c 1048576 /dev/urandom > /fill/chunk
  i=1
  while [ "$i" -lt "$fill_mib" ]; do cat /fill/chunk; i=$((i + 1)); done > /fill/data
fi
echo "tsvirt-guest: ready fill_mib=$fill_mib"
while :; do sleep 3600; done
INIT
chmod 755 "$root/init"
(cd "$root" && find . | sort | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -9 > "$work/initrd.img"

mv -f "$work/vmlinuz" "$cache/vmlinuz"
mv -f "$work/initrd.img" "$cache/initrd.img"
echo "$stamp" > "$cache/stamp"
echo "build-guest: built $cache from $kernel_package" >&2
echo "$cache"
