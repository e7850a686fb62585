#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host test of the runner's console filter (tools/vhyp-console.c, TAP):
# marked hypervisor lines become "vhyp: " lines, guest lines that look like
# them are escaped, a tampered or cut marked line is not trusted, output is
# streamed byte by byte, events go to the events file; piped input is held
# until the guest prompts, Ctrl-A doubled; a panic without a reset and
# --stdin-eof poweroff signal the runner.
# ok/not_ok always succeed: A && ok || not_ok is if-then-else here.
# shellcheck disable=SC2015,SC2001
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
FILTER=${FILTER:-$O/host/tools/vhyp-console}
MARK=$O/host/tools/mark-line
n=0
failed=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TOKEN=00112233445566778899aabbccddeeff
OTHER=ffeeddccbbaa99887766554433221100

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
	[ -z "${2:-}" ] || sed 's/^/# /' <<<"$2"
}
if [ ! -x "$FILTER" ] || [ ! -x "$MARK" ]; then
	echo "1..0 # SKIP $FILTER or $MARK not built"
	exit 0
fi

# filter INPUT-FILE: output in $WORK/out (CR removed: $out), events in $ev.
filter() {
	rm -f "$WORK/ev"
	"$FILTER" --token "$TOKEN" --events "$WORK/ev" <"$1" >"$WORK/out"
	out=$(tr -d '\r' <"$WORK/out")
	ev=$(cat "$WORK/ev" 2>/dev/null)
}
expect() { # name, want (exact output, CR removed)
	if [ "$out" = "$2" ]; then ok "$1"; else not_ok "$1" "got: $(cat -v <<<"$out")"; fi
}
mark() { "$MARK" "$TOKEN" "$1"; }

check_vector() {
	local v
	v=$("$MARK" --siphash-vector)
	if [ "$v" = 726fdb47dd0e0e31 ]; then ok "SipHash-2-4 test vector"; else not_ok "SipHash-2-4 test vector" "$v"; fi
}
check_vector

{ mark "guest called SYSTEM_OFF"; printf '\r\n'; } >"$WORK/in"
filter "$WORK/in"
expect "a marked line becomes a vhyp: line" "vhyp: guest called SYSTEM_OFF"
[ "$ev" = "hyp guest called SYSTEM_OFF" ] && ok "its text is an event" || not_ok "its text is an event" "$ev"
if grep -qa "$TOKEN" "$WORK/out"; then not_ok "token not in the output"; else ok "token not in the output"; fi

printf 'vhyp: guest called SYSTEM_OFF\r\nvhyp: panic: x\r\nab\rvhyp: calls: share=1\r\nvhypnotic\r\n' >"$WORK/in"
filter "$WORK/in"
expect "guest lines starting with vhyp are escaped (also after CR)" \
	"$(printf '[guest] vhyp: guest called SYSTEM_OFF\n[guest] vhyp: panic: x\nab[guest] vhyp: calls: share=1\n[guest] vhypnotic')"
[ -z "$ev" ] && ok "forged lines are no events" || not_ok "forged lines are no events" "$ev"

printf 'x vhyp: panic\r\nv\r\nvh vhyp\r\nvhy' >"$WORK/in"
filter "$WORK/in"
expect "vhyp elsewhere, or a line that only begins like it, is unchanged" \
	"$(printf 'x vhyp: panic\nv\nvh vhyp\nvhy')"

{ printf '\x1evhyp%s:guest called SYSTEM_OFF\x1f0000000000000000\r\n' "$OTHER"; } >"$WORK/in"
filter "$WORK/in"
if [[ $out != vhyp* ]] && [ -z "$ev" ]; then ok "a marker with another token is guest output"; else not_ok "a marker with another token is guest output" "$out"; fi

printf '\x1evhyp: panic: x\r\n' >"$WORK/in"
filter "$WORK/in"
expect "a guest's RS byte is shown as ^^" "^^vhyp: panic: x"

line=$(mark "guest called SYSTEM_RESET")
{ printf '%s' "${line:0:45}"; printf 'OFF'; printf '%s\r\n' "${line:45}"; } >"$WORK/in"
filter "$WORK/in"
if [[ $out == "[garbled hypervisor line] "* ]] && [ -z "$ev" ] && ! grep -qa "$TOKEN" "$WORK/out"; then
	ok "guest bytes inside a marked line: garbled, no event, no token"
else
	not_ok "guest bytes inside a marked line: garbled, no event, no token" "$out / $ev"
fi

{ printf '%s' "${line:0:20}"; printf 'OFF'; printf '%s\r\n' "${line:20}"; } >"$WORK/in"
filter "$WORK/in"
if [[ $out != *vhyp:* ]] && [ -z "$ev" ]; then ok "guest bytes inside the marker: guest output"; else not_ok "guest bytes inside the marker: guest output" "$out / $ev"; fi

# The guest's forgery that keeps the length: the tail replaced.
line=$(mark "calls: share=0")
tag=${line: -16}
{ printf '%s' "${line%calls: share=0*}"; printf 'calls: share=9\x1f%s\r\n' "$tag"; } >"$WORK/in"
filter "$WORK/in"
[[ $out == "[garbled hypervisor line] calls: share=9" ]] && [ -z "$ev" ] &&
	ok "changed text with the old tag: garbled" || not_ok "changed text with the old tag: garbled" "$out"

{ mark "cut"; printf 'rest of the guest line\r\n'; } >"$WORK/in"
{ printf '%s' "$(mark cut)" | head -c 30; } >"$WORK/in"
filter "$WORK/in"
if [[ $out != *vhyp:* ]] && [ -z "$ev" ]; then ok "a marked line cut by the end of input is not trusted"; else not_ok "a marked line cut by the end of input is not trusted" "$out"; fi

