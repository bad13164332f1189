# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# End-to-end: a running filter given a new program (doc/design.md,
# section 9): what `attach --force` carries (bans, the ban rule's scan
# counts, the flows), and a replacement that resizes the flow table
# (`attach --force`, or `apply` of another `option replies` SIZE) killed
# with SIGKILL at each of its steps (the test hook PORTXDP_TEST_KILL):
# right after the kill a new flow of the filtered side still gets its
# replies (the classifier reads the table an egress program feeds), the
# next command finishes or undoes what was left, and detach leaves no
# program on the interface.
. "$(dirname "$0")/../lib/e2e.sh"

PXFLOW=${PXFLOW:-$BUILD/tools/pxflow}
TMPD=$(mktemp -d /tmp/pxreload.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
UDP_PORT=5363

policy() { # file size [more lines]
	printf 'default closed\nopen 22/tcp\noption replies on %s\n%s' "$2" "${3:-}" >"$TMPD/$1"
	echo "$TMPD/$1"
}
# Not in the kill test: the server's second answer port would count.
# A window of a day: the rule's windows are aligned on the clock, and a
# boundary between the 3rd and 4th port would start the count again (an
# undercount, which the contract allows).
BAN='ban after 4 ports in 1d for 10m\n'
BAN=$(printf "$BAN")

pin_dir() { echo "/sys/fs/bpf/portxdp/net-$(stat -L -c %i "/var/run/netns/$NS")/$IF_IN"; }

# The ids of the filter's links (XDP/TCX, egress), remembered in $TMPD/links.
note_links() {
	local p
	for p in link egress; do
		bpftool link show pinned "$(pin_dir)/$p" 2>/dev/null |
			sed -n 's/^\([0-9]*\):.*/\1/p' >>"$TMPD/links"
	done
}

# Those of them that still exist.
links_left() {
	local id
	sort -u "$TMPD/links" | while read -r id; do
		bpftool link show id "$id" >/dev/null 2>&1 && echo "$id"
	done
}

serve_udp() {
	local pid
	"$PXFLOW" udp-serve "$ADDR_OUT" $UDP_PORT 0 2>"$TMPD/serve" &
	pid=$!
	on_cleanup "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for _ in $(seq 300); do
		grep -q ready "$TMPD/serve" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "udp server did not start"
}

# A new flow from the filtered side (the kernel picks a new local port):
# its answer must come back through the filter. udp-ask listens the whole
# MS: 300 ms first; no answer at all (a server not scheduled in time on a
# loaded machine) is asked again, as a new flow, with more time.
new_flow_answered() { # what
	local out ms
	for ms in 300 2000 5000; do
		out=$(nsenter --net="/var/run/netns/$NS" "$PXFLOW" udp-ask "$ADDR_OUT" $UDP_PORT $ms)
		[ -z "$out" ] || break
	done
	echo "$out" | grep -qx "reply from $UDP_PORT" || fail "$1: a new flow got no answer ('$out')"
}

test_force_keeps_bans_and_scan_counts() {
	need nsenter
	lab_setup
	px attach "$IF_IN" --policy "$(policy a.policy 1024 "$BAN")" >/dev/null
	px ban "$IF_IN" 198.51.100.251 >/dev/null
	# 3 of the rule's 4 closed ports: counted, not banned yet
	PROBE_MS=300
	for p in 1001 1002 1003; do expect_tcp timeout $p; done
	expect_tcp reached 22
	px attach --force "$IF_IN" --policy "$(policy b.policy 2048 "$BAN")" >/dev/null
	px bans "$IF_IN" | grep -q "198.51.100.251 .*manual" || fail "manual ban lost: $(px bans "$IF_IN")"
	expect_tcp reached 22
	expect_tcp timeout 1004 # the 4th port: the count went on
	# (its SYN may be judged late on a loaded machine)
	wait_until 50 is_banned "$ADDR_OUT" || true
	px bans "$IF_IN" | grep -q "^$ADDR_OUT .*scan" || fail "the scan count started again: $(px bans "$IF_IN")"
	expect_tcp timeout 22
}

# kill_at VERB STEP SIZE: the replacement killed at STEP, then checked.
kill_at() {
	local verb=$1 step=$2 size=$3 pol rc=0
	pol=$(policy "p$size.policy" "$size")
	if [ "$verb" = apply ]; then
		PORTXDP_TEST_KILL=$step px apply "$IF_IN" "$pol" >/dev/null 2>&1 || rc=$?
	else
		PORTXDP_TEST_KILL=$step px attach --force "$IF_IN" --policy "$pol" >/dev/null 2>&1 || rc=$?
	fi
	[ "$rc" = 137 ] || fail "$verb was not killed at $step (exit $rc)"
	note_links
	px status "$IF_IN" | grep -q "attached" || fail "$verb killed at $step: $(px status "$IF_IN" 2>&1)"
	new_flow_answered "$verb killed at $step, before anything tidied"
	px apply "$IF_IN" "$pol" >/dev/null # tidies, and fits the size
	[ -e "$(pin_dir):new" ] && fail "$verb killed at $step: $(pin_dir):new left"
	px status "$IF_IN" | grep -q " of $size in the table" ||
		fail "$verb killed at $step, then apply: $(px status "$IF_IN")"
	new_flow_answered "$verb killed at $step, then apply"
	note_links
	echo "  $verb killed at $step: ok"
}

test_kill_at_each_step_of_a_resize() {
	need nsenter bpftool
	lab_setup
	serve_udp
	px attach "$IF_IN" --policy "$(policy a.policy 1024)" >/dev/null
	note_links
	new_flow_answered "attached"
	size=1024
	# every step of apply's reload; attach --force runs the same steps
	for step in pinned egress carried swapped switched attach:egress attach:swapped; do
		size=$((size == 1024 ? 2048 : 1024))
		case $step in
		attach:*) kill_at attach "${step#attach:}" "$size" ;;
		*) kill_at apply "$step" "$size" ;;
		esac
	done
	px detach "$IF_IN" >/dev/null
	[ "$(wc -l <"$TMPD/links")" -gt 8 ] || fail "links seen: $(cat "$TMPD/links")"
	assert_eq "$(links_left | tr '\n' ' ')" "" "links left after detach"
}

