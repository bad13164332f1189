#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Proof that a live policy change is atomic (doc/design.md, section 5), with two
# policies that disagree on almost every port:
#   A  default closed; open 5001-5004/udp 7001/udp 22/tcp
#   B  default open;   close 6001-6004/udp 7001/udp
# 5001-5004/udp are open in both and 6001-6004/udp closed in both, while
# about 131000 other port states flip on every swap.
#  - Under load: pxstream sends steadily to the always-open, always-closed
#    and flipping ports while `portxdp apply` swaps A and B $SWAPS times
#    (1000); not one packet to an always-open port may be dropped nor one
#    to an always-closed port passed, and the flipping ports must have seen
#    both verdicts (the swaps really happened under traffic). First, as a
#    negative control, the same traffic and checks must catch a change
#    made in two steps in place (pxtwostep): else they would prove nothing.
#  - SIGKILL: applies are killed with -9 at random moments $KILLS times;
#    after each, the live policy must be exactly A or exactly B (`diff`
#    finds no change against one of them: every port, ping, fragments),
#    and status must name that same file.
# The same two with zones (doc/design.md, section 8): two zone layouts ZA
# and ZB that put four sources (three IPv6 addresses of the lab's /64 and
# the lab's IPv4 peer) in other zones, nested other ways, each source
# with ports of its own open in both, closed in both, or flipping:
#  - under load, four streams (one a source) while ZA and ZB swap
#    $ZONE_SWAPS times: 0 misjudged, both verdicts seen on the flipping
#    ports;
#  - SIGKILL mid-apply $ZONE_KILLS times: after each, a probe of every
#    flipping port from its source must find exactly ZA's verdicts or
#    exactly ZB's (base, zone table and tries of one version: a mix
#    shows as some ports of each), and status name that file.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PXSTREAM=${PXSTREAM:-$BUILD/tools/pxstream}
PXTWOSTEP=${PXTWOSTEP:-$BUILD/tools/pxtwostep}
PXSLOTKILL=${PXSLOTKILL:-$BUILD/tools/pxslotkill}
SWAPS=${SWAPS:-1000}
KILLS=${KILLS:-150}
# On a loaded machine a command takes a second, not 20 ms: the swaps and
# the kills stop after SECS seconds once a tenth of them is done (the file
# took 16 minutes under load otherwise).
SECS=${SECS:-30}
ZONE_SWAPS=${ZONE_SWAPS:-60}
ZONE_KILLS=${ZONE_KILLS:-16}
RATE=${RATE:-20000}
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
A=$TMPD/a.policy
B=$TMPD/b.policy
cat >"$A" <<'P'
default closed
open 5001-5004/udp 7001/udp 22/tcp
P
cat >"$B" <<'P'
default open
close 6001-6004/udp 7001/udp
P
ALWAYS_OPEN="5001 5002 5003 5004"
ALWAYS_CLOSED="6001 6002 6003 6004"
FLIPPING="7001 7002"
unset SSH_CONNECTION # A closes ssh's neighbours, not ssh; no guard wanted

# The lab, quiet enough for 20k packets/s on 2 cores, with A attached.
load_lab() {
	need jq
	[ -x "$PXSTREAM" ] || skip "$PXSTREAM not built (make test-build)"
	lab_setup
	# Passed datagrams to ports without a socket need no ICMP answers
	# here: the kernel's default rate limit keeps the 2 cores for the test.
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_ratelimit=1000
	px attach "$IF_IN" --policy "$A" >/dev/null
	PIN=/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$NS")/$IF_IN/policy
}

STREAMS=()
stream_start() {
	rm -f "$TMPD"/sent.* # an earlier test's counts are not this one's
	"$PXSTREAM" "$ADDR_IN" "$RATE" 0 $ALWAYS_OPEN $ALWAYS_CLOSED $FLIPPING \
		>"$TMPD/sent.0" &
	STREAMS=($!)
	sleep 0.2
}

