#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of `portxdp log IF --pcap FILE|-` (doc/design.md, section
# 12): drops on the lab's veth are written as pcapng, and tcpdump and
# tshark read them back: the frames (addresses and ports as sent), their
# times, and the reason and port in each packet's comment. Needs tcpdump
# and tshark.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d /tmp/pxpcap.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT

setup() {
	need tcpdump tshark
	lab_setup
	printf 'default closed\nopen ssh\n' >"$TMPD/policy"
	px attach "$IF_IN" --policy "$TMPD/policy" >/dev/null
}

# Start `log --pcap` with its stdout in $1; wait until it logs.
LOGPID=
start_log() { # out args...
	local out=$1
	shift
	"$PORTXDP" --netns "$NS" log "$IF_IN" "$@" >"$out" 2>"$TMPD/err" &
	LOGPID=$!
	on_cleanup "kill $LOGPID 2>/dev/null"
	log_ready "$TMPD/err"
}

test_pcap_file_read_by_tcpdump_and_tshark() {
	setup
	local t0 t1
	t0=$(date +%s)
	start_log /dev/null --pcap "$TMPD/drops.pcapng" --count 3
	udp_probe 111 >/dev/null
	tcp_probe 23 >/dev/null
	tcp_probe 22 >/dev/null # open: not in the capture
	tcp_probe 24 "$ADDR6_IN" >/dev/null
	await_log || fail "log exited $?"
	t1=$(date +%s)
	tcpdump -nn -r "$TMPD/drops.pcapng" >"$TMPD/td" 2>"$TMPD/td.err" ||
		fail "tcpdump -r: $(cat "$TMPD/td.err")"
	cat "$TMPD/td"
	assert_eq "$(wc -l <"$TMPD/td")" 3 "packets tcpdump reads"
	grep -q "IP $ADDR_OUT\.[0-9]* > $ADDR_IN\.111: UDP" "$TMPD/td" || fail "the udp datagram to 111"
	grep -q "IP $ADDR_OUT\.[0-9]* > $ADDR_IN\.23: Flags \[S\]" "$TMPD/td" || fail "the SYN to 23"
	grep -q "IP6 $ADDR6_OUT\.[0-9]* > $ADDR6_IN\.24: Flags \[S\]" "$TMPD/td" || fail "the IPv6 SYN to 24"
	tshark -r "$TMPD/drops.pcapng" -T fields -e frame.comment -e frame.time_epoch \
		-e frame.cap_len -e frame.len >"$TMPD/ts" 2>"$TMPD/ts.err" ||
		fail "tshark -r: $(cat "$TMPD/ts.err")"
	cat "$TMPD/ts"
	assert_eq "$(cut -f1 "$TMPD/ts" | tr '\n' ';')" \
		"closed-port 111/udp;closed-port 23/tcp;closed-port 24/tcp;" "comments"
	# times within the test, whole frames (short ones: nothing cut)
	awk -F'\t' -v a="$t0" -v b="$t1" '$2 < a || $2 > b + 1 || $3 != $4 { exit 1 }' \
		"$TMPD/ts" || fail "a time or a length is off"
}

test_pcap_to_stdout_pipe() {
	setup
	start_log "$TMPD/out.pcapng" --pcap - --count 2
	ping -c 1 -W 1 -s 300 "$ADDR_IN" >/dev/null || true
	udp_probe 5000 >/dev/null
	await_log || fail "log exited $?"
	assert_eq "$(tshark -r "$TMPD/out.pcapng" -T fields -e frame.comment 2>/dev/null | tr '\n' ';')" \
		"ping-closed icmp;closed-port 5000/udp;" "comments"
	# a long frame: its first 128 bytes, and its whole length
	assert_eq "$(tshark -r "$TMPD/out.pcapng" -T fields -e frame.cap_len -e frame.len 2>/dev/null | head -1)" \
		"$(printf '128\t342')" "the ping's captured and whole length"
	tshark -r "$TMPD/out.pcapng" -T fields -e frame.interface_name 2>/dev/null |
		grep -qx "$IF_IN" || fail "the interface name"
}

test_pcap_usage_errors() {
	setup
	assert_status 2 px log "$IF_IN" --json --pcap "$TMPD/x"
	assert_status 1 px log "$IF_IN" --pcap /nonexistent/dir/x
	[ ! -e "$TMPD/x" ] || fail "a file made on bad usage"
}

run_tests