# Without TCX (forced): clsact filters, which a kill does not remove. apply
# turns replies on; a resize killed where the egress filter is replaced
# but the ingress one not yet is put back together by the next command;
# detach leaves no clsact filter.
test_clsact_resize_killed() {
	need nsenter tc
	export PORTXDP_PROBE_MISSING=tcx
	lab_setup
	serve_udp
	printf 'default closed\nopen 22/tcp\n' >"$TMPD/plain.policy"
	px attach "$IF_IN" --mode tc --policy "$TMPD/plain.policy" >/dev/null
	px apply "$IF_IN" "$(policy a.policy 1024)" >/dev/null
	px status "$IF_IN" | grep -q "egress hook clsact" || fail "status: $(px status "$IF_IN")"
	new_flow_answered "replies on by apply"
	for step in egress beside; do
		rc=0
		PORTXDP_TEST_KILL=$step px apply "$IF_IN" "$(policy b.policy 2048)" >/dev/null 2>&1 || rc=$?
		[ "$rc" = 137 ] || fail "apply was not killed at $step (exit $rc)"
		px apply "$IF_IN" "$(policy b.policy 2048)" >/dev/null
		px status "$IF_IN" | grep -q "of 2048 in the table.*egress hook clsact" ||
			fail "killed at $step, then apply: $(px status "$IF_IN")"
		new_flow_answered "killed at $step, then apply"
		px apply "$IF_IN" "$(policy a.policy 1024)" >/dev/null
	done
	px detach "$IF_IN" >/dev/null
	assert_eq "$(tc -n "$NS" filter show dev "$IF_IN" ingress)$(tc -n "$NS" filter show dev "$IF_IN" egress)" "" \
		"clsact filters after detach"
}

run_tests