# Stop the streams, read the counters, print them; sets MISJUDGED (drops on
# always-open ports plus passes on always-closed ones) and FLIPS_SEEN.
stream_stop() {
	local p d s sent counted=0
	sleep 0.2
	kill -TERM "${STREAMS[@]}"
	wait "${STREAMS[@]}"
	# each port is one stream's: its lines once, the totals summed
	cat "$TMPD"/sent.* | awk '{ n[$1] += $2 } END { for (p in n) print p, n[p] }' \
		>"$TMPD/sent"
	sent=$(awk '$1 == "total" { print $2 }' "$TMPD/sent")
	# the counters, once they have seen every packet sent (or after 5 s:
	# some may have been lost before the filter, which the check below
	# bounds), not after a fixed pause a loaded machine may outlast
	all_counted() {
		px stats "$IF_IN" --json >"$TMPD/stats"
		jq -e --argjson sent "$sent" --arg ports "$ALWAYS_OPEN $ALWAYS_CLOSED $FLIPPING" '
			[$ports | splits(" +") | select(length > 0) | tonumber] as $p |
			[.ports[] | select(.proto == "udp" and (.port as $x | $p | index($x))) |
			 .dropped + .passed] | add // 0 | . >= $sent' "$TMPD/stats" >/dev/null
	}
	wait_until 50 all_counted || true
	MISJUDGED=0 FLIPS_SEEN=1
	for p in $ALWAYS_OPEN $ALWAYS_CLOSED $FLIPPING; do
		read -r d s <<<"$(jq -r --argjson p "$p" \
			'[.ports[] | select(.port == $p and .proto == "udp")] |
			 if length == 0 then "0 0" else "\(.[0].dropped) \(.[0].passed)" end' \
			"$TMPD/stats")"
		echo "  udp $p: dropped $d passed $s (sent $(awk -v p="$p" '$1 == p { print $2 }' "$TMPD/sent"))"
		counted=$((counted + d + s))
		case " $ALWAYS_OPEN " in *" $p "*) MISJUDGED=$((MISJUDGED + d)) ;; esac
		case " $ALWAYS_CLOSED " in *" $p "*) MISJUDGED=$((MISJUDGED + s)) ;; esac
		case " $FLIPPING " in *" $p "*) [ "$d" -gt 0 ] && [ "$s" -gt 0 ] || FLIPS_SEEN=0 ;; esac
	done
	echo "  $sent sent at $RATE/s, $counted counted by the filter"
	# The counters must have seen the stream, or zero misjudgments prove
	# nothing (a lost CPU's counters, a stalled sender).
	[ "$counted" -ge $((sent * 95 / 100)) ] ||
		fail "the filter counted $counted of $sent packets"
}

# The negative control: the same traffic and checks catch a change made
# in two steps (all closed, then the new policy), in place.
test_checker_catches_a_two_step_change() {
	load_lab
	[ -x "$PXTWOSTEP" ] || skip "$PXTWOSTEP not built (make test-build)"
	"$PXTWOSTEP" save "$PIN" "$TMPD/a.bin"
	px apply "$IF_IN" "$B" >/dev/null
	"$PXTWOSTEP" save "$PIN" "$TMPD/b.bin"
	px apply "$IF_IN" "$A" >/dev/null
	stream_start
	"$PXTWOSTEP" run "$PIN" "$TMPD/a.bin" "$TMPD/b.bin" 300 ||
		{ kill "${STREAMS[@]}"; fail "pxtwostep failed"; }
	stream_stop
	echo "  a two-step change misjudged $MISJUDGED packets"
	[ "$MISJUDGED" -gt 0 ] ||
		fail "a non-atomic change went unseen: the swap test would prove nothing"
}

test_swaps_under_load_misjudge_nothing() {
	load_lab
	local i t0 t1 pol
	stream_start
	t0=$(date +%s%N)
	SECONDS=0
	for ((i = 1; i <= SWAPS; i++)); do
		if ((i % 2)); then pol=$B; else pol=$A; fi
		px apply "$IF_IN" "$pol" >/dev/null ||
			{ kill "${STREAMS[@]}"; fail "apply $i failed"; }
		((SECONDS < SECS || i < SWAPS / 10)) || { i=$((i + 1)) && break; }
	done
	SWAPS=$((i - 1))
	t1=$(date +%s%N)
	echo "  $SWAPS swaps in $(((t1 - t0) / 1000000)) ms" \
		"($(((t1 - t0) / SWAPS / 1000)) us per apply command)"
	stream_stop
	assert_eq "$MISJUDGED" 0 "packets to ports open in both or closed in both, misjudged"
	assert_eq "$FLIPS_SEEN" 1 "both verdicts seen on the flipping ports"
	sent=$(awk '$1 == "total" { print $2 }' "$TMPD/sent")
	[ "$sent" -ge $((SWAPS * 10)) ] || fail "only $sent packets over $SWAPS swaps"
}

