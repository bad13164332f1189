# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: attach, real traffic judged by the policy, detach, re-attach,
# and the bad input of attach/detach/status. Run by tests/run.sh.
. tests/lib/e2e.sh

POL=$(mktemp --suffix=.policy)
trap 'rm -f "$POL"' EXIT
cat >"$POL" <<'P'
# test policy: a few closed ports of each kind, ping closed
default open
close 23/tcp 5000/udp 6000-6010
close ping
P

test_verdicts_follow_policy() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
	expect_tcp reached 22
	expect_tcp timeout 23
	expect_tcp timeout 6005
	expect_udp reached 53
	expect_udp timeout 5000
	expect_udp timeout 6010
	expect_udp reached 6011
	expect_ping timeout
	expect_tcp reached 22 "$ADDR6_IN"
	expect_tcp timeout 23 "$ADDR6_IN"
	expect_udp timeout 5000 "$ADDR6_IN"
}

test_filter_survives_cli_exit_and_detach_restores() {
	lab_setup
	# XDP, to see the program on the link (tc mode: tests/e2e/tc.sh)
	px attach "$IF_IN" --policy "$POL" --mode generic >/dev/null
	# The command has exited; the program must still be on the link.
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' ||
		fail "no XDP program on $IF_IN after attach exited"
	expect_tcp timeout 23
	px detach "$IF_IN" >/dev/null
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' &&
		fail "XDP program still on $IF_IN after detach"
	ino=$(stat -L -c %i "/var/run/netns/$NS")
	[ ! -e "/sys/fs/bpf/portxdp/net-$ino" ] ||
		fail "pins left after detach: $(ls -R /sys/fs/bpf/portxdp/net-$ino)"
	expect_tcp reached 23
	expect_udp reached 5000
	expect_ping reached
	# ... and it attaches again.
	px attach "$IF_IN" --policy "$POL" --mode generic >/dev/null
	expect_tcp timeout 23
	expect_tcp reached 24
}

test_status_reports_attachment() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" --mode generic >/dev/null
	out=$(px status "$IF_IN")
	echo "$out"
	echo "$out" | grep -q "^$IF_IN: attached, generic mode" || fail "status: $out"
	echo "$out" | grep -q "tcp *65523 open, 12 closed" || fail "tcp counts (port 0, always dropped, is not open)"
	echo "$out" | grep -q "udp *65523 open, 12 closed" || fail "udp counts"
	echo "$out" | grep -q "ping *closed" || fail "ping state"
	px status --json | grep -q "\"interface\": \"$IF_IN\", \"state\": \"attached\", \"mode\": \"generic\"" ||
		fail "status --json: $(px status --json)"
}

test_pins_are_root_only() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
	ino=$(stat -L -c %i "/var/run/netns/$NS")
	dir=/sys/fs/bpf/portxdp/net-$ino/$IF_IN
	assert_eq "$(stat -c %a "$dir")" 700 "pin folder mode"
	for f in "$dir"/*; do
		assert_eq "$(stat -c %a "$f")" 600 "mode of $f"
	done
}

test_attach_refuses_second_attach() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
	err=$(px attach "$IF_IN" --policy "$POL" 2>&1 >/dev/null) && fail "second attach succeeded"
	echo "$err" | grep -q "already attached to $IF_IN" || fail "message: $err"
	expect_tcp timeout 23
	px attach --force "$IF_IN" --policy "$POL" >/dev/null 2>&1
	expect_tcp timeout 23
	expect_tcp reached 22
}

test_attach_refuses_foreign_program() {
	lab_setup
	command -v xdp-filter >/dev/null || skip "xdp-filter not installed"
	# xdp-filter's own pins outlive the program that --force replaces.
	on_cleanup 'rm -rf "/sys/fs/bpf/xdp-filter/programs/$IF_IN"
		rmdir /sys/fs/bpf/xdp-filter/programs 2>/dev/null &&
			rm -rf /sys/fs/bpf/xdp-filter'
	nsenter --net="/var/run/netns/$NS" xdp-filter load --mode skb "$IF_IN" >/dev/null 2>&1 ||
		skip "xdp-filter cannot load here"
	err=$(px attach "$IF_IN" --policy "$POL" 2>&1 >/dev/null) && fail "attach over xdp-filter succeeded"
	echo "$err" | grep -q "already has an XDP program" || fail "message: $err"
	# auto picks tc on veth: --force removes the XDP program there too
	px attach --force "$IF_IN" --policy "$POL" >/dev/null 2>&1
	px status "$IF_IN" | grep -q "^$IF_IN: attached, tc mode" ||
		fail "portxdp not attached after --force: $(px status "$IF_IN")"
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' &&
		fail "xdp-filter still on $IF_IN after --force"
	expect_tcp timeout 23
}

test_bad_input_changes_nothing() {
	lab_setup
	# No such interface: exit 1, names it, nothing pinned.
	assert_status 1 px attach nosuch0 --policy "$POL"
	err=$(px attach nosuch0 --policy "$POL" 2>&1) || true
	echo "$err" | grep -q "no interface 'nosuch0'" || fail "message: $err"
	# Unreadable policy: exit 1, interface untouched.
	assert_status 1 px attach "$IF_IN" --policy /nonexistent.policy
	ip -n "$NS" link show "$IF_IN" | grep -q 'prog/xdp' && fail "attached anyway"
	# Bad usage: exit 2.
	assert_status 2 px attach
	assert_status 2 px attach "$IF_IN" --mode turbo
	assert_status 2 px attach "$IF_IN" --bogus
	assert_status 2 "$PORTXDP" nosuchverb
	# Detach/status of an interface without portxdp: exit 1, one line.
	assert_status 1 px detach "$IF_IN"
	assert_status 1 px status "$IF_IN"
	# A namespace that does not exist.
	assert_status 1 "$PORTXDP" --netns nosuchns$$ status
	expect_tcp reached 23
}

# Every construct of doc/design.md section 3 through attach --policy, checked on the
# wire; ephemeral must come from the lab namespace's own sysctl.
test_policy_language_through_attach() {
	lab_setup
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="40000 40100"
	cat >"$POL.full" <<-'P'
		# everything closed, then what this host needs
		default closed
		open ssh 80,443/tcp 137:139/udp   # a name, a comma list, a ufw range
		open ephemeral
		open ping
		open 8000-8002
		close 8001/udp                    # a later line wins
		option fragments drop
	P
	on_cleanup 'rm -f "$POL.full"'
	"$PORTXDP" check "$POL.full" >/dev/null
	px attach "$IF_IN" --policy "$POL.full" >/dev/null
	expect_tcp reached 22
	expect_udp timeout 22 # ssh is tcp only in the port table
	expect_tcp reached 80
	expect_tcp reached 443
	expect_udp timeout 443
	expect_udp reached 138
	expect_tcp timeout 138
	expect_tcp timeout 23
	expect_udp timeout 53
	expect_udp reached 40050
	expect_tcp reached 40100
	expect_udp timeout 40101
	expect_udp timeout 39999
	expect_tcp reached 8001
	expect_udp timeout 8001
	expect_udp reached 8002
	expect_ping reached
	px status "$IF_IN" | grep -q "later fragments dropped" ||
		fail "status does not show option fragments drop: $(px status "$IF_IN")"
}

run_tests
