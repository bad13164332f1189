# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# `portxdp lab`: up/probe/down on the fixed lab names (portxdp-lab, pxlab0,
# pxlab1), probe verdicts against policies with known answers and against
# the filter's statistics, refusal when the lab is up, and removal of
# everything on every failure path (PORTXDP_LAB_FAIL=N fails `lab up` after
# its Nth step). A lab someone left up is not touched: the tests skip.
. "$(dirname "$0")/../lib/e2e.sh"

LAB=/var/run/netns/portxdp-lab
POL=$(mktemp /tmp/pxlab.XXXXXX)
trap 'rm -f "$POL" "$POL.on" "$POL.off"' EXIT
printf 'default closed\nopen ssh 53/udp\n' >"$POL"

lab() { "$PORTXDP" lab "$@"; }

# Every test ends with the lab removed, however it ends; but one it found
# up (someone's `make demo`, and it skipped) is left alone.
lab_cleanup() {
	[ -z "${LAB_MINE:-}" ] || "$PORTXDP" lab down >/dev/null 2>&1
	return 0
}

need_no_lab() {
	# one lab per machine: a test of another run waits for this one
	exec {LAB_FD}>>/run/lock/portxdp-labverb.lock
	flock "$LAB_FD"
	[ -e "$LAB" ] && skip "a lab is already up; run 'portxdp lab down'"
	[ -x "$PORTXDP" ] || skip "no $PORTXDP: build it first"
	LAB_MINE=1
}

# Nothing of the lab is left: namespace, outside veth, pins.
assert_no_lab() {
	[ ! -e "$LAB" ] || fail "namespace portxdp-lab is left"
	! ip link show pxlab0 >/dev/null 2>&1 || fail "veth pxlab0 is left"
	! ls -d /sys/fs/bpf/portxdp/net-*/pxlab1 >/dev/null 2>&1 ||
		fail "pins left: $(ls -d /sys/fs/bpf/portxdp/net-*/pxlab1)"
}

verdict() { # SPEC [probe options]: the result column of one probe line
	local spec=$1
	shift
	lab probe "$spec" "$@" | awk '!/^from / { print $NF }'
}

test_up_probe_down() {
	need_no_lab
	lab up --policy "$POL" | grep -q 'lab up: pxlab0 198.51.100.1'
	ip -n portxdp-lab -o addr show pxlab1 | grep -q '198.51.100.2/30'
	ip -o addr show pxlab0 | grep -q '2001:db8:ff::1/64'
	assert_eq "$(verdict 22/tcp)" passed "22/tcp (open)"
	assert_eq "$(verdict 23/tcp)" dropped "23/tcp (closed)"
	assert_eq "$(verdict 53/udp)" passed "53/udp (open)"
	assert_eq "$(verdict 54/udp)" dropped "54/udp (closed)"
	assert_eq "$(verdict ping)" dropped "ping (default closed)"
	assert_eq "$(verdict 22/tcp --ipv6)" passed "22/tcp over IPv6"
	assert_eq "$(verdict 23/tcp -6)" dropped "23/tcp over IPv6"
	lab down | grep -q 'lab down'
	assert_no_lab
}

test_probe_spec_forms() {
	need_no_lab
	lab up --policy "$POL" >/dev/null
	# a name, a bare port (tcp and udp), a list, in order
	out=$(lab probe ssh 53 80,81/tcp)
	echo "$out"
	assert_eq "$(echo "$out" | awk '{ print $1 ":" $NF }' | tr '\n' ' ')" \
		"22/tcp:passed 53/tcp:dropped 53/udp:passed 80/tcp:dropped 81/tcp:dropped " \
		"probe lines"
	echo "$out" | grep -q '^22/tcp  *ssh  *passed$' || fail "no name column"
}

test_probe_json() {
	need_no_lab
	lab up --policy "$POL" >/dev/null
	out=$(lab probe 22/tcp ping --json)
	echo "$out"
	assert_eq "$(echo "$out" | wc -l)" 1 "JSON lines"
	echo "$out" | grep -q '"address": "198.51.100.2"' || fail "no address"
	echo "$out" | grep -q '{"port": 22, "proto": "tcp", "name": "ssh", "result": "passed"}' ||
		fail "22/tcp object"
	echo "$out" | grep -q '{"proto": "icmp", "name": "ping", "result": "dropped"}' ||
		fail "ping object"
}

