#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fresh-check`: runs the README's two commands, `make run` and
# `make test`, as a new user would, on a clean clone in a clean Debian
# bookworm chroot, so that a missing install step shows here first.
#
#	scripts/fresh-check.sh [run] [test]     (default: run test)
#	scripts/fresh-check.sh prepare          only make the cached tarball
#
# The chroot is made once with debootstrap from Debian's archive (the host
# named by the machine's own apt sources) and cached as a tarball:
#
#	$VHYP_CACHE/chroot/bookworm-<arch>.tar.gz
#
# minbase plus what a user has before typing the README's commands: make
# and git (to clone), and busybox, Debian's, as a host file that `make run`
# and `make test` must leave working.  The machine's own settings for
# reaching the archive (apt.conf.d files with Acquire:: options) are
# copied in.  Every check unpacks the tarball
# afresh into $VHYP_CACHE/chroot/run.XXXXXX, clones the repository's HEAD
# (committed work only) into /root/vhyp, bind-mounts /dev, mounts /proc and
# /sys in a private mount namespace (they go when it ends), and runs each
# command there as root with a minimal environment.  Needs root,
# debootstrap, unshare and the Debian archive; nothing else from the
# network.  Downloaded .debs are kept in $VHYP_CACHE/chroot/archives
# between checks (apt still installs each one afresh).
#
# After each command it checks that the chroot's /bin/busybox still runs
# and that no foreign dpkg architecture was added, and it prints which
# packages the command installed.  Times on the 2-core build machine: see
# docs/testing.md.  FRESH_CHECK_KEEP=1 keeps the chroot for inspection.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/cache-dir.sh
source "$REPO/scripts/cache-dir.sh"
# shellcheck source=tests/linux/lib.sh
source "$REPO/tests/linux/lib.sh"

SUITE=bookworm
ARCH=$(dpkg --print-architecture)
CACHE=$(vhyp_cache_dir)/chroot
TARBALL=$CACHE/$SUITE-$ARCH.tar.gz
INCLUDE=make,git,busybox
# Generous bounds: a command that takes longer has hung.
RUN_TIMEOUT=${FRESH_RUN_TIMEOUT:-1800}
TEST_TIMEOUT=${FRESH_TEST_TIMEOUT:-7200}

say() { echo "fresh-check: $*" >&2; }
fail() {
	say "error: $*"
	exit 1
}

need() {
	[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mounts)"
	local t
	for t in debootstrap unshare chroot tar git; do
		command -v "$t" >/dev/null ||
			fail "$t is missing (apt-get install debootstrap util-linux tar git)"
	done
}

make_tarball() {
	local uri dir t0=$SECONDS
	[ -s "$TARBALL" ] && return 0
	uri=$(debian_archive_uri) || fail "no Debian archive in /etc/apt/sources.list*"
	mkdir -p "$CACHE"
	dir=$(mktemp -d "$CACHE/debootstrap.XXXXXX")
	say "debootstrap $SUITE ($ARCH, minbase + $INCLUDE) from $uri"
	debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$dir" "$uri" \
		>"$dir.log" 2>&1 || {
		tail -n 5 "$dir.log" >&2
		rm -rf "$dir"
		fail "debootstrap failed (log: $dir.log)"
	}
	rm -f "$dir.log"
	tar -C "$dir" -czf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
	rm -rf "$dir"
	say "chroot tarball $TARBALL ($(du -h "$TARBALL" | cut -f1), $((SECONDS - t0)) s)"
}

# The machine's own settings for reaching the archive (Acquire::..., e.g.
# a mirror's date checks) that the chroot lacks: a fresh machine of this
# kind has them, and the tests' private apt (tests/linux/lib.sh) reads them
# as the host's does.  Hooks (DPkg::Post-Invoke...) are not copied.
copy_apt_settings() {
	local f
	for f in /etc/apt/apt.conf.d/*; do
		if [ ! -f "$f" ] || [ -e "$ROOT$f" ]; then continue; fi
		grep -q '^[[:space:]]*Acquire::' "$f" || continue
		! grep -qE 'Invoke|Pre-Install' "$f" || continue
		cp "$f" "$ROOT$f"
		say "apt setting from the machine: $f"
	done
}

ROOT=""
cleanup() {
	[ -n "$ROOT" ] || return 0
	if [ "${FRESH_CHECK_KEEP:-0}" = 1 ]; then
		say "chroot kept in $ROOT"
	else
		rm -rf "$ROOT"
	fi
}

# Runs a shell command line inside the chroot, in a private mount
# namespace, with the environment of a root login.
in_chroot() {
	local limit=$1 cmd=$2
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- bash -euc '
		root=$1 archives=$2 limit=$3 cmd=$4
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mount -t sysfs sys "$root/sys"
		mount --bind "$archives" "$root/var/cache/apt/archives"
		exec timeout -k 10 "$limit" chroot "$root" /usr/bin/env -i \
			HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 /bin/bash -c "$cmd"
	' fresh-check "$ROOT" "$CACHE/archives" "$limit" "$cmd" </dev/null
}

installed() { in_chroot 60 "dpkg-query -W -f='\${Package}:\${Architecture}\n' | sort"; }

# `make $1` in the clone; then the host-integrity checks.
check_command() {
	local target=$1 limit=$2 t0 rc before after
	before=$(installed)
	say "make $target (clean clone in $ROOT/root/vhyp) ..."
	t0=$SECONDS
	# The status goes through a file: the prefixing sed ends before we go on.
	{
		in_chroot "$limit" "cd /root/vhyp && make $target" 2>&1 && rc=0 || rc=$?
		echo "$rc" >"$ROOT/.status"
	} | sed "s/^/[$target] /"
	rc=$(cat "$ROOT/.status")
	say "make $target: exit $rc after $((SECONDS - t0)) s"
	after=$(installed)
	say "make $target installed: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
	[ "$rc" -eq 0 ] || return 1
	in_chroot 60 'busybox true' ||
		fail "after make $target: /bin/busybox no longer runs"
	[ -z "$(in_chroot 60 'dpkg --print-foreign-architectures')" ] ||
		fail "after make $target: a foreign dpkg architecture was added"
	say "after make $target: /bin/busybox runs, no foreign architecture: ok"
}

main() {
	local targets=("$@") t status=0
	[ ${#targets[@]} -gt 0 ] || targets=(run test)
	for t in "${targets[@]}"; do
		[[ $t == run || $t == test || $t == prepare ]] ||
			fail "unknown command '$t' (run, test, prepare)"
	done
	need
	make_tarball
	[ "${targets[*]}" != prepare ] || return 0
	mkdir -p "$CACHE/archives"
	ROOT=$(mktemp -d "$CACHE/run.XXXXXX")
	trap cleanup EXIT
	tar -C "$ROOT" -xzf "$TARBALL"
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
	copy_apt_settings
	git clone --quiet "$REPO" "$ROOT/root/vhyp"
	say "clean clone of $(git -C "$REPO" rev-parse --short HEAD)"
	for t in "${targets[@]}"; do
		case $t in
		run) check_command run "$RUN_TIMEOUT" || status=1 ;;
		test) check_command test "$TEST_TIMEOUT" || status=1 ;;
		esac
	done
	if [ "$status" -eq 0 ]; then say "ok"; else say "FAILED"; fi
	return "$status"
}

main "$@"
