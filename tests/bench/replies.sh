#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What `option replies` costs (doc/design.md, section 9):
#   1. per packet, BPF_PROG_TEST_RUN ($BUILD/tools/replybench): the XDP
#      program with replies off and on (a closed port: one hash lookup
#      more), the egress program beside the empty tc program;
#   2. a TCP download into the filtered namespace (iperf3 -R, the client
#      behind the filter, SECS s runs, median of ROUNDS, rows interleaved,
#      each bounded by a timeout): no filter; portxdp `default closed` with
#      replies on and no ephemeral range (auto mode, tc on veth; and
#      native XDP); nftables in the namespace doing the same job with
#      conntrack (`ct state established,related accept`, then drop).
#   sudo BUILD=build tests/bench/replies.sh
# Environment: BUILD (build), ROUNDS (5), SECS (10), REPEAT (1000000).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
# shellcheck source=tests/bench/iperf_rounds.sh
. tests/bench/iperf_rounds.sh
PX=${PORTXDP:-$BUILD/portxdp}
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-10}
REPEAT=${REPEAT:-1000000}
ROWS=${ROWS:-"none px_replies px_replies_native nft_ct"}
NS=pxbr$$
IF_S=prs$$ # root namespace: iperf3's server, the sender of the data
IF_R=prr$$ # in $NS: the filtered client, downloading
SLOT=$(($$ % 63 + 1))
ADDR_S=198.51.100.$((SLOT * 4 + 1))
ADDR_R=198.51.100.$((SLOT * 4 + 2))
TMP=$(mktemp -d)
SERVER=

cleanup() {
	set +e
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	"$PX" --netns "$NS" detach "$IF_R" >/dev/null 2>&1
	ino=$(stat -L -c %i "/var/run/netns/$NS" 2>/dev/null) &&
		rm -rf "/sys/fs/bpf/portxdp/net-$ino"
	ip link del "$IF_S" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "Per packet (BPF_PROG_TEST_RUN, $REPEAT repeats, 11 interleaved rounds):"
echo
timeout 300 "$BUILD/tools/replybench" -n "$REPEAT" -r 11 || echo "(replybench failed)"
echo

veth_pair_up "replies bench" iperf3 jq nft
printf 'default closed\noption replies on\n' >"$TMP/policy"
iperf3 -s -B "$ADDR_S" >/dev/null 2>&1 &
SERVER=$!
sleep 0.5

declare -A NAME=(
	[none]="no filter"
	[px_replies]="portxdp, default closed + replies on (auto: tc on veth)"
	[px_replies_native]="portxdp, default closed + replies on, native XDP"
	[nft_ct]="nftables, ct state established,related accept + drop"
)
setup_none() { :; }
setup_px_replies() { "$PX" --netns "$NS" attach "$IF_R" --policy "$TMP/policy"; }
setup_px_replies_native() { setup_px_replies --mode native; }
setup_nft_ct() {
	ip netns exec "$NS" nft -f - <<-EOF
		table inet pxbr {
		  chain input { type filter hook input priority 0; policy drop;
		    ct state established,related accept
		    iif lo accept
		  }
		}
	EOF
}
teardown() { # row
	case $1 in
	px_*) "$PX" --netns "$NS" detach "$IF_R" ;;
	nft_ct) ip netns exec "$NS" nft delete table inet pxbr ;;
	esac
}

run_one() { # -> Gbit/s received by the client, or nan
	timeout $((SECS + 10)) ip netns exec "$NS" iperf3 -c "$ADDR_S" -R -t "$SECS" -J 2>/dev/null |
		jq -r '(.end.sum_received.bits_per_second // empty) / 1e9' 2>/dev/null |
		grep . || echo nan
}

iperf_rounds "replies bench"

echo "A TCP download into the filtered namespace (iperf3 -R), $SECS s runs, $ROUNDS interleaved"
echo "rounds, median (min-max). No ephemeral port is open: the download's packets pass as replies."
echo
iperf_table "filter on the downloading side"
echo
iperf_target px_replies "replies on"
