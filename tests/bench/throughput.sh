#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What each hook costs the traffic a filter lets through: TCP
# throughput with iperf3 over a veth pair, the data flowing into the
# filtered namespace, for no filter, portxdp in each mode (auto, native,
# generic, tc), xdp-filter native and skb, and nftables netdev ingress.
# Every filter drops one closed port and passes iperf3's; rows alternate
# round by round; each run is SECS seconds, bounded by a timeout; the
# table gives the median of ROUNDS runs, min-max beside it and the share
# of no filter. Prints one markdown table.
#   sudo BUILD=build tests/bench/throughput.sh
# Environment: BUILD (build), ROUNDS (5), SECS (2), ROWS (all, in order).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
# shellcheck source=tests/bench/iperf_rounds.sh
. tests/bench/iperf_rounds.sh
PX=${PORTXDP:-$BUILD/portxdp}
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-2}
ROWS=${ROWS:-"none px_auto px_native px_generic px_tc xf_native xf_skb nft"}
NS=pxbt$$
IF_S=pts$$ # root namespace: iperf3's client, the sender
IF_R=ptr$$ # in $NS: the filtered receiver, iperf3's server
SLOT=$(($$ % 63 + 1))
ADDR_S=198.51.100.$((SLOT * 4 + 1))
ADDR_R=198.51.100.$((SLOT * 4 + 2))
TMP=$(mktemp -d)
XF="nsenter --net=/var/run/netns/$NS xdp-filter"
SERVER=

cleanup() {
	set +e
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	"$PX" --netns "$NS" detach "$IF_R" >/dev/null 2>&1
	$XF unload "$IF_R" >/dev/null 2>&1
	ino=$(stat -L -c %i "/var/run/netns/$NS" 2>/dev/null) &&
		rm -rf "/sys/fs/bpf/portxdp/net-$ino"
	ip link del "$IF_S" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

veth_pair_up "throughput" iperf3 jq
printf 'default closed\nopen 5201/tcp\n' >"$TMP/policy"
ip netns exec "$NS" iperf3 -s -B "$ADDR_R" >/dev/null 2>&1 &
SERVER=$!
sleep 0.5

declare -A NAME=(
	[none]="no filter" [px_auto]="portxdp, --mode auto (tc on veth)"
	[px_native]="portxdp native" [px_generic]="portxdp generic"
	[px_tc]="portxdp tc" [xf_native]="xdp-filter native"
	[xf_skb]="xdp-filter skb" [nft]="nftables netdev ingress"
)
px_up() { "$PX" --netns "$NS" attach "$IF_R" --policy "$TMP/policy" "$@"; }
setup_none() { :; }
setup_px_auto() { px_up; }
setup_px_native() { px_up --mode native; }
setup_px_generic() { px_up --mode generic; }
setup_px_tc() { px_up --mode tc; }
setup_xf_native() { $XF load -m native -f tcp "$IF_R" && $XF port 9999; }
setup_xf_skb() { $XF load -m skb -f tcp "$IF_R" && $XF port 9999; }
setup_nft() {
	ip netns exec "$NS" nft -f - <<-EOF
		table netdev pxbt {
		  chain ingress { type filter hook ingress device "$IF_R" priority -500;
		    tcp dport 9999 drop
		  }
		}
	EOF
}
teardown() { # row
	case $1 in
	px_*) "$PX" --netns "$NS" detach "$IF_R" ;;
	xf_*) $XF unload "$IF_R" ;;
	nft) ip netns exec "$NS" nft delete table netdev pxbt ;;
	esac
}

run_one() { # -> Gbit/s, or nan
	timeout $((SECS + 10)) iperf3 -c "$ADDR_R" -t "$SECS" -J 2>/dev/null |
		jq -r '(.end.sum_received.bits_per_second // empty) / 1e9' 2>/dev/null |
		grep . || echo nan
}

iperf_rounds "throughput"

echo "TCP over a veth pair into the filtered namespace: iperf3, $SECS s runs, $ROUNDS interleaved rounds,"
echo "median (min-max). Every filter passes iperf3's port and drops one other."
echo
iperf_table "hook on the receiving veth"
echo
iperf_target px_auto "the default mode on veth"
