#!/usr/bin/env bash
# Fetches the Debian arm64 kernel named in tests/linux/kernel.version from
# Debian's archive and unpacks what a test boot needs into the cache:
#
#	$VHYP_CACHE/linux/<abi>/Image      uncompressed arm64 Image
#	$VHYP_CACHE/linux/<abi>/config     the kernel's .config
#	$VHYP_CACHE/linux/<abi>/modules/   the modules the test needs, if the
#	                                   kernel has them as modules, plus
#	                                   load-order (one .ko name a line)
#	$VHYP_CACHE/linux/<abi>/release    "<abi> <version> <suite>"
#
# Only the packages that hold the Image and its config are downloaded (for
# 7.2: linux-image, linux-binary, linux-base, 15 MB); a split kernel's
# modules package (93 MB) only when a module the test needs is not built
# in.  The download shows its progress on stderr.
#
# Prints the directory on stdout.  Does nothing (and needs no network) when
# the cache already holds it.
set -euo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$KERNEL_VERSION_FILE"

# Kernel options whose modules the test's /init must load (in this order,
# after their dependencies), when the kernel builds them as modules.
NEEDED_CONFIGS=(CONFIG_PTP_1588_CLOCK_KVM)
# Loaded when the kernel has them (built in or as modules), not required:
# the virtio-mmio transport and virtio-blk, for vhyp's own virtio devices
# (run-test.sh checks them when the kernel has them).
OPTIONAL_CONFIGS=(CONFIG_VIRTIO_MMIO CONFIG_VIRTIO_BLK)
declare -A CONFIG_MODULE=([CONFIG_PTP_1588_CLOCK_KVM]=ptp_kvm
	[CONFIG_VIRTIO_MMIO]=virtio_mmio [CONFIG_VIRTIO_BLK]=virtio_blk)
# What a kernel directory's modules/ was made for (modules.list).
MODULES_LIST="${NEEDED_CONFIGS[*]} ${OPTIONAL_CONFIGS[*]}"

KDIR_ROOT="$VHYP_CACHE/linux"
DEB_DIR="$VHYP_CACHE/debs"

complete() { [ -f "$1/release" ] && [ -f "$1/Image" ]; }

# The exact pinned version, if the suite still has it, else the ABI of the
# suite's current linux-image-arm64.
resolve_abi() {
	if papt_cache show "linux-image-$KERNEL_ABI=$KERNEL_VERSION" 2>/dev/null |
		grep -qx "Version: $KERNEL_VERSION"; then
		echo "$KERNEL_ABI $KERNEL_VERSION"
		return
	fi
	local dep abi ver
	dep=$(papt_cache depends linux-image-arm64 2>/dev/null |
		awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$dep" ] || die "$KERNEL_SUITE has neither linux-image-$KERNEL_ABI=$KERNEL_VERSION nor linux-image-arm64"
	abi=${dep#linux-image-}
	ver=$(papt_cache show "$dep" | awk '/^Version:/ { print $2; exit }')
	log "linux-image-$KERNEL_ABI=$KERNEL_VERSION is gone from $KERNEL_SUITE; using $dep=$ver (update tests/linux/kernel.version)"
	echo "$abi $ver"
}

# The image package and those of its dependencies that belong to the same
# kernel build (newer suites split it into linux-binary/-modules/-base).
package_set() {
	local abi=$1 ver=$2
	echo "linux-image-$abi=$ver"
	papt_cache show "linux-image-$abi=$ver" |
		awk '/^Depends:/ { sub(/^Depends:/, ""); gsub(/,/, "\n"); print; exit }' |
		awk '{ print $1 }' | grep -F -- "-$abi" | sed "s/\$/=$ver/" || true
}

# The packages a boot needs: all of package_set but the modules package of
# a split kernel (linux-modules-*, 93 MB for 7.2), which is fetched only
# when a module the test needs is not built in (see unpack).
is_modules_pkg() { [[ $1 == linux-modules-* ]]; }
download() {
	local abi=$1 ver=$2 p pkgs=()
	while read -r p; do
		is_modules_pkg "$p" || pkgs+=("$p")
	done < <(package_set "$abi" "$ver")
	papt_download_progress "$DEB_DIR" "${pkgs[@]}" ||
		die "apt-get download ${pkgs[*]} failed"
}

# The .deb of package NAME=VERSION in DEB_DIR.
deb_of() { ls "$DEB_DIR/${1%%=*}_${2//:/%3a}_arm64.deb"; }

# Writes the uncompressed Image: Debian ships arm64 kernels gzip-compressed,
# raw, or (EFI_ZBOOT) as a PE file that wraps the compressed Image.
decompress_image() {
	local src=$1 out=$2 magic
	magic=$(od -An -tx1 -N2 "$src" | tr -d ' \n')
	if [ "$magic" = 1f8b ]; then
		gzip -dc "$src" >"$out"
	elif [ "$(dd if="$src" bs=1 skip=4 count=4 status=none)" = zimg ]; then
		local off size comp
		off=$(od -An -tu4 -j8 -N4 "$src" | tr -d ' ')
		size=$(od -An -tu4 -j12 -N4 "$src" | tr -d ' ')
		comp=$(dd if="$src" bs=1 skip=24 count=8 status=none | tr -d '\0')
		local tool
		case $comp in
		gzip) tool="gzip -dc" ;;
		xz) tool="xz -dc" ;;
		zstd) tool="zstd -dc" ;;
		lzma) tool="xz --format=lzma -dc" ;;
		*) die "zboot image compressed with '$comp': not handled" ;;
		esac
		tail -c +$((off + 1)) "$src" | head -c "$size" | $tool >"$out"
	else
		cp "$src" "$out"
	fi
	[ "$(dd if="$out" bs=1 skip=56 count=4 status=none)" = $'ARM\x64' ] ||
		die "$src did not give an arm64 Image"
}

