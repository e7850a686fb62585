#!/usr/bin/env bash
# Builds the small pKVM-guest kernel from Debian's kernel source package and
# caches the Image by source version and config hash:
#
#	$VHYP_CACHE/pkvm-linux/<version>-<config hash>/Image
#	$VHYP_CACHE/pkvm-linux/<version>-<config hash>/config
#
# The source is linux-source-<series> from the suite named in
# tests/linux/kernel.version (fetched through the same private arm64 apt as
# the stock-kernel test); the config is allnoconfig plus
# tests/pkvm-linux/guest.config.  Prints the directory on stdout; does
# nothing (and needs no network) when the cache already holds it.
#
# Environment: PKVM_LINUX_JOBS (default: number of CPUs), PKVM_LINUX_SERIES
# (default: the series of the stock test kernel, e.g. 7.2).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/linux/lib.sh
source "$HERE/../linux/lib.sh"
# shellcheck source=/dev/null
source "$KERNEL_VERSION_FILE"

FRAGMENT="$HERE/guest.config"
ROOT="$VHYP_CACHE/pkvm-linux"
JOBS=${PKVM_LINUX_JOBS:-$(nproc)}
SERIES=${PKVM_LINUX_SERIES:-$(echo "$KERNEL_VERSION" | cut -d. -f1-2)}
PKG="linux-source-$SERIES"
KMAKE=(make -s ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)

plog() { echo "tests/pkvm-linux: $*" >&2; }

# The kernel build tools (flex, bison, bc), through the project's installer:
# the same rules as make test's (own architecture, --no-remove, locks
# waited for).
need_host_tools() {
	"$REPO_DIR/scripts/install-deps.sh" kernel-build ||
		die "cannot install the kernel build tools (scripts/install-deps.sh kernel-build)"
}

# Version of the source package: the cached .deb if there is one (no
# network), else the suite's current one.
source_version() {
	local deb
	deb=$(ls "$VHYP_CACHE/debs/${PKG}"_*_all.deb 2>/dev/null | sort -V | tail -n1 || true)
	if [ -n "$deb" ]; then
		basename "$deb" | sed "s/^${PKG}_//; s/_all\.deb\$//; s/%3a/:/"
		return
	fi
	private_apt_update "$KERNEL_SUITE"
	papt_cache show "$PKG" | awk '/^Version:/ { print $2; exit }' | grep . ||
		die "$KERNEL_SUITE has no $PKG"
}

fetch_source_deb() {
	local ver=$1 deb="$VHYP_CACHE/debs/${PKG}_${1//:/%3a}_all.deb"
	if [ ! -f "$deb" ]; then
		private_apt_update "$KERNEL_SUITE"
		papt_download_progress "$VHYP_CACHE/debs" "$PKG=$ver" ||
			die "apt-get download $PKG=$ver failed"
	fi
	echo "$deb"
}

# Unpacks the tarball the package ships into $ROOT/src-<version> (once).
unpack_source() {
	local ver=$1 deb=$2 src="$ROOT/src-$1" tmp
	if [ -f "$src/.unpacked" ]; then
		echo "$src"
		return
	fi
	plog "unpacking $PKG=$ver"
	rm -rf "$src"
	tmp=$(mktemp -d "$ROOT/.deb.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './usr/src/*.tar.xz'
	mkdir -p "$src"
	tar -xJf "$tmp"/usr/src/"$PKG".tar.xz -C "$src" --strip-components=1
	rm -rf "$tmp"
	touch "$src/.unpacked"
	echo "$src"
}

# Checks that every option the fragment sets made it into the final config
# (a dependency we forgot would silently drop one).
check_config() {
	local cfg=$1 line opt bad=0
	while read -r line; do
		case $line in
		CONFIG_*=y | CONFIG_*=\"*\" | CONFIG_*=[0-9]*)
			grep -qxF "$line" "$cfg" || { plog "config: '$line' did not stick"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			grep -q "^$opt=" "$cfg" && { plog "config: $opt should be unset"; bad=1; } ;;
		esac
	done <"$FRAGMENT"
	return $bad
}

main() {
	local ver deb src hash out obj
	ver=$(source_version)
	hash=$(sha256sum "$FRAGMENT" | cut -c1-12)
	out="$ROOT/$ver-$hash"
	if [ -f "$out/Image" ]; then
		echo "$out"
		return
	fi
	need_host_tools
	mkdir -p "$ROOT"
	deb=$(fetch_source_deb "$ver")
	src=$(unpack_source "$ver" "$deb")
	obj="$ROOT/obj-$ver-$hash"
	mkdir -p "$obj"
	plog "configuring (allnoconfig + guest.config) in $obj"
	KCONFIG_ALLCONFIG="$FRAGMENT" "${KMAKE[@]}" -C "$src" O="$obj" allnoconfig >/dev/null
	check_config "$obj/.config" || die "config fragment did not apply"
	plog "building Image with $JOBS jobs (a few minutes)"
	nice "${KMAKE[@]}" -C "$src" O="$obj" -j"$JOBS" Image >"$obj/build.log" 2>&1 || {
		tail -n 30 "$obj/build.log" >&2
		die "kernel build failed (log: $obj/build.log)"
	}
	mkdir -p "$out.tmp"
	cp "$obj/arch/arm64/boot/Image" "$out.tmp/Image"
	cp "$obj/.config" "$out.tmp/config"
	echo "$ver $hash" >"$out.tmp/release"
	rm -rf "$out"
	mv "$out.tmp" "$out"
	echo "$out"
}

main "$@"
