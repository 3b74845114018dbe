#!/bin/bash
# prepare.sh — fetch the test VM's kernel and build its initramfs, once.
#
# Prints, on stdout, three lines that run.sh reads:
#   kernel=PATH     the kernel to boot (uncompressed vmlinux, else bzImage)
#   initrd=PATH     the initramfs (busybox + virtio/9p/overlay modules)
#   modules=PATH    /lib/modules/<release> of that kernel, for modprobe inside
#
# The kernel is Debian's current linux-image-amd64 (the package that
# metapackage depends on), unpacked with dpkg -x under
#   $HUSK_VM_CACHE/<package>_<version>/        (default: <repo>/.cache/vm)
# A directory is used only once it is complete (it is built under a temporary
# name and renamed), so an interrupted run never leaves a half kernel behind.
# The initramfs is keyed on everything that goes into it (stage-1 init,
# busybox, this script), so editing initramfs-init.sh rebuilds it and nothing
# else.  Idempotent: a second call downloads and builds nothing.  `apt-get
# update` runs only if the download fails (a fresh machine, or a kernel the
# archive has since dropped).  Concurrent calls are serialised with flock.
set -euo pipefail

prog=husk-vm-prepare
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${HUSK_VM_CACHE:-$repo/.cache/vm}
busybox=${HUSK_VM_BUSYBOX:-/bin/busybox}

# What stage 1 loads, in dependency order (insmod does not resolve them).
# Missing files are fine when the kernel has the module built in.
modules_wanted="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_pci virtio_console netfs fscache 9pnet 9pnet_virtio 9p overlay"

die() {
	echo "$prog: $*" >&2
	exit 1
}
say() {
	echo "$prog: $*" >&2
}

# resolve: set pkg and ver to the kernel package the metapackage points at.
# The metapackage pins it exactly: "Depends: linux-image-6.1.0-56-amd64 (=
# 6.1.192-2)".  One apt-cache call, reading local lists only.
resolve() {
	local dep
	dep=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\) *(= *\([^ )]*\)).*/\1 \2/p' |
		head -n1) || return 1
	read -r pkg ver <<<"$dep" || return 1
	[ -n "$pkg" ] && [ -n "$ver" ]
}

# newest_complete: print the newest kernel directory already in the cache.
newest_complete() {
	local d best=
	for d in "$cache"/linux-image-*; do
		[ -e "$d/.complete" ] || continue
		if [ -z "$best" ] || [ "$d" -nt "$best" ]; then
			best=$d
		fi
	done
	[ -n "$best" ] && echo "$best"
}