# Module file name (relative to the modules dir) for a module name.
module_path() {
	local mdir=$1 name=$2
	find "$mdir" -name "$name.ko*" -o -name "${name//_/-}.ko*" | head -n1
}

# Copies module $2 and its dependencies (first) into $3, uncompressed, and
# appends their names to $3/load-order.  The dependencies come from the
# module's own .modinfo ("depends=a,b"), so no host kmod is needed.
copy_module() {
	local mdir=$1 name=$2 out=$3 file dep deps
	grep -qx "$name.ko" "$out/load-order" 2>/dev/null && return 0
	file=$(module_path "$mdir" "$name")
	if [ -z "$file" ]; then
		# Built in: nothing to load.
		grep -q "/$name.ko" "$mdir/modules.builtin" 2>/dev/null ||
			die "module $name not found"
		return 0
	fi
	case $file in
	*.xz) xz -dc "$file" >"$out/$name.ko.part" ;;
	*.zst) zstd -dc "$file" >"$out/$name.ko.part" ;;
	*.gz) gzip -dc "$file" >"$out/$name.ko.part" ;;
	*) cp "$file" "$out/$name.ko.part" ;;
	esac
	deps=$(tr '\0' '\n' <"$out/$name.ko.part" | sed -n 's/^depends=//p' | head -n1)
	for dep in ${deps//,/ }; do
		copy_module "$mdir" "$dep" "$out"
	done
	mv "$out/$name.ko.part" "$out/$name.ko"
	echo "$name.ko" >>"$out/load-order"
}

first_existing() {
	local f
	for f in "$@"; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 0
}

# Whether one of NEEDED_CONFIGS or OPTIONAL_CONFIGS is a module in kernel
# config $1.
needs_modules() {
	local c
	for c in "${NEEDED_CONFIGS[@]}" "${OPTIONAL_CONFIGS[@]}"; do
		grep -qx "$c=m" "$1" && return 0
	done
	return 1
}

