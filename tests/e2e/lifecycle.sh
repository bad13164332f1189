#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of an attached filter's life (user/filter*.c):
#   - attach --force replaces a filter without a gap: a listening socket
#     behind a port closed in both policies receives nothing while the
#     filter is replaced again and again under 1000 packets/s;
#   - attach --force interrupted by SIGTERM, SIGINT or SIGKILL at random
#     moments always leaves a working filter with whole pins;
#   - `ip netns exec NS portxdp attach IF` is refused: its bpffs would die
#     with the command;
#   - an interface moved to another namespace, or replaced by a new one of
#     the same name and index, is reported as such, and apply refuses;
#   - an interface name with '/', '..' and the like is bad usage on every
#     verb (exit 2), and reaches no other namespace's filter;
#   - pins whose filter is gone: stats, diff, log, apply, open and close
#     say so and point at `detach --stale`; status lists them as gone,
#     not under a namespace that took over their namespace's inode;
#   - root inside `unshare -Ur` reads a permission error, not "not attached";
#   - a kernel feature missing makes attach say which, and since when.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PORTXDP_ABS=$(realpath "$PORTXDP")
PXSTREAM=${PXSTREAM:-$BUILD/tools/pxstream}
PXSINK=${PXSINK:-$BUILD/tools/pxsink}
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
NS2=pxl$$
# NS2's veth: names of this run only, as `status` lists every
# namespace's filters (other runs' too)
LA=pxla$$ LB=pxlb$$
unset SSH_CONNECTION
# 6001/udp and 23/tcp are closed in both.
A=$TMPD/a.policy
B=$TMPD/b.policy
printf 'default closed\nopen 22/tcp 5001/udp\n' >"$A"
printf 'default open\nclose 6001/udp 23/tcp\n' >"$B"

ns_pins() { # namespace -> its pin folder
	echo "/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$1")"
}

# The mode the tests attach in: XDP (generic) by default, as they look at
# the XDP program; the _tc and _between_hooks variants change it.
LMODE=generic

xdp_prog_id() { # namespace ifname -> attached program id, or empty
	ip -n "$1" -d link show dev "$2" 2>/dev/null |
		awk '/prog\/xdp/ { for (i = 1; i <= NF; i++) if ($i == "id") { print $(i + 1); exit } }'
}

# A working filter on $IF_IN: status says attached, names the program the
# interface runs, the pins are whole and the live policy is A or B.
assert_working() { # what
	local st id f
	st=$(px status "$IF_IN" 2>&1) || fail "$1: status: $st"
	echo "$st" | grep -q "^$IF_IN: attached" || fail "$1: status: $st"
	id=$(echo "$st" | grep -o 'program id [0-9]*' | awk '{ print $3 }')
	# in tc mode, "attached" is the kernel's word that the program runs
	echo "$st" | grep -q "tc mode" ||
		assert_eq "$(xdp_prog_id "$NS" "$IF_IN")" "$id" "$1: program on $IF_IN"
	for f in link prog policy counters totals events log_ctl; do
		[ -e "$PINS/$f" ] || fail "$1: pin $f missing"
	done
	echo "$st" | grep -qE "^  policy +($A|$B) \(" ||
		fail "$1: the live policy is neither A nor B: $st"
}

attach_lab() {
	lab_setup
	px attach "$IF_IN" --policy "$A" --mode "$LMODE" >/dev/null
	PINS=$(ns_pins "$NS")/$IF_IN
}

sink_start() {
	local i
	: >"$TMPD/sink"
	ip netns exec "$NS" "$PXSINK" 6001 >"$TMPD/got" 2>"$TMPD/sink" &
	SINK=$!
	on_cleanup "kill $SINK 2>/dev/null"
	for i in $(seq 300); do
		grep -q ready "$TMPD/sink" && return 0
		sleep 0.1
	done
	fail "pxsink did not start: $(cat "$TMPD/sink")"
}

# Not called as $(sink_stop): a subshell cannot wait for the sink, and
# the count would be read before the sink wrote it.
sink_stop() { # -> GOT, the count
	kill -TERM "$SINK"
	wait "$SINK" || fail "pxsink exited with status $?"
	GOT=$(cat "$TMPD/got")
}