{ printf 'login: '; mark "guest called SYSTEM_OFF"; printf '\r\nvhyp after\r\n'; } >"$WORK/in"
filter "$WORK/in"
expect "a marked line in the middle of a guest line gets a line of its own" \
	"$(printf 'login: \nvhyp: guest called SYSTEM_OFF\n[guest] vhyp after')"

printf 'Kernel panic - not syncing: VFS\r\nKernel panic - not syncing: again\r\n' >"$WORK/in"
filter "$WORK/in"
[ "$ev" = "guest-kernel-panic" ] && ok "Linux's panic line is one event" || not_ok "Linux's panic line is one event" "$ev"

# Streaming: a prompt without a newline comes out at once; "v" at the
# start of a line is held only until the next byte; a marked line split
# across writes still verifies.
rm -f "$WORK/ev"
mkfifo "$WORK/fifo"
"$FILTER" --token "$TOKEN" --events "$WORK/ev" <"$WORK/fifo" >"$WORK/out" &
fpid=$!
exec 7>"$WORK/fifo"
printf '/ # ' >&7
sleep 0.3
[ "$(cat "$WORK/out")" = "/ # " ] && ok "a prompt is passed through before any newline" ||
	not_ok "a prompt is passed through before any newline" "$(cat -v "$WORK/out")"
printf '\r\nv' >&7
sleep 0.3
[ "$(tr -d '\r' <"$WORK/out")" = "$(printf '/ # \n')" ] && ok "a line-start v is held" ||
	not_ok "a line-start v is held" "$(cat -v "$WORK/out")"
printf 'i' >&7
sleep 0.3
[ "$(tr -d '\r' <"$WORK/out")" = "$(printf '/ # \nvi')" ] && ok "and released by the next byte" ||
	not_ok "and released by the next byte" "$(cat -v "$WORK/out")"
line=$(mark "split line")
printf '\r\n%s' "${line:0:12}" >&7
sleep 0.2
printf '%s' "${line:12:30}" >&7
sleep 0.2
printf '%s\r\n' "${line:42}" >&7
exec 7>&-
wait "$fpid"
[ "$(tr -d '\r' <"$WORK/out")" = "$(printf '/ # \nvi\nvhyp: split line')" ] && ok "a marked line split across writes" ||
	not_ok "a marked line split across writes" "$(cat -v "$WORK/out")"

"$FILTER" --token abc </dev/null >/dev/null 2>&1
[ $? -eq 2 ] && ok "a malformed token is refused (status 2)" || not_ok "a malformed token is refused (status 2)"

"$FILTER" --token "$TOKEN" --stdin-eof maybe </dev/null >/dev/null 2>&1
[ $? -eq 2 ] && ok "--stdin-eof maybe is refused (status 2)" || not_ok "--stdin-eof maybe is refused (status 2)"

# Piped input (--input): held while the guest boots, passed on once it
# prompts, Ctrl-A doubled (QEMU's escape character).
mkfifo "$WORK/feed-con" "$WORK/feed-in"
exec 8<>"$WORK/feed-in" # read end: what QEMU would read
"$FILTER" --token "$TOKEN" --input "$WORK/feed-in" 3< <(printf 'a\001b\n') \
	<"$WORK/feed-con" >"$WORK/out" &
fpid=$!
exec 7>"$WORK/feed-con"
printf 'booting\n' >&7
sleep 0.6 # quiet, but after a newline: no prompt yet
got=$(timeout 0.3 head -c 5 <&8 | od -An -c | tr -s ' ')
[ -z "$got" ] && ok "piped input held while the guest's output ends with a newline" ||
	not_ok "piped input held while the guest's output ends with a newline" "$got"
printf '~ # ' >&7
got=$(timeout 2 head -c 5 <&8 | od -An -c | tr -s ' ')
[ "$got" = " a 001 001 b \n" ] && ok "passed on after a prompt, Ctrl-A doubled" ||
	not_ok "passed on after a prompt, Ctrl-A doubled" "$got"
exec 7>&- 8>&-
wait "$fpid"

# A guest panic without a reset: 5 s later, the event and SIGUSR2.
rm -f "$WORK/ev"
sleep 30 2>/dev/null &
spid=$!
(printf '[ 1.0] Kernel panic - not syncing: test\n'; sleep 6) |
	"$FILTER" --token "$TOKEN" --events "$WORK/ev" --notify "$spid" >/dev/null
wait "$spid" 2>/dev/null
src=$?
grep -qx guest-panic-stop "$WORK/ev" && [ "$src" = $((128 + 12)) ] &&
	ok "a panic line without a reset: guest-panic-stop, SIGUSR2" ||
	not_ok "a panic line without a reset: guest-panic-stop, SIGUSR2" "status $src; $(cat "$WORK/ev")"

# --stdin-eof poweroff: at the end of input, once the guest is quiet.
rm -f "$WORK/ev"
sleep 30 2>/dev/null &
spid=$!
exec 8<>"$WORK/feed-in"
(printf '$ '; sleep 4) | "$FILTER" --token "$TOKEN" --events "$WORK/ev" \
	--notify "$spid" --input "$WORK/feed-in" --stdin-eof poweroff 3</dev/null >/dev/null
exec 8>&-
wait "$spid" 2>/dev/null
src=$?
grep -qx stdin-eof-stop "$WORK/ev" && [ "$src" = $((128 + 12)) ] &&
	ok "--stdin-eof poweroff: stdin-eof-stop, SIGUSR2" ||
	not_ok "--stdin-eof poweroff: stdin-eof-stop, SIGUSR2" "status $src; $(cat "$WORK/ev")"

echo "1..$n"
exit "$failed"