# --outgoing: flows from inside the lab, answered here (option replies).
test_probe_outgoing() {
	need_no_lab
	printf 'default closed\nopen ssh\noption replies on\n' >"$POL.on"
	printf 'default closed\nopen ssh\n' >"$POL.off"
	lab up --policy "$POL.on" >/dev/null
	assert_eq "$(verdict 53/udp --outgoing)" reply-passed "53/udp out, replies on"
	assert_eq "$(verdict 443/tcp --outgoing)" reply-passed "443/tcp out, replies on"
	assert_eq "$(verdict 53/udp --outgoing -6)" reply-passed "53/udp out over IPv6"
	lab probe 53/udp --outgoing --json | grep -q '"address": "198.51.100.1", "direction": "outgoing"' ||
		fail "JSON: $(lab probe 53/udp --outgoing --json)"
	"$PORTXDP" --netns portxdp-lab apply pxlab1 "$POL.off" >/dev/null
	assert_eq "$(verdict 53/udp --outgoing --timeout 300)" reply-dropped "53/udp out, replies off"
	assert_eq "$(verdict 443/tcp --outgoing --timeout 300)" reply-dropped "443/tcp out, replies off"
	assert_status 2 lab probe ping --outgoing
}

# The verdicts are the filter's counters: stats must show the same.
test_probe_matches_stats() {
	need_no_lab
	lab up --policy "$POL" >/dev/null
	lab probe 23/tcp 23/tcp 22/tcp >/dev/null
	out=$("$PORTXDP" --netns portxdp-lab stats pxlab1 --json)
	echo "$out"
	echo "$out" | grep -q '"port": 23, "proto": "tcp", "name": "telnet", "state": "closed", "dropped": 2, "passed": 0' ||
		fail "23/tcp not dropped twice in stats"
	echo "$out" | grep -q '"port": 22, "proto": "tcp", "name": "ssh", "state": "open", "dropped": 0, "passed": 1' ||
		fail "22/tcp not passed once in stats"
}

# Apply through --netns changes what probe sees.
test_probe_after_apply() {
	need_no_lab
	lab up --policy "$POL" >/dev/null
	assert_eq "$(verdict 8080/tcp)" dropped "8080 before"
	"$PORTXDP" --netns portxdp-lab open pxlab1 8080/tcp ping >/dev/null
	assert_eq "$(verdict 8080/tcp)" passed "8080 after open"
	assert_eq "$(verdict ping)" passed "ping after open"
}

test_up_default_policy() {
	need_no_lab
	lab up | grep -q 'default.policy'
	# sunrpc is open from 'zone lan local' only: the lab's own prefix
	assert_eq "$(verdict sunrpc | tr '\n' ' ')" "passed passed " "sunrpc from lan"
	assert_eq "$(verdict sunrpc --from 203.0.113.9 | tr '\n' ' ')" \
		"dropped dropped " "sunrpc from elsewhere"
	assert_eq "$(verdict ssh)" passed "ssh"
}

test_up_refuses_when_up() {
	need_no_lab
	lab up --policy "$POL" >/dev/null
	assert_status 1 lab up --policy "$POL"
	lab up 2>&1 | grep -q "run 'portxdp lab down' first" || fail "no hint"
	# and the first lab still works
	assert_eq "$(verdict 22/tcp)" passed "22/tcp"
}

test_up_bad_policy_makes_nothing() {
	need_no_lab
	printf 'open 70000\n' >"$POL.bad"
	assert_status 2 lab up --policy "$POL.bad"
	rm -f "$POL.bad"
	assert_status 1 lab up --policy /nonexistent.policy
	assert_status 2 lab up --mode warp
	assert_no_lab
}

test_up_failure_removes_what_it_made() {
	local n
	need_no_lab
	for n in 1 2 3 4 5 6 7 8 9 10; do
		assert_status 1 env PORTXDP_LAB_FAIL=$n "$PORTXDP" lab up --policy "$POL"
		assert_no_lab
	done
	# and a normal up works afterwards
	lab up --policy "$POL" >/dev/null
	assert_eq "$(verdict 22/tcp)" passed "22/tcp after failed ups"
}

test_down_idempotent() {
	need_no_lab
	lab down | grep -q 'not up'
	lab up --policy "$POL" >/dev/null
	lab down >/dev/null
	lab down | grep -q 'not up'
	assert_no_lab
}

# The namespace deleted by hand: down still removes the veth and the pins.
test_down_after_namespace_deleted() {
	need_no_lab
	lab up --policy "$POL" >/dev/null
	ip netns del portxdp-lab
	sleep 0.2
	lab down >/dev/null
	assert_no_lab
}