# fetch DIR: download $pkg=$ver and unpack it into DIR (not existing yet).
fetch() {
	local dir=$1 tmp kver
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	# apt's _apt user cannot write into a root-owned mktemp directory; it
	# then falls back to downloading as root with a warning.  Let it.
	chmod 0755 "$tmp"
	say "downloading $pkg $ver"
	if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" 2>&1 |
		{ grep -v '^W: Download is performed unsandboxed' >&2 || true; } &&
		ls "$tmp"/*.deb >/dev/null 2>&1); then
		rm -rf "$tmp"
		return 1
	fi
	say "unpacking $(basename "$tmp"/*.deb)"
	mkdir "$tmp/root"
	dpkg -x "$tmp"/*.deb "$tmp/root"
	rm -f "$tmp"/*.deb
	kver=$(basename "$(find "$tmp/root/lib/modules" -mindepth 1 -maxdepth 1 | head -n1)")
	[ -f "$tmp/root/boot/vmlinuz-$kver" ] ||
		die "'$pkg' has no /boot/vmlinuz-<release> and /lib/modules/<release>"
	# Debian generates modules.dep at install time, not in the package;
	# busybox's modprobe inside the guest needs it.
	"$busybox" depmod -b "$tmp/root" "$kver" ||
		say "depmod failed: modprobe inside the VM will not work"
	extract_vmlinux "$tmp/root/boot/vmlinuz-$kver" "$tmp/root/vmlinux"
	echo "$kver" >"$tmp/root/release"
	touch "$tmp/root/.complete"
	mv "$tmp/root" "$dir"
	rm -rf "$tmp"
}

# extract_vmlinux BZIMAGE OUT: the uncompressed ELF kernel, if it can be had.
# qemu boots it directly through its PVH entry point, which skips the
# kernel's self-decompression: 2 to 4 s of a TCG boot.  Debian compresses
# with xz; the payload starts at the first xz stream header.  On any failure
# there is simply no OUT and run.sh boots the bzImage.
extract_vmlinux() {
	local off
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || return 0
	tail -c +$((off + 1)) "$1" | xz -dc --single-stream >"$2.tmp" 2>/dev/null
	if [ "$(head -c4 "$2.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		mv "$2.tmp" "$2"
	else
		rm -f "$2.tmp"
	fi
}

# build_initramfs KDIR: print the path of the initramfs, building it if needed.
build_initramfs() {
	local kdir=$1 kver moddir key img tmp m f
	kver=$(cat "$kdir/release")
	moddir=$kdir/lib/modules/$kver
	key=$({
		cat "$here/initramfs-init.sh" "$here/prepare.sh" "$busybox"
		echo "$modules_wanted"
	} | sha256sum | cut -c1-16)
	img=$kdir/initramfs-$key.img
	if [ -s "$img" ]; then
		echo "$img"
		return
	fi
	say "building initramfs for $kver"
	tmp=$(mktemp -d "$cache/.initramfs.XXXXXX")
	mkdir -p "$tmp/root/bin" "$tmp/root/dev" "$tmp/root/proc" \
		"$tmp/root/sys" "$tmp/root/modules"
	cp "$busybox" "$tmp/root/bin/busybox"
	cp "$here/initramfs-init.sh" "$tmp/root/init"
	chmod 0755 "$tmp/root/init" "$tmp/root/bin/busybox"
	# The kernel opens /dev/console for init before init can mount devtmpfs.
	mknod -m 0600 "$tmp/root/dev/console" c 5 1 2>/dev/null || true
	: >"$tmp/root/modules.order"
	for m in $modules_wanted; do
		f=$(find "$moddir/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" \
			-o -name "$m.ko.zst" -o -name "$m.ko.gz" \) -print -quit)
		if [ -z "$f" ]; then
			# Built in, or renamed/merged in a newer kernel: stage 1 will
			# find out when it mounts 9p and overlay.
			grep -q "/$m\.ko" "$moddir/modules.builtin" 2>/dev/null ||
				say "note: module '$m' is neither a file nor built in; skipped"
			continue
		fi
		# busybox insmod reads plain .ko only: decompress now.
		case $f in
		*.xz) xz -dc "$f" ;;
		*.zst) zstd -qdc "$f" ;;
		*.gz) gzip -dc "$f" ;;
		*) cat "$f" ;;
		esac >"$tmp/root/modules/$m.ko"
		echo "$m" >>"$tmp/root/modules.order"
	done
	# Uncompressed: decompressing is slower under TCG than loading 4 MB.
	(cd "$tmp/root" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$tmp/img"
	rm -f "$kdir"/initramfs-*.img
	mv "$tmp/img" "$img"
	rm -rf "$tmp"
	echo "$img"
}

[ -x "$busybox" ] || die "'$busybox' missing: install busybox-static"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

# apt-cache takes most of a second here; its answer only changes when the
# package lists do, so remember it against their time stamp.
lists_stamp=$(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo none)
kdir=
if read -r stamp pkg ver 2>/dev/null <"$cache/.resolved" &&
	[ "$stamp" = "$lists_stamp" ] && [ -e "$cache/${pkg}_$ver/.complete" ]; then
	kdir=$cache/${pkg}_$ver
elif resolve && [ -e "$cache/${pkg}_$ver/.complete" ]; then
	kdir=$cache/${pkg}_$ver
	echo "$lists_stamp $pkg $ver" >"$cache/.resolved"
fi
if [ -z "$kdir" ]; then
	command -v apt-get >/dev/null 2>&1 ||
		die "no apt-get: cannot fetch Debian's kernel (see tests/vm/README.md)"
	if ! resolve || ! fetch "$cache/${pkg}_$ver"; then
		say "running apt-get update (no kernel package found or download failed)"
		apt-get update -q >&2 || say "apt-get update failed"
		if resolve && { [ -e "$cache/${pkg}_$ver/.complete" ] ||
			fetch "$cache/${pkg}_$ver"; }; then
			:
		elif old=$(newest_complete); then
			say "cannot fetch the current kernel; using the cached $(basename "$old")"
			pkg='' ver=''
			kdir=$old
		else
			die "cannot download Debian's linux-image-amd64 kernel"
		fi
	fi
	if [ -z "$kdir" ]; then
		kdir=$cache/${pkg}_$ver
		lists_stamp=$(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo none)
		echo "$lists_stamp $pkg $ver" >"$cache/.resolved"
		# Only one kernel is kept: each is ~400 MB unpacked.
		for d in "$cache"/linux-image-*; do
			[ "$d" = "$kdir" ] || rm -rf "$d"
		done
	fi
fi
rm -rf "$cache"/.fetch.* "$cache"/.initramfs.*

initrd=$(build_initramfs "$kdir")
kver=$(cat "$kdir/release")
if [ -f "$kdir/vmlinux" ]; then
	echo "kernel=$kdir/vmlinux"
else
	echo "kernel=$kdir/boot/vmlinuz-$kver"
fi
echo "initrd=$initrd"
echo "modules=$kdir/lib/modules/$kver"