# Which whole policy is live: "A", "B", or what diff said.
live_policy() {
	local f
	for f in A B; do
		if px diff "$IF_IN" "${!f}" | grep -q ': no change:'; then
			echo "$f"
			return
		fi
	done
	echo "neither: $(px diff "$IF_IN" "$A" | tail -1)"
}

test_sigkill_mid_apply_leaves_a_whole_policy() {
	need jq
	[ -x "$PXSLOTKILL" ] || skip "$PXSLOTKILL not built (make test-build)"
	lab_setup
	px attach "$IF_IN" --policy "$A" >/dev/null
	PIN=/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$NS")/$IF_IN/policy
	local i pid rc pol want live src old=0 new=0 done_=0 before
	SECONDS=0
	for ((i = 1; i <= KILLS; i++)); do
		((SECONDS < SECS || i <= KILLS / 10)) || break
		if ((i % 2)); then pol=B; else pol=A; fi
		before=$(live_policy)
		"$PORTXDP" --netns "$NS" apply "$IF_IN" "${!pol}" >/dev/null 2>&1 &
		pid=$!
		# Mostly 0-15 ms into the command (start-up, parse, map
		# build, the swap and its RCU wait); every tenth kill at once,
		# so the "old policy" side is seen even when a loaded machine
		# makes the start-up outlast the sleep's own fork; every third
		# the moment its swap is seen (pxslotkill), so the "new" side
		# is seen even when the command waits for the pins lock.
		if ((i % 3 == 0)); then
			"$PXSLOTKILL" "$PIN" "$pid" >/dev/null || true
		elif ((i % 10)); then
			sleep "0.$(printf %03d $((RANDOM % 16)))"
		fi
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		live=$(live_policy)
		case $live in
		A | B) ;;
		*) fail "kill $i (apply $pol, exit $rc): the live policy is $live" ;;
		esac
		src=$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source')
		want=$(realpath "${!live}")
		assert_eq "$src" "$want" "kill $i: status source of live policy $live"
		if [ "$rc" = 0 ]; then
			done_=$((done_ + 1))
			assert_eq "$live" "$pol" "kill $i: apply finished but"
		elif [ "$live" = "$pol" ] && [ "$before" != "$pol" ]; then
			new=$((new + 1))
		else
			old=$((old + 1))
		fi
	done
	KILLS=$((i - 1))
	echo "  $KILLS applies killed at random: $old left the old policy," \
		"$new the new one, $done_ finished first"
	# Both outcomes of a kill must have been seen, or the kills missed
	# the moment that matters.
	[ "$old" -gt 0 ] && [ "$new" -gt 0 ] ||
		fail "kills never landed on both sides of the swap"
	# The filter still works after all that.
	px apply "$IF_IN" "$A" >/dev/null
	expect_udp reached 5001
	expect_udp timeout 6001
}

# ---- zones -----------------------------------------------------------------

