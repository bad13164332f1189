#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Jumbo frames: the XDP program is frags-aware
# (SEC("xdp.frags")), so it attaches in native mode on a veth pair with
# MTU 9000, where a frame of 8,000 bytes spans several buffers. An
# 8,000-byte UDP datagram to an open port passes (the lab answers it with
# an ICMP port-unreachable), to a closed port is dropped, and the filter's
# counters say so; small probes still work beside them. The same in tc
# mode, where the skb's headers are in its linear part and the rest in
# pages.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

jumbo_lab() { # mode (default native)
	local mode=${1:-native}
	lab_setup >/dev/null
	ip link set "$IF_OUT" mtu 9000
	ip -n "$NS" link set "$IF_IN" mtu 9000
	POLICY=$(mktemp)
	on_cleanup rm -f "$POLICY"
	printf 'default closed\nopen 5001/udp\n' >"$POLICY"
	px attach "$IF_IN" --policy "$POLICY" --mode "$mode" >/dev/null ||
		fail "$mode attach on an MTU 9000 veth failed"
	px status "$IF_IN" | grep -q "$mode mode" || fail "not in $mode mode"
}

big_udp() { # port: "reached" or "timeout" for an 8,000-byte datagram
	"$PXNET" udp "$ADDR_IN" "$1" "${PROBE_MS:-600}" 8000 || true
}

counter() { # port field
	px stats "$IF_IN" --json | jq -r --argjson p "$1" \
		"[.ports[] | select(.proto == \"udp\" and .port == \$p) | .$2] | add // 0"
}

test_native_attach_with_mtu_9000() {
	jumbo_lab
	px status "$IF_IN" --json | jq -e '[.. | objects | select(.mode == "native")] | length > 0' >/dev/null || fail "status --json: mode is not native"
}

big_open_passes_closed_drops() {
	assert_eq "$(PROBE_MS=$(probe_ms reached) big_udp 5001)" reached "8000-byte udp to open 5001"
	assert_eq "$(big_udp 5002)" timeout "8000-byte udp to closed 5002"
	# a probe that timed out says nothing of when it was judged
	wait_stats '[.ports[] | select(.proto == "udp" and .port == 5002) | .dropped] | add >= 1' || true
	assert_eq "$(counter 5001 passed)" 1 "udp 5001 passed"
	assert_eq "$(counter 5002 dropped)" 1 "udp 5002 dropped"
	assert_eq "$(px stats "$IF_IN" --json | jq .totals.malformed)" 0 \
		"malformed"
	expect_udp reached 5001
	expect_udp timeout 5002
}

test_8000_byte_udp_open_passes_closed_drops() {
	need jq
	jumbo_lab native
	big_open_passes_closed_drops
}

test_tc_mode_8000_byte_udp_open_passes_closed_drops() {
	need jq
	jumbo_lab tc
	big_open_passes_closed_drops
}

run_tests
