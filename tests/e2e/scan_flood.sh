#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A scan flood from one source (trafgen: UDP to random destination ports,
# each followed by a TCP SYN to the open port 22) meets a ban rule of N
# distinct ports: the SYNs after the first N-1 scanned ports pass, and
# from the packet right after the N-th (the crossing one) every packet
# from that source is dropped. The ban takes effect within one packet:
# exactly N-1 SYNs to the open port pass (design.md, section 10).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d /tmp/pxflood.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
N=8
ROUNDS=500

# "a.b.c.d" as trafgen bytes: "a, b, c, d"
ip_bytes() { echo "$1" | sed 's/\./, /g'; }
# "aa:bb:.." as trafgen bytes
mac_bytes() { echo "$1" | sed 's/^/0x/; s/:/, 0x/g'; }

test_ban_within_one_packet_of_the_crossing() {
	need trafgen jq
	lab_setup
	printf 'default closed\nopen 22/tcp\nban after %d ports in 1d for 10m except 203.0.113.0/24\n' \
		"$N" >"$TMPD/flood.policy"
	px attach "$IF_IN" --policy "$TMPD/flood.policy" >/dev/null
	local dmac smac src dst
	dmac=$(mac_bytes "$(ip -n "$NS" -j link show "$IF_IN" | jq -r '.[0].address')")
	smac=$(mac_bytes "$(ip -j link show "$IF_OUT" | jq -r '.[0].address')")
	src=$(ip_bytes "$ADDR_OUT")
	dst=$(ip_bytes "$ADDR_IN")
	# Two frames, sent in turn: UDP to a random port, then a SYN to 22.
	cat >"$TMPD/flood.cfg" <<CFG
{
  $dmac, $smac, 0x08, 0x00,
  0x45, 0x00, const16(28), drnd(2), const16(0x4000), 64, 17, csumip(14, 33),
  $src, $dst,
  const16(40000), drnd(2), const16(8), const16(0)
}
{
  $dmac, $smac, 0x08, 0x00,
  0x45, 0x00, const16(40), drnd(2), const16(0x4000), 64, 6, csumip(14, 33),
  $src, $dst,
  const16(40001), const16(22), drnd(4), const32(0), 0x50, 0x02, const16(64240),
  csumtcp(14, 34), const16(0)
}
CFG
	trafgen --dev "$IF_OUT" --conf "$TMPD/flood.cfg" --cpus 1 \
		--num $((2 * ROUNDS)) --no-sock-mem --qdisc-path >"$TMPD/trafgen.out" 2>&1 ||
		fail "trafgen: $(cat "$TMPD/trafgen.out")"
	# the last frames may still wait for the peer's NAPI
	wait_stats ".totals.banned >= $((2 * ROUNDS - 2 * N + 1))" || true
	px stats "$IF_IN" --json >"$TMPD/stats"
	local passed banned
	passed=$(jq '[.ports[] | select(.port == 22 and .proto == "tcp") | .passed] | add // 0' "$TMPD/stats")
	banned=$(jq '.totals.banned // 0' "$TMPD/stats")
	echo "  22/tcp: $passed SYNs passed of $ROUNDS; $banned packets dropped as banned"
	# Random ports may repeat (counted once), so the crossing may come a
	# round later, never earlier: at least N-1 pass, and a repeat among
	# the first N of 65536 ports is rare enough that N-1 is what we see.
	assert_eq "$passed" $((N - 1)) "SYNs to the open port before the ban"
	# everything after the crossing packet (the N-th UDP, a closed-port
	# drop itself): the rest of 2 * ROUNDS frames
	assert_eq "$banned" $((2 * ROUNDS - 2 * N + 1)) "packets dropped as banned"
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +.* scan" ||
		fail "the source is not banned: $(px bans "$IF_IN")"
}

run_tests