# Four sources, each with ports of its own: S1-S3 IPv6 addresses added to
# the outer end, S4 the lab's IPv4 peer. ZA and ZB zone them differently
# (S2 in a /128 nested in S1's /127, then S2 and S3 sharing a /120 with S3
# in a /128 of its own), yet every source's 5k0x ports are open in both,
# its 6k0x closed in both, and its 7k01 and 7k02 flip.
zone_layouts() {
	local n=2001:db8:$LAB_SLOT
	S1=$n::10 S2=$n::11 S3=$n::20 S4=$ADDR_OUT
	ZA=$TMPD/za.policy
	ZB=$TMPD/zb.policy
	cat >"$ZA" <<P
default closed
zone ops $n::10/127
zone near $n::11
zone lab $n::/64
zone decoy $n:ff::/64 198.51.100.0/30
open 5101-5102/udp 7101/udp from ops
open 5201-5202/udp 7201/udp from near
open 5301-5302/udp 7301/udp from lab
open 5401-5402/udp 7401/udp
open 6101-6102/udp 6201-6202/udp 6301-6302/udp 6401-6402/udp from decoy
block $n:fe::/64
P
	cat >"$ZB" <<P
default closed
zone wide $n::/120
zone far $n::20
zone ops $n::10
open 5101-5102/udp 7102/udp from ops
open 5201-5202/udp 7202/udp from wide
open 5301-5302/udp 7302/udp from far
open 5401-5402/udp 7402/udp
open 6101-6102/udp from $n:fe::/64
block $n:ff::/64
P
	ip -6 addr add "$S1/64" dev "$IF_OUT" nodad
	ip -6 addr add "$S2/64" dev "$IF_OUT" nodad
	ip -6 addr add "$S3/64" dev "$IF_OUT" nodad
	# datagrams that pass to ports without a socket: few ICMPv6 answers
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_ratelimit=1000 \
		net.ipv6.icmp.ratelimit=1000
}

# Source k's ports by kind.
src_ports() { # k kind(5 6 7)
	echo "${2}${1}01 ${2}${1}02"
}

zone_streams_start() {
	local k src dst
	STREAMS=()
	rm -f "$TMPD"/sent.* # an earlier test's counts are not this one's
	for k in 1 2 3 4; do
		src=S$k
		dst=$ADDR6_IN
		[ "$k" = 4 ] && dst=$ADDR_IN
		"$PXSTREAM" -s "${!src}" "$dst" $((RATE / 4)) 0 \
			$(src_ports $k 5) $(src_ports $k 6) $(src_ports $k 7) \
			>"$TMPD/sent.$k" &
		STREAMS+=($!)
	done
	sleep 0.2
}

test_zone_swaps_under_load_misjudge_nothing() {
	need jq
	[ -x "$PXSTREAM" ] || skip "$PXSTREAM not built (make test-build)"
	lab_setup
	zone_layouts
	px attach "$IF_IN" --policy "$ZA" >/dev/null
	local i k t0 t1 pol
	ALWAYS_OPEN="" ALWAYS_CLOSED="" FLIPPING=""
	for k in 1 2 3 4; do
		ALWAYS_OPEN+=" $(src_ports $k 5)"
		ALWAYS_CLOSED+=" $(src_ports $k 6)"
		FLIPPING+=" $(src_ports $k 7)"
	done
	zone_streams_start
	t0=$(date +%s%N)
	for ((i = 1; i <= ZONE_SWAPS; i++)); do
		if ((i % 2)); then pol=$ZB; else pol=$ZA; fi
		px apply "$IF_IN" "$pol" >/dev/null ||
			{ kill "${STREAMS[@]}"; fail "apply $i failed"; }
	done
	t1=$(date +%s%N)
	echo "  $ZONE_SWAPS swaps between zone layouts in" \
		"$(((t1 - t0) / 1000000)) ms"
	stream_stop
	assert_eq "$MISJUDGED" 0 "packets to ports open in both or closed in both, misjudged"
	assert_eq "$FLIPS_SEEN" 1 "both verdicts seen on the flipping ports"
}