test_force_attach_leaves_no_gap() {
	[ -x "$PXSTREAM" ] && [ -x "$PXSINK" ] || skip "tools not built (make test-build)"
	attach_lab
	local stream i p m got sent
	sink_start
	"$PXSTREAM" "$ADDR_IN" 1000 0 6001 >"$TMPD/sent" &
	stream=$!
	on_cleanup "kill $stream 2>/dev/null"
	sleep 0.3
	for i in $(seq 10); do
		if ((i % 2)); then p=$B; else p=$A; fi
		m=$LMODE
		[ "${MIXED:-}" = "" ] || { ((i % 2)) && m=tc || m=generic; }
		px attach --force "$IF_IN" --policy "$p" --mode "$m" >/dev/null 2>&1 ||
			fail "attach --force $i ($m) failed"
	done
	sleep 0.3
	kill -TERM "$stream"
	wait "$stream"
	sleep 0.1
	sink_stop
	got=$GOT
	sent=$(awk '$1 == "total" { print $2 }' "$TMPD/sent")
	echo "  $sent packets sent to 6001/udp during 10 replacements, $got reached the socket"
	[ "$sent" -ge 500 ] || fail "the stream sent only $sent packets"
	assert_eq "$got" 0 "packets through during attach --force"
	assert_working "after 10 replacements"
	# The control: the same socket counts what a filter lets through.
	sink_start
	px open "$IF_IN" 6001/udp >/dev/null
	"$PXSTREAM" "$ADDR_IN" 1000 0.3 6001 >/dev/null
	sleep 0.1
	sink_stop
	got=$GOT
	[ "$got" -ge 100 ] || fail "the control: $got packets reached the socket with 6001/udp open"
}

test_force_attach_leaves_no_gap_tc() {
	LMODE=tc test_force_attach_leaves_no_gap
}

test_force_attach_leaves_no_gap_between_hooks() {
	MIXED=1 test_force_attach_leaves_no_gap
}

test_signals_during_force_attach_leave_a_working_filter() {
	attach_lab
	local i sig pid rc t0 t1 ms=500 landed=0 delay
	# Signals land anywhere in an attach's time (the quicker of two).
	for i in 1 2; do
		t0=$(date +%s%N)
		px attach --force "$IF_IN" --policy "$B" --mode "$LMODE" >/dev/null 2>&1
		t1=$(date +%s%N)
		[ $(((t1 - t0) / 1000000)) -ge "$ms" ] || ms=$(((t1 - t0) / 1000000))
	done
	for i in $(seq 50); do
		case $((i % 3)) in 0) sig=TERM ;; 1) sig=INT ;; 2) sig=KILL ;; esac
		if ((i % 2)); then p=$B; else p=$A; fi
		delay=$((RANDOM % ms))
		env --default-signal=INT,TERM "$PORTXDP" --netns "$NS" attach --force \
			"$IF_IN" --policy "$p" >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '0.%03d' "$delay")"
		kill -s "$sig" "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		# An attach that finished first took less than delay: later
		# delays stay nearer its time (the two measured at the start may
		# have met a busier moment than the rest).
		if [ "$rc" -gt 128 ]; then
			landed=$((landed + 1))
		elif [ "$rc" = 0 ] && [ "$delay" -lt "$ms" ]; then
			ms=$(((ms + delay) / 2 + 1))
		fi
		assert_working "SIG$sig after ${delay} ms (attach exit $rc)"
	done
	echo "  50 interruptions within ${ms} ms: $landed landed before attach finished"
	[ "$landed" -ge 10 ] || fail "only $landed signals landed: the test proves little"
	# What a killed attach left is tidied by the next one.
	px attach --force "$IF_IN" --policy "$A" --mode "$LMODE" >/dev/null
	[ -z "$(ls "$(ns_pins "$NS")" | grep ':')" ] || fail "half-made folders left"
	expect_udp timeout 6001
	expect_tcp reached 22
}