test_probe_without_lab() {
	need_no_lab
	assert_status 1 lab probe 22/tcp
	lab probe 22/tcp 2>&1 | grep -q "run 'portxdp lab up'" || fail "no hint"
}

# Zones in the lab: `local` is pxlab1's prefixes (the probes' usual source
# 198.51.100.1 is in it), and --from ADDR probes from any source,
# naming its zone; a blocked source says so; bad addresses are refused.
test_probe_from_zones() {
	need_no_lab
	printf '%s\n' 'default closed' 'open 80/tcp' 'zone lan local' \
		'zone office 203.0.113.0/24 2001:db8:5::/48' \
		'zone foes 198.51.100.200' 'open 22 from office' \
		'open 7001 from lan' 'block foes' >"$POL.on"
	lab up --policy "$POL.on" >/dev/null
	assert_eq "$(verdict 7001/tcp)" passed "7001 from lan (local)"
	assert_eq "$(verdict 22/tcp)" dropped "ssh from lan"
	assert_eq "$(verdict 22/tcp --from 203.0.113.9)" passed "ssh from office"
	assert_eq "$(verdict 7001/tcp --from 203.0.113.9)" dropped "7001 from office"
	assert_eq "$(verdict 22/tcp --from 2001:db8:5::9)" passed "ssh from office v6"
	assert_eq "$(verdict ping --from 2001:db8:5::9)" dropped "ping from office v6"
	assert_eq "$(verdict 22/tcp --from 10.9.9.9)" dropped "ssh from no zone"
	assert_eq "$(verdict 80/tcp --from 10.9.9.9)" passed "http from no zone"
	assert_eq "$(verdict 80/tcp --from 198.51.100.200)" blocked "blocked source"
	lab probe 22/tcp --from 203.0.113.9 | grep -q '^from 203.0.113.9: zone office$' ||
		fail "no zone line: $(lab probe 22/tcp --from 203.0.113.9)"
	if command -v jq >/dev/null; then
		assert_eq "$(lab probe 7001/tcp --json | jq -r '.from + " " + .zone')" \
			"198.51.100.1 lan" "json from/zone"
		assert_eq "$(lab probe 22/tcp --json --from 10.9.9.9 | jq -r .zone)" \
			null "json zone of no zone"
	fi
	# nothing was configured for the probes' sources
	! ip -o addr show | grep -q '203.0.113.9' || fail "an address was added"
	local bad
	for bad in 127.0.0.1 ::1 224.0.0.1 ff02::1 198.51.100.2 1.2.3.4/32 nope ""; do
		assert_status 2 lab probe 22/tcp --from "$bad"
	done
	lab probe 22/tcp --from 127.0.0.1 2>&1 | grep -q "loopback" ||
		fail "no reason given for 127.0.0.1"
	assert_status 2 lab probe 22/tcp --from 10.0.0.1 --ipv6
	assert_status 2 lab probe 22/tcp --from 10.0.0.1 --outgoing
}

test_usage_errors() {
	need_no_lab
	assert_status 2 lab
	assert_status 2 lab sideways
	assert_status 2 lab probe
	assert_status 2 lab probe 70000/tcp
	assert_status 2 lab probe 1-1000
	assert_status 2 lab probe 22 --timeout 0
	assert_status 2 lab down extra
	# --netns: the lab names its own namespace (absent here: exit 1)
	assert_status 1 "$PORTXDP" --netns portxdp-lab lab up
	lab --help | grep -q 'lab probe SPEC'
	lab up --help | grep -q '198.51.100.0/24'
	assert_no_lab
}

# make demo's script: it works, and it leaves nothing behind.
test_demo() {
	need_no_lab
	out=$(BUILD=$BUILD PORTXDP=$PORTXDP tests/demo.sh 2>&1)
	echo "$out"
	echo "$out" | grep -q '^111/tcp  *sunrpc  *passed$' || fail "lan port from lan"
	echo "$out" | grep -q '^111/tcp  *sunrpc  *dropped$' || fail "lan port from elsewhere"
	echo "$out" | grep -q '^22/tcp  *ssh  *passed$' || fail "open port"
	echo "$out" | grep -q 'totals: dropped' || fail "no stats"
	assert_no_lab
}

test_demo_interrupted_cleans_up() {
	local pid i
	need_no_lab
	BUILD=$BUILD PORTXDP=$PORTXDP setsid tests/demo.sh >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 100); do
		ip link show pxlab0 >/dev/null 2>&1 && break
		sleep 0.05
	done
	kill -INT -- -"$pid" 2>/dev/null || true
	wait "$pid" || true
	assert_no_lab
}

run_tests
