#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Benchmark of applying large zones: how long
# `portxdp apply IF FILE` takes, whole command, for a policy that blocks a
# zone file of N IPv4 prefixes, beside the same list loaded by
#
#   nft -f       a netdev ingress chain dropping `ip saddr @feed`, the set
#                `flags interval`; FILE = "flush set ...; add element ...
#                { N prefixes }": one transaction
#   ipset        `ipset restore` of "flush feed" + N "add feed PREFIX" into
#                a hash:net set
#
# each run bounded by TIMEOUT seconds: a run that takes longer is reported
# as "timeout > Ns" (a result, not a failure), and that size and larger ones
# of that tool are not tried again (smaller ones are, in every round).
# Rounds are interleaved (every tool once per round); each cell is the
# median with min-max, and the last column how many times faster portxdp
# is than the faster of nft and ipset (">" when that one timed out). Runs in
# a namespace of its own on a veth pair there; namespace, pins, sets and
# files are removed on exit.
#
# Usage (root): BUILD=build tests/bench/zones_apply.sh > table.md
#   ROUNDS=3 TIMEOUT=60 SIZES="10000 100000 1000000"
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
PX=$BUILD/portxdp
ROUNDS=${ROUNDS:-3}
TIMEOUT=${TIMEOUT:-60}
SIZES=${SIZES:-10000 100000 1000000}
NS=pxza$$
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}
TMP=$(mktemp -d)

cleanup() {
	ip netns exec "$NS" ipset destroy feed 2>/dev/null
	"$PX" --netns "$NS" detach za0 >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
say() { echo "zones_apply: $*" >&2; }

for t in nft ipset; do
	command -v $t >/dev/null || say "no $t: its rows say so"
done
ip netns add "$NS" || exit 1
ip -n "$NS" link add za0 type veth peer name za1 || exit 1
ip -n "$NS" link set za0 up && ip -n "$NS" link set za1 up
inns() { ip netns exec "$NS" "$@"; }
# the base policy, then one per size; distinct /32s in 10.0.0.0/8
printf 'default open\n' >"$TMP/base.policy"
"$PX" --netns "$NS" attach za0 --policy "$TMP/base.policy" >/dev/null || exit 1
for n in $SIZES; do
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) { a = 167772160 + i * 7;
		printf "%d.%d.%d.%d\n", int(a / 16777216), int(a / 65536) % 256,
			int(a / 256) % 256, a % 256 } }' >"$TMP/feed$n.txt"
	printf 'default open\nzone feed file feed%s.txt\nblock feed\n' "$n" \
		>"$TMP/z$n.policy"
	{
		echo "flush set netdev za feed"
		printf 'add element netdev za feed { '
		paste -sd, "$TMP/feed$n.txt"
		echo ' }'
	} >"$TMP/set$n.nft"
	{
		echo "flush feed"
		sed 's/^/add feed /' "$TMP/feed$n.txt"
	} >"$TMP/ipset$n"
done
max=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
inns nft -f - <<EOF || say "nft setup failed"
table netdev za {
	set feed { type ipv4_addr; flags interval; size $((max * 2)); }
	chain in { type filter hook ingress device za1 priority 0;
		ip saddr @feed drop; }
}
EOF
inns ipset create feed hash:net maxelem $((max * 2)) 2>/dev/null ||
	say "ipset setup failed"

# one timed run: prints seconds, or "timeout", or "fail". A portxdp
# command that had to wait for the machine-wide lock of some other portxdp
# command (it says so) is run again, up to 5 times: its time is then not
# its own work.
timed() {
	local t0 t1 rc try
	for try in 1 2 3 4 5; do
		rc=0
		t0=$(date +%s.%N)
		timeout "$TIMEOUT" "$@" >/dev/null 2>"$TMP/err" || rc=$?
		t1=$(date +%s.%N)
		grep -q "waiting for another portxdp" "$TMP/err" || break
		say "waited for another portxdp command (try $try): again"
	done
	[ $rc = 124 ] && { echo timeout; return; }
	[ $rc = 0 ] || { echo fail; sed 's/^/  /' "$TMP/err" | head -3 >&2; return; }
	echo "$t1 - $t0" | bc -l
}

# res[tool,n]: the times, or timeout/fail; limit[tool]: the smallest size
# that timed out or failed (none larger is tried), 0 when the tool is missing
declare -A res limit
for tool in portxdp nft ipset; do limit[$tool]=; done
command -v nft >/dev/null || limit[nft]=0
command -v ipset >/dev/null || limit[ipset]=0
for r in $(seq "$ROUNDS"); do
	for n in $SIZES; do
		for tool in portxdp nft ipset; do
			[ -z "${limit[$tool]}" ] || [ "$n" -lt "${limit[$tool]}" ] ||
				continue
			case $tool in
			portxdp) v=$(timed "$PX" --netns "$NS" apply za0 "$TMP/z$n.policy") ;;
			nft) v=$(timed ip netns exec "$NS" nft -f "$TMP/set$n.nft") ;;
			ipset) v=$(timed ip netns exec "$NS" ipset restore -file "$TMP/ipset$n") ;;
			esac
			say "round $r, $tool, $n prefixes: $v"
			if [ "$v" = timeout ] || [ "$v" = fail ]; then
				res[$tool,$n]=$v
				limit[$tool]=$n # neither this size nor larger again
				continue
			fi
			res[$tool,$n]="${res[$tool,$n]:-} $v"
		done
	done
done

med() { # tool n: the median in s, or nothing
	case ${res[$1,$2]:-} in "" | timeout | fail) return ;; esac
	echo "${res[$1,$2]}" | tr ' ' '\n' | grep . | sort -n |
		awk '{ a[NR] = $1 } END {
			m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			print m }'
}
# how many times faster portxdp is than the faster of nft and ipset
ratio() { # n
	local px best="" t v bound=""
	px=$(med portxdp "$1")
	[ -n "$px" ] || { echo "-"; return; }
	for t in nft ipset; do
		v=$(med $t "$1")
		[ "${res[$t,$1]:-}" = timeout ] && v=$TIMEOUT
		[ -n "$v" ] || continue
		if [ -z "$best" ] || [ "$(echo "$v < $best" | bc -l)" = 1 ]; then
			best=$v
			bound=
			[ "${res[$t,$1]:-}" = timeout ] && bound=yes
		fi
	done
	[ -n "$best" ] || { echo "-"; return; }
	echo "${bound:+> }$(echo "$best / $px" | bc -l | xargs printf '%.1f') x"
}
cell() { # tool n
	local v=${res[$1,$2]:-}
	[ "${limit[$1]}" = 0 ] && { echo "$1 missing"; return; }
	case $v in
	"") echo "not run" ;;
	timeout) echo "timeout > ${TIMEOUT} s" ;;
	fail) echo "failed" ;;
	*) echo "$v" | tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 }
		END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "%.2f s (%.2f-%.2f)", m, a[1], a[NR] }' ;;
	esac
}
echo "| prefixes | portxdp apply (whole command) | nft -f, interval set | ipset restore, hash:net | portxdp faster than the faster of them |"
echo "|---:|---|---|---|---:|"
for n in $SIZES; do
	echo "| $n | $(cell portxdp "$n") | $(cell nft "$n") | $(cell ipset "$n") | $(ratio "$n") |"
done
echo
echo "Seconds, median (min-max) of $ROUNDS interleaved rounds, each run bounded by $TIMEOUT s;" \
	"load average at the end $(cut -d' ' -f1-3 /proc/loadavg)." \
	"Targets: 100000 prefixes under 1 s; 1000000 at least 10 x faster than the faster of nft and ipset."