test_ip_netns_exec_attach_is_refused() {
	lab_setup
	local out rc=0
	out=$(ip netns exec "$NS" "$PORTXDP_ABS" attach "$IF_IN" --policy "$A" --mode "$LMODE" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status"
	assert_eq "$(echo "$out" | lines_said)" 1 "lines"
	echo "$out" | grep -qF "run 'portxdp --netns $NS attach $IF_IN' instead" ||
		fail "attach said: $out"
	[ -z "$(xdp_prog_id "$NS" "$IF_IN")" ] || fail "something was attached"
	[ ! -e "$(ns_pins "$NS")/$IF_IN" ] || fail "pins were left"
	# A mount namespace of its own that keeps the host's bpffs is fine:
	# the pins are the host's and outlive the command.
	unshare -m --propagation private "$PORTXDP_ABS" --netns "$NS" attach \
		"$IF_IN" --policy "$A" >/dev/null || fail "attach under unshare -m failed"
	[ -e "$(ns_pins "$NS")/$IF_IN/link" ] || fail "no pins on the host's bpffs"
	px status "$IF_IN" | grep -q "^$IF_IN: attached" || fail "not attached"
	expect_udp timeout 6001
}

test_moved_interface_is_reported_and_left_alone() {
	attach_lab
	stale_lock
	local idx out rc=0
	trap 'ip netns del "$NS2" 2>/dev/null || true; lab_cleanup' EXIT
	ip netns add "$NS2"
	idx=$(ip -n "$NS" -o link show "$IF_IN" | cut -d: -f1)
	ip -n "$NS" link set "$IF_IN" netns "$NS2"
	out=$(px status "$IF_IN")
	echo "$out" | grep -q "^$IF_IN: interface moved" || fail "status: $out"
	echo "$out" | grep -q "network namespace $NS2" || fail "status names no namespace: $out"
	px status --json | jq -e --arg ns "$NS2" \
		'.interfaces[0].moved_to.netns == $ns' >/dev/null || fail "status --json: $(px status --json)"
	# A new interface of the same name and index takes its place here.
	ip -n "$NS" link add "$IF_IN" index "$idx" type veth peer name "pxq$$"
	out=$(px status "$IF_IN")
	echo "$out" | grep -q "^$IF_IN: interface moved" || fail "status with a new $IF_IN: $out"
	out=$(px apply "$IF_IN" "$B" 2>&1) || rc=$?
	assert_eq "$rc" 1 "apply to the new $IF_IN"
	echo "$out" | grep -q "moved to network namespace $NS2" || fail "apply said: $out"
	px status "$IF_IN" | grep -q "policy *$A " || fail "the moved filter's policy changed"
	assert_status 1 px close "$IF_IN" 22
	assert_status 1 px stats "$IF_IN"
	# The moved filter still filters where it went.
	[ -n "$(xdp_prog_id "$NS2" "$IF_IN")" ] || fail "the moved filter was detached"
}

test_bad_interface_names_are_bad_usage_on_every_verb() {
	attach_lab
	local name verb out rc extra
	ip netns add "$NS2"
	trap 'ip netns del "$NS2" 2>/dev/null || true; lab_cleanup' EXIT
	ip -n "$NS2" link add "$LA" type veth peer name "$LB"
	"$PORTXDP" --netns "$NS2" attach "$LA" --policy "$A" --mode "$LMODE" >/dev/null
	for name in "../net-$(stat -L -c %i "/var/run/netns/$NS2")/$LA" "../$LA" a/b .. . "" \
		x:1 "a b" 0123456789abcdef; do
		for verb in attach detach status apply open close diff stats log; do
			case $verb in
			apply | diff) extra=("$A") ;;
			open | close) extra=(80) ;;
			*) extra=() ;;
			esac
			rc=0
			out=$(px "$verb" "$name" "${extra[@]}" 2>&1) || rc=$?
			assert_eq "$rc" 2 "portxdp $verb '$name'"
			echo "$out" | grep -q "is not an interface name" ||
				fail "portxdp $verb '$name' said: $out"
		done
	done
	[ -n "$(xdp_prog_id "$NS2" "$LA")" ] || fail "$NS2's filter was detached"
	"$PORTXDP" --netns "$NS2" status "$LA" | grep -q "^$LA: attached" ||
		fail "$NS2's filter changed"
}

test_gone_filter_is_named_by_every_verb() {
	attach_lab
	stale_lock
	local cmd out rc
	ip link del "$IF_OUT" # takes $IF_IN with it
	for _ in $(seq 100); do
		px status "$IF_IN" | grep -q "interface gone" && break
		sleep 0.1
	done
	# Again with a new interface of the same name: the pins are not its.
	for round in deleted new; do
		while IFS= read -r cmd; do
			rc=0
			# (30 s: log, apply, open and close first wait for the
			# pins lock, which another run's commands may hold)
			# shellcheck disable=SC2086 # cmd is a word list on purpose
			out=$(timeout 30 "$PORTXDP" --netns "$NS" $cmd 2>&1) || rc=$?
			assert_eq "$rc" 1 "$round: 'portxdp $cmd' exit status"
			echo "$out" | grep -qF "portxdp detach --stale" ||
				fail "$round: 'portxdp $cmd' said: $out"
		done <<EOF
stats $IF_IN
stats $IF_IN --json
diff $IF_IN $A
log $IF_IN
apply $IF_IN $B
open $IF_IN 80
close $IF_IN 22
EOF
		[ $round = new ] || ip -n "$NS" link add "$IF_IN" type veth peer name "pxq$$"
	done
	px status "$IF_IN" | grep -q "interface gone" || fail "status: $(px status "$IF_IN")"
	px detach --stale | grep -q "removed stale pins of $IF_IN" || fail "detach --stale"
}