# Every flipping port's verdict now, probed from its own source (two
# datagrams each, counted by the filter): "A" when all are ZA's, "B" when
# all are ZB's, else the verdicts seen (P passed, D dropped, ? neither).
zone_verdicts() {
	local k src dst ports="" seen want_a="" want_b="" p i
	px stats "$IF_IN" --json >"$TMPD/before"
	for k in 1 2 3 4; do
		src=S$k
		dst=$ADDR6_IN
		[ "$k" = 4 ] && dst=$ADDR_IN
		"$PXSTREAM" -n 2 -s "${!src}" "$dst" 1 0 $(src_ports $k 7) >/dev/null
		ports+=" $(src_ports $k 7)"
	done
	# until every datagram is counted (up to 5 s on a loaded machine)
	for i in $(seq 50); do
		px stats "$IF_IN" --json >"$TMPD/after"
		seen=$(jq -rn --arg ports "$ports" \
			--slurpfile a "$TMPD/before" --slurpfile b "$TMPD/after" '
			def c(f; p): [f[0].ports[] | select(.port == p and .proto == "udp")] |
				if length == 0 then [0, 0] else [.[0].dropped, .[0].passed] end;
			[$ports | splits(" +") | select(length > 0) | tonumber | . as $p |
			 [c($b; $p), c($a; $p)] | [.[0][0] - .[1][0], .[0][1] - .[1][1]] |
			 if . == [2, 0] then "D" elif . == [0, 2] then "P" else "?" end] |
			join("")')
		case $seen in *"?"*) sleep 0.1 ;; *) break ;; esac
	done
	for p in $ports; do
		# ZA opens 7k01, ZB 7k02
		case $p in *01) want_a+=P want_b+=D ;; *) want_a+=D want_b+=P ;; esac
	done
	case $seen in
	"$want_a") echo A ;;
	"$want_b") echo B ;;
	*) echo "a mix: $seen (ZA $want_a, ZB $want_b)" ;;
	esac
}

# Which maps are in the two zone slots (include/portxdp.h, "Zones"): an
# apply that put its maps in the free slot and was killed before its swap
# changes these and not the verdicts: the moment where a mix could be.
zone_slots() {
	bpftool map dump pinned "$ZPIN" 2>&1
}

test_sigkill_mid_zone_apply_leaves_a_whole_layout() {
	need jq bpftool
	[ -x "$PXSTREAM" ] || skip "$PXSTREAM not built (make test-build)"
	[ -x "$PXSLOTKILL" ] || skip "$PXSLOTKILL not built (make test-build)"
	lab_setup
	zone_layouts
	px attach "$IF_IN" --policy "$ZA" >/dev/null
	ZPIN=/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$NS")/$IF_IN/zones
	assert_eq "$(zone_verdicts)" A "verdicts after attaching ZA"
	local i f pid rc pol live before=A src want slots
	local early=0 between=0 new=0 done_=0
	for ((i = 1; i <= ZONE_KILLS; i++)); do
		if ((i % 2)); then pol=B; else pol=A; fi
		f=Z$pol
		slots=$(zone_slots)
		"$PORTXDP" --netns "$NS" apply "$IF_IN" "${!f}" >/dev/null 2>&1 &
		pid=$!
		if ((i % 3)); then
			# the moment its first map lands in the free slot (the
			# apply may wait for the lock first, however long)
			"$PXSLOTKILL" "$ZPIN" "$pid" >/dev/null || true
		else
			sleep "0.$(printf %03d $((RANDOM % 40)))"
		fi
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		live=$(zone_verdicts)
		case $live in
		A | B) ;;
		*) fail "kill $i (apply Z$pol, exit $rc): the live verdicts are $live" ;;
		esac
		src=$(px status "$IF_IN" --json | jq -r '.interfaces[0].policy.source')
		f=Z$live
		want=$(realpath "${!f}")
		assert_eq "$src" "$want" "kill $i: status source of live layout Z$live"
		if [ "$rc" = 0 ]; then
			done_=$((done_ + 1))
			assert_eq "$live" "$pol" "kill $i: apply finished but"
		elif [ "$live" = "$pol" ] && [ "$before" != "$pol" ]; then
			new=$((new + 1))
		elif [ "$(zone_slots)" != "$slots" ]; then
			between=$((between + 1))
		else
			early=$((early + 1))
		fi
		before=$live
	done
	echo "  $ZONE_KILLS zone applies killed: $early before their maps were" \
		"in place, $between after (the old layout whole), $new after the" \
		"swap, $done_ finished first"
	# The kills must have met the moment that matters: new maps in the
	# free slot, the base not swapped yet.
	[ "$between" -gt 0 ] ||
		fail "no kill landed between the maps and the swap"
	# The filter still works after all that.
	px apply "$IF_IN" "$ZB" >/dev/null
	assert_eq "$(zone_verdicts)" B "verdicts after a whole apply of ZB"
}

run_tests