UNPACK_TREE=""
unpack() {
	local abi=$1 ver=$2 dest=$3 tree deb vmlinuz config mdir c
	tree=$(mktemp -d "$KDIR_ROOT/.unpack.XXXXXX")
	UNPACK_TREE=$tree
	trap 'rm -rf "$UNPACK_TREE"' EXIT
	local modpkgs=()
	while read -r p; do
		if is_modules_pkg "$p"; then
			modpkgs+=("$p")
			continue
		fi
		deb=$(deb_of "$p" "$ver")
		dpkg-deb -x "$deb" "$tree"
	done < <(package_set "$abi" "$ver")
	# Older packages use /boot and /lib/modules, newer ones /usr/lib/modules.
	vmlinuz=$(first_existing "$tree"/boot/vmlinuz-"$abi" "$tree"/usr/lib/modules/"$abi"/vmlinuz)
	config=$(first_existing "$tree"/boot/config-"$abi" "$tree"/usr/lib/modules/"$abi"/config)
	mdir=$(first_existing "$tree"/lib/modules/"$abi" "$tree"/usr/lib/modules/"$abi")
	if [ -z "$vmlinuz" ] || [ -z "$config" ] || [ -z "$mdir" ]; then
		die "unexpected package layout (vmlinuz '$vmlinuz', config '$config')"
	fi

	rm -rf "$dest" && mkdir -p "$dest"
	decompress_image "$vmlinuz" "$dest/Image"
	cp "$config" "$dest/config"
	if [ ${#modpkgs[@]} -gt 0 ] && needs_modules "$dest/config"; then
		papt_download_progress "$DEB_DIR" "${modpkgs[@]}" ||
			die "apt-get download ${modpkgs[*]} failed"
		for p in "${modpkgs[@]}"; do
			dpkg-deb -x "$(deb_of "$p" "$ver")" "$tree"
		done
	fi
	add_modules "$mdir" "$dest"
	echo "$abi $ver $KERNEL_SUITE" >"$dest/release"
	rm -rf "$tree"
	trap - EXIT
}

# Fills $2/modules/ from the unpacked modules tree $1, for $2/config.
add_modules() {
	local mdir=$1 dest=$2 c
	rm -rf "$dest/modules" && mkdir -p "$dest/modules"
	: >"$dest/modules/load-order"
	for c in "${NEEDED_CONFIGS[@]}" "${OPTIONAL_CONFIGS[@]}"; do
		case $(grep -E "^$c=" "$dest/config" || echo "$c=n") in
		"$c=y") log "$c=y: built in" ;;
		"$c=m") copy_module "$mdir" "${CONFIG_MODULE[$c]}" "$dest/modules" ;;
		*)
			[[ " ${OPTIONAL_CONFIGS[*]} " == *" $c "* ]] ||
				die "the kernel lacks $c"
			;;
		esac
	done
	echo "$MODULES_LIST" >"$dest/modules.list"
}

# A kernel directory made before the module list changed gets its modules
# again from the cached packages (offline); without them it stays as is.
refresh_modules() {
	local dir=$1 abi ver tree deb mdir
	complete "$dir" || return 0
	[ "$(cat "$dir/modules.list" 2>/dev/null)" != "$MODULES_LIST" ] || return 0
	read -r abi ver _ <"$dir/release"
	tree=$(mktemp -d "$KDIR_ROOT/.unpack.XXXXXX")
	for deb in "$DEB_DIR"/*-"${abi}"_"${ver//:/%3a}"_arm64.deb; do
		[ -f "$deb" ] && dpkg-deb -x "$deb" "$tree"
	done
	mdir=$(first_existing "$tree"/lib/modules/"$abi" "$tree"/usr/lib/modules/"$abi")
	if [ -n "$mdir" ]; then
		log "refreshing the test modules of $abi from the cached packages"
		add_modules "$mdir" "$dir"
	fi
	rm -rf "$tree"
}

main() {
	local pinned="$KDIR_ROOT/$KERNEL_ABI" redirect="$KDIR_ROOT/$KERNEL_ABI.resolved"
	refresh_modules "$pinned"
	[ ! -f "$redirect" ] || refresh_modules "$KDIR_ROOT/$(cat "$redirect")"
	if complete "$pinned"; then
		echo "$pinned"
		return
	fi
	if [ -f "$redirect" ] && complete "$KDIR_ROOT/$(cat "$redirect")"; then
		echo "$KDIR_ROOT/$(cat "$redirect")"
		return
	fi
	mkdir -p "$KDIR_ROOT"
	# One fetch at a time (parallel test runs share the cache); the
	# winner's result is then simply used.
	exec 9>"$KDIR_ROOT/.lock"
	flock 9
	if complete "$pinned"; then
		echo "$pinned"
		return
	fi
	private_apt_update "$KERNEL_SUITE"
	local resolved abi ver
	resolved=$(resolve_abi) || exit 1
	read -r abi ver <<<"$resolved"
	download "$abi" "$ver"
	unpack "$abi" "$ver" "$KDIR_ROOT/$abi"
	[ "$abi" = "$KERNEL_ABI" ] || echo "$abi" >"$redirect"
	log "kernel $abi ($ver, $KERNEL_SUITE) ready in $KDIR_ROOT/$abi"
	echo "$KDIR_ROOT/$abi"
}

main "$@"
