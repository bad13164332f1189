#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of audit and suggest (design.md section 11) with
# listeners the test starts in the lab's namespace: audit finds exactly a
# listener on a closed port, an open port with no listener and a LAN-only
# port open to all, each naming its policy line, and skips a loopback
# listener; suggest's policy passes check and, applied, keeps every
# listener reachable and closes the rest; suggest --from traffic opens
# what passed; bad input gets one line and the right exit status.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PXLISTEN=${PXLISTEN:-$BUILD/tools/pxlisten}
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
POL=$TMPD/audit.policy
cat >"$POL" <<'P'
default closed
open 22/tcp
open 8080/tcp
open netbios-ssn
open ephemeral
P
unset SSH_CONNECTION

need_jq() { command -v jq >/dev/null || skip "jq is not installed (make deps-test)"; }

# Start listeners in the lab; they go with the test.
listen() {
	local pid
	pid=$(ip netns exec "$NS" "$PXLISTEN" "$@") || fail "pxlisten $*"
	on_cleanup "kill $pid 2>/dev/null"
}

# The findings of `audit --json` as "kind port/proto line,...".
findings() {
	jq -r '[.findings[] | "\(.kind) \(.port)/\(.proto) \(.line)"] | join(",")'
}

test_audit_finds_exactly_those() {
	need_jq
	lab_setup
	listen tcp:0.0.0.0:5432 "tcp:[::]:22" tcp:0.0.0.0:139 tcp:127.0.0.1:6000
	px attach "$IF_IN" --policy "$POL" >/dev/null
	out=$(px audit "$IF_IN" --json) && fail "audit found nothing: $out"
	assert_status 3 px audit "$IF_IN"
	assert_eq "$(echo "$out" | findings)" \
		"closed_listening 5432/tcp 1,open_unused 8080/tcp 3,advice 139/tcp 4" \
		"findings"
	assert_eq "$(echo "$out" | jq -r '.findings[0].socket.process')" pxlisten \
		"the closed listener's process"
	assert_eq "$(echo "$out" | jq -r '.findings[2].rule')" "open netbios-ssn" "rule"
	assert_eq "$(echo "$out" | jq -r '[.sockets[] | select(.exposed | not) | .port] | join(",")')" \
		6000 "loopback listener not exposed"
	text=$(px audit "$IF_IN") || true
	echo "$text"
	echo "$text" | grep -q "skipped 6000/tcp: pxlisten, pid [0-9]*, on 127.0.0.1, loopback only" ||
		fail "loopback listener not said to be skipped"
	echo "$text" | grep -q "5432/tcp (postgresql): listening (pxlisten, pid [0-9]*, on 0.0.0.0) but closed by $POL:1 'default closed'" ||
		fail "closed listener's line"
	echo "$text" | grep -q "^3 findings$" || fail "count line"
	# The same from the file, and a live change named as such.
	assert_eq "$(px audit "$IF_IN" --policy "$POL" --json | findings)" \
		"closed_listening 5432/tcp 1,open_unused 8080/tcp 3,advice 139/tcp 4" \
		"findings of --policy FILE"
	px open "$IF_IN" 9000/tcp >/dev/null
	px audit "$IF_IN" | grep -q "9000/tcp: open by the live change 'open 9000/tcp'" ||
		fail "live change not named: $(px audit "$IF_IN")"
}

test_suggest_then_apply_keeps_listeners() {
	need_jq
	lab_setup
	listen "tcp:[::]:22" tcp:0.0.0.0:5432 tcp:0.0.0.0:8443 tcp:127.0.0.1:6000
	px attach "$IF_IN" >/dev/null # the default policy: nearly all open
	px suggest "$IF_IN" >"$TMPD/s.policy"
	cat "$TMPD/s.policy"
	"$PORTXDP" check "$TMPD/s.policy" || fail "check refused suggest's policy"
	assert_eq "$(grep -Ec '^open [0-9]+/(tcp|udp)$' "$TMPD/s.policy")" 3 "open lines"
	grep -q '^# Not opened: 6000/tcp of pxlisten on 127.0.0.1, loopback only' \
		"$TMPD/s.policy" || fail "loopback listener not explained"
	grep -q "'option replies on'" "$TMPD/s.policy" ||
		fail "no word on the ephemeral range"
	px apply "$IF_IN" "$TMPD/s.policy" >/dev/null
	expect_tcp reached 22
	expect_tcp reached 5432
	expect_tcp reached 8443
	expect_tcp reached 8443 "$ADDR6_IN"
	expect_tcp timeout 8080
	expect_tcp timeout 6000
	expect_udp timeout 5000
	expect_ping timeout
	out=$(px audit "$IF_IN") || fail "audit of suggest's policy: $out"
	echo "$out" | grep -q "^nothing to report$" || fail "audit: $out"
}

