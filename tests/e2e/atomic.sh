#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Proof that a live policy change is atomic (doc/design.md, section 5, issue 4), with two
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

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PXSTREAM=${PXSTREAM:-$BUILD/tools/pxstream}
PXTWOSTEP=${PXTWOSTEP:-$BUILD/tools/pxtwostep}
SWAPS=${SWAPS:-1000}
KILLS=${KILLS:-150}
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

stream_start() {
	"$PXSTREAM" "$ADDR_IN" "$RATE" 0 $ALWAYS_OPEN $ALWAYS_CLOSED $FLIPPING \
		>"$TMPD/sent" &
	STREAM=$!
	sleep 0.2
}

# Stop the stream, read the counters, print them; sets MISJUDGED (drops on
# always-open ports plus passes on always-closed ones) and FLIPS_SEEN.
stream_stop() {
	local p d s sent counted=0
	sleep 0.2
	kill -TERM "$STREAM"
	wait "$STREAM"
	sleep 0.3 # the last packets through the peer's NAPI
	px stats "$IF_IN" --json >"$TMPD/stats"
	sent=$(awk '$1 == "total" { print $2 }' "$TMPD/sent")
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
		{ kill "$STREAM"; fail "pxtwostep failed"; }
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
	for ((i = 1; i <= SWAPS; i++)); do
		if ((i % 2)); then pol=$B; else pol=$A; fi
		px apply "$IF_IN" "$pol" >/dev/null ||
			{ kill "$STREAM"; fail "apply $i failed"; }
	done
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
	lab_setup
	px attach "$IF_IN" --policy "$A" >/dev/null
	local i pid rc pol want live src old=0 new=0 done_=0 before
	for ((i = 1; i <= KILLS; i++)); do
		if ((i % 2)); then pol=B; else pol=A; fi
		before=$(live_policy)
		"$PORTXDP" --netns "$NS" apply "$IF_IN" "${!pol}" >/dev/null 2>&1 &
		pid=$!
		# Mostly 0-15 ms into the command (start-up, parse, map
		# build, the swap and its RCU wait); every tenth kill at once,
		# so the "old policy" side is seen even when a loaded machine
		# makes the start-up outlast the sleep's own fork.
		((i % 10 == 0)) ||
			sleep "0.$(printf %03d $((RANDOM % 16)))"
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

run_tests
