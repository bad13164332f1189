#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What the drop log costs the XDP program per packet: a TCP SYN to a closed
# port run N times through BPF_PROG_TEST_RUN (bpftool prog run ... repeat)
# on the attached program, with no reader (the switch off: one untaken
# branch), with a reader at the default --rate 100 (the bucket is empty
# almost always: a clock read and a failed take), and with a reader at
# --rate 1000000 (most packets reserve and submit an event). A passed SYN
# is the baseline. Prints one table; ROUNDS=n repeats (median shown).
#   sudo BUILD=build tests/bench/log.sh
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PX=${PORTXDP:-$BUILD/portxdp}
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}
REPEAT=${REPEAT:-2000000}
ROUNDS=${ROUNDS:-5}
NS=pxbl$$
TMP=$(mktemp -d)
LOGPID=

cleanup() {
	[ -n "$LOGPID" ] && kill "$LOGPID" 2>/dev/null
	"$PX" --netns "$NS" detach pxbl0 >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link add pxbl0 type veth peer name pxbl1
ip -n "$NS" link set pxbl0 up
printf 'default closed\nopen 22/tcp\n' >"$TMP/p"
"$PX" --netns "$NS" attach pxbl0 --policy "$TMP/p" --mode native >/dev/null
id=$("$PX" --netns "$NS" status pxbl0 --json | grep -o '"prog_id": [0-9]*' | grep -o '[0-9]*$')

syn() { # dport as 4 hex digits: Ethernet, IPv4, TCP SYN
	printf '\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
	printf '\x45\x00\x00\x28\x00\x01\x00\x00\x40\x06\x00\x00\xc6\x33\x64\x01\xc6\x33\x64\x02'
	printf "\\xc3\\x50\\x${1:0:2}\\x${1:2:2}"'\x00\x00\x00\x01\x00\x00\x00\x00\x50\x02\xff\xff\x00\x00\x00\x00'
}
syn 0017 >"$TMP/closed" # 23
syn 0016 >"$TMP/open"   # 22

ns_per_pkt() { # frame file: median of ROUNDS runs
	local i
	for i in $(seq "$ROUNDS"); do
		bpftool prog run id "$id" data_in "$1" repeat "$REPEAT" |
			sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

reader() { # rate
	"$PX" --netns "$NS" log pxbl0 --rate "$1" --json >/dev/null 2>&1 &
	LOGPID=$!
	sleep 0.5
}

printf '%-40s %s\n' "case ($REPEAT packets x $ROUNDS, median)" "ns/packet"
printf '%-40s %s\n' "passed SYN (baseline)" "$(ns_per_pkt "$TMP/open")"
printf '%-40s %s\n' "dropped SYN, no reader" "$(ns_per_pkt "$TMP/closed")"
reader 100
printf '%-40s %s\n' "dropped SYN, reader at --rate 100" "$(ns_per_pkt "$TMP/closed")"
kill "$LOGPID"; wait "$LOGPID" 2>/dev/null || true
reader 1000000
printf '%-40s %s\n' "dropped SYN, reader at --rate 1000000" "$(ns_per_pkt "$TMP/closed")"
kill "$LOGPID"; wait "$LOGPID" 2>/dev/null || true
LOGPID=