# A deleted namespace's inode is soon reused by the next namespace made:
# its filter's pins must not be listed as that namespace's.
test_stale_pins_are_not_listed_under_a_new_namespace() {
	lab_setup
	stale_lock
	local out i
	NS3=pxn$$ INO=x
	# Only $LA's pins, then the folder if empty: NS2's inode is the next
	# namespace's, NS3's or another run's, which pins its filters there.
	trap 'ip netns del "$NS2" 2>/dev/null || true; ip netns del "$NS3" 2>/dev/null || true; rm -rf "/sys/fs/bpf/portxdp/net-$INO/$LA"; rmdir "/sys/fs/bpf/portxdp/net-$INO" 2>/dev/null; lab_cleanup' EXIT
	ip netns add "$NS2"
	ip -n "$NS2" link add "$LA" type veth peer name "$LB"
	"$PORTXDP" --netns "$NS2" attach "$LA" --policy "$A" --mode "$LMODE" >/dev/null
	INO=$(stat -L -c %i "/var/run/netns/$NS2")
	ip netns del "$NS2"
	for i in $(seq 150); do # the kernel tears a namespace down later
		"$PORTXDP" status | grep -q "^$LA: pinned in a network namespace that is gone" && break
		sleep 0.1
	done
	ip netns add "$NS3"
	out=$("$PORTXDP" status)
	echo "  $NS3 got inode $(stat -L -c %i "/var/run/netns/$NS3"), $NS2 had $INO"
	echo "$out" | grep -q "^$LA: pinned in a network namespace that is gone" ||
		fail "status: $out"
	echo "$out" | grep -q "^$LA: attached" && fail "$LA listed as attached: $out"
	"$PORTXDP" status --json | jq -e --arg i "$LA" '[.other_namespaces[] | select(.interface == $i)][0] |
		.netns == null and .state == "interface gone"' >/dev/null ||
		fail "status --json: $("$PORTXDP" status --json)"
}

test_user_namespace_root_gets_a_permission_error() {
	lab_setup
	local cmd out rc
	"$PORTXDP" attach "$IF_OUT" --policy "$A" --mode "$LMODE" >/dev/null
	trap '"$PORTXDP" detach "$IF_OUT" >/dev/null 2>&1 || true; lab_cleanup' EXIT
	while IFS= read -r cmd; do
		rc=0
		# shellcheck disable=SC2086 # cmd is a word list on purpose
		out=$(unshare -Ur "$PORTXDP_ABS" $cmd 2>&1) || rc=$?
		assert_eq "$rc" 1 "'portxdp $cmd' under unshare -Ur"
		echo "$out" | grep -q "not attached" && fail "'portxdp $cmd' said: $out"
		echo "$out" | grep -qi "not permitted\|permission denied" ||
			fail "'portxdp $cmd' said: $out"
	done <<EOF
status
status $IF_OUT
stats $IF_OUT
diff $IF_OUT $A
apply $IF_OUT $B
detach $IF_OUT
detach --stale
attach $IF_OUT --force --policy $B
EOF
	"$PORTXDP" status "$IF_OUT" | grep -q "^$IF_OUT: attached" || fail "the filter changed"
}

test_missing_kernel_feature_is_named() {
	lab_setup
	local key out rc
	for key in xdp:4.8 mmap:5.5 ringbuf:5.8 xdp-link:5.9; do
		rc=0
		out=$(PORTXDP_PROBE_MISSING=${key%%:*} px attach "$IF_IN" --policy "$A" --mode "$LMODE" 2>&1) || rc=$?
		assert_eq "$rc" 1 "${key%%:*}: exit status"
		assert_eq "$(echo "$out" | lines_said)" 1 "${key%%:*}: lines"
		echo "$out" | grep -q "came with Linux ${key#*:}; portxdp runs on Linux 5.9 or later" ||
			fail "${key%%:*}: attach said: $out"
		[ -z "$(xdp_prog_id "$NS" "$IF_IN")" ] || fail "${key%%:*}: something was attached"
	done
}

run_tests