# A listener on a port only a zone opens: audit notes it (no finding,
# exit 0) instead of calling it closed; suggest keeps the zones and their
# from lines, leaves that port to them, and opens a LAN-only port from
# the local zone rather than to everyone.
test_audit_and_suggest_know_zones() {
	need_jq
	lab_setup
	listen tcp:0.0.0.0:5432 "tcp:[::]:22" tcp:0.0.0.0:139
	printf 'default closed\nopen 22/tcp\nzone lan local\nzone office 2001:db8:ff05::/48\nopen 5432/tcp 139/tcp from lan\nclose 22 from office\n' >"$TMPD/z.policy"
	px attach "$IF_IN" --policy "$TMPD/z.policy" >/dev/null
	out=$(px audit "$IF_IN") || fail "audit exit $?: $out"
	echo "$out" | grep -q "5432/tcp (postgresql): listening (pxlisten, pid [0-9]*, on 0.0.0.0), open only from zone lan; closed to every other source by $TMPD/z.policy:1 'default closed'" ||
		fail "audit: $out"
	echo "$out" | grep -q "nobody outside" && fail "called closed: $out"
	echo "$out" | grep -q '^nothing to report$' || fail "a finding: $out"
	assert_eq "$(px audit "$IF_IN" --json | jq -r '[.findings[] | "\(.kind) \(.port) \(.zones)"] | join(",")')" \
		"zone_only 139 lan,zone_only 5432 lan" "the notes"
	assert_eq "$(px audit "$IF_IN" --policy "$TMPD/z.policy" --json | jq -r '[.findings[].kind] | join(",")')" \
		"zone_only,zone_only" "the same from the file"
	px suggest "$IF_IN" >"$TMPD/zs.policy"
	cat "$TMPD/zs.policy"
	grep -q '^zone lan local$' "$TMPD/zs.policy" || fail "zone lan not kept"
	grep -q '^open 139/tcp 5432/tcp from lan$' "$TMPD/zs.policy" || fail "from lan not kept"
	grep -q '^close 22/tcp 22/udp from office$' "$TMPD/zs.policy" || fail "from office not kept"
	grep -Eq '^open (5432|139)/tcp$' "$TMPD/zs.policy" && fail "a zone's port opened to everyone"
	grep -q '^# 5432/tcp: open only from some zones' "$TMPD/zs.policy" || fail "no word on 5432"
	"$PORTXDP" check "$TMPD/zs.policy" >/dev/null 2>&1 || fail "check refused it"
	px apply "$IF_IN" "$TMPD/zs.policy" >/dev/null || fail "apply refused it"
	expect_tcp reached 5432
}

test_suggest_from_traffic() {
	need_jq
	lab_setup
	px attach "$IF_IN" >/dev/null
	"$PXNET" send "$ADDR_IN" 5000 20 >/dev/null
	wait_stats '[.ports[] | select(.port == 5000 and .proto == "udp") | .passed] | add >= 20' || true
	px suggest "$IF_IN" --from traffic >"$TMPD/t.policy"
	cat "$TMPD/t.policy"
	grep -q '^open 5000/udp$' "$TMPD/t.policy" || fail "5000/udp not opened"
	grep -q '^# 20 packets passed since attach$' "$TMPD/t.policy" ||
		fail "no count"
	"$PORTXDP" check "$TMPD/t.policy" || fail "check refused it"
}

test_bad_input() {
	need_jq
	lab_setup
	err=$(px audit "$IF_IN" 2>&1) && fail "audit without filter or --policy"
	assert_status 1 px audit "$IF_IN"
	echo "$err" | grep -q "portxdp is not attached to $IF_IN and no --policy FILE was given" ||
		fail "message: $err"
	printf 'default closed\nopen 70000\n' >"$TMPD/bad.policy"
	assert_status 2 px audit "$IF_IN" --policy "$TMPD/bad.policy"
	assert_status 1 px audit "$IF_IN" --policy "$TMPD/none.policy"
	assert_status 1 px audit nosuchif0 --policy "$POL"
	assert_status 2 px audit
	assert_status 2 px audit "$IF_IN" extra
	assert_status 2 px suggest "$IF_IN" --from everything
	err=$(px suggest "$IF_IN" --from traffic 2>&1) && fail "traffic without filter"
	echo "$err" | grep -q "no counters to read" || fail "message: $err"
	assert_status 1 px suggest "$IF_IN" --from traffic
	# --policy FILE works without a filter; nothing listens, so 8080 etc.
	assert_status 3 px audit "$IF_IN" --policy "$POL"
}

run_tests
