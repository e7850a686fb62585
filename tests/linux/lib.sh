# shellcheck shell=bash
# Shared by the tests/linux scripts: where things are cached and built, and a
# private apt that fetches arm64 packages from Debian's archive without
# touching the machine's own apt configuration or state.

LINUX_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LINUX_DIR/../.." && pwd)

# Downloads and the extracted kernel live outside the work tree so that a
# fresh clone on the same machine (CI) reuses them.
# shellcheck source=scripts/cache-dir.sh
source "$REPO_DIR/scripts/cache-dir.sh"
VHYP_CACHE=$(vhyp_cache_dir)
# Things we build (initramfs, test program) go to the build directory.
# O, as in the Makefile, may be relative to the repository or absolute.
case ${O:-build} in
/*) LINUX_BUILD=${LINUX_BUILD:-$O/linux} ;;
*) LINUX_BUILD=${LINUX_BUILD:-$REPO_DIR/${O:-build}/linux} ;;
esac

# Which Debian kernel to use: tests/linux/kernel.version unless the caller
# names another file of the same form.
KERNEL_VERSION_FILE=${KERNEL_VERSION_FILE:-$LINUX_DIR/kernel.version}

log() { echo "tests/linux: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# The archive host the machine's apt already uses (deb822 or one-line
# format); we name no host of our own.
debian_archive_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f" |
			grep -v -- '-security' | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f" |
			grep -v -- '-security' | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

APT_DIR="$VHYP_CACHE/apt"
apt_opts() {
	echo "-q -o Dir::Etc::sourcelist=$APT_DIR/sources.list" \
		"-o Dir::Etc::sourceparts=$APT_DIR/sources.list.d" \
		"-o Dir::State=$APT_DIR/state" \
		"-o Dir::State::status=$APT_DIR/status" \
		"-o Dir::Cache=$APT_DIR/cache" \
		"-o APT::Architecture=arm64 -o APT::Architectures=arm64" \
		"-o Acquire::Languages=none -o Debug::NoLocking=1" \
		"-o APT::Sandbox::User=root"
}

# Sets up (once a day at most) a private arm64 apt for the given suite.
private_apt_update() {
	local suite=$1 uri stamp="$APT_DIR/updated-$1"
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +1440)" ]; then
		return 0
	fi
	uri=$(debian_archive_uri) || die "no Debian archive in /etc/apt/sources.list*"
	mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/state/lists/partial" \
		"$APT_DIR/cache/archives/partial"
	: >"$APT_DIR/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
		>"$APT_DIR/sources.list"
	log "apt-get update ($suite, arm64, private state in $APT_DIR)"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update >/dev/null || die "apt-get update failed"
	touch "$stamp"
}

# apt-cache / apt-get download through the private apt.
papt_cache() {
	# shellcheck disable=SC2046
	apt-cache $(apt_opts) "$@"
}
papt_download() {
	# shellcheck disable=SC2046
	apt-get $(apt_opts) download "$@"
}

# Downloads packages (NAME=VERSION ...) into directory $1 through the
# private apt, showing progress on stderr: bytes and percent of the total
# the archive's index gives, in place on a terminal, else a line every 10%.
# A package already in $1 is not fetched again.
papt_download_progress() {
	local dir=$1 p v total=0 size want=() tmp pid now pct last=-1 rc=0
	shift
	for p in "$@"; do
		if [[ $p == *=* ]]; then
			v=${p##*=}
			compgen -G "$dir/${p%%=*}_${v//:/%3a}_*.deb" >/dev/null && continue
		fi
		want+=("$p")
		size=$(papt_cache show "$p" 2>/dev/null | awk '/^Size:/ { print $2; exit }')
		total=$((total + ${size:-0}))
	done
	[ ${#want[@]} -gt 0 ] || return 0
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.download.XXXXXX")
	log "downloading ${want[*]} ($((total / 1000000)) MB)"
	(cd "$tmp" && papt_download "${want[@]}" >"$tmp.log" 2>&1) &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		now=$(du -sb "$tmp" | cut -f1)
		pct=$((total > 0 ? now * 100 / total : 0))
		[ "$pct" -le 100 ] || pct=100
		if [ -t 2 ]; then
			printf '\r%s: %d of %d MB (%d%%) ' "tests/linux" \
				$((now / 1000000)) $((total / 1000000)) "$pct" >&2
		elif [ $((pct / 10)) -gt "$last" ]; then
			last=$((pct / 10))
			log "  $((now / 1000000)) of $((total / 1000000)) MB ($pct%)"
		fi
	done
	wait "$pid" || rc=$?
	[ ! -t 2 ] || echo >&2
	if [ "$rc" -ne 0 ]; then
		sed 's/^/  /' "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		return "$rc"
	fi
	mv "$tmp"/*.deb "$dir/"
	rm -rf "$tmp" "$tmp.log"
	log "downloaded $((total / 1000000)) MB"
}
