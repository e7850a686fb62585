# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Sourced by every script that keeps files between runs (the runner's board
# DTB cache, the Debian kernel and busybox, the fresh-check chroot).  Prints
# the cache directory: $VHYP_CACHE if set, else $XDG_CACHE_HOME/vhyp, else
# ~/.cache/vhyp, else (HOME unset, e.g. under a service manager or `env -i`)
# a per-user directory in $TMPDIR (or /tmp), so nothing ever fails for lack
# of a home directory.
vhyp_cache_dir() {
	if [ -n "${VHYP_CACHE:-}" ]; then
		echo "$VHYP_CACHE"
	elif [ -n "${XDG_CACHE_HOME:-}" ]; then
		echo "$XDG_CACHE_HOME/vhyp"
	elif [ -n "${HOME:-}" ]; then
		echo "$HOME/.cache/vhyp"
	else
		echo "${TMPDIR:-/tmp}/vhyp-cache-$(id -u)"
	fi
}
