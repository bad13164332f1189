# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Scanner bans over a veth pair (doc/design.md, section 10): a SYN scan
# and a UDP scan of N closed ports get their source banned (every packet
# dropped, open ports too) while another source still passes; N-1 ports
# never ban; `unban` restores; bans survive `apply`; `ban`/`bans` by hand,
# the banning packet in `log`, and check's warning about spoofed scans.
. "$(dirname "$0")/../lib/e2e.sh"

TMPD=$(mktemp -d /tmp/pxbans.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
POL=$TMPD/ban.policy
printf 'default closed\nopen 22/tcp 53/udp\nban after 4 ports in 1d for 10m except 203.0.113.0/24\n' >"$POL"
PROBE_MS=300
PXSTREAM=${PXSTREAM:-$BUILD/tools/pxstream}

setup() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
}

ban_dropped() { px bans "$IF_IN" --json | jq '.bans[0].dropped'; }
banned() { px bans "$IF_IN" --json | grep -o "\"source\": \"$1\"" || true; }

test_syn_scan_bans_source() {
	setup
	expect_tcp reached 22
	for p in 1001 1002 1003; do expect_tcp timeout $p; done
	expect_tcp reached 22 # N-1 = 3 distinct closed ports: no ban
	[ -z "$(banned "$ADDR_OUT")" ] || fail "banned after N-1 ports"
	expect_tcp timeout 1003 # the same port again counts once
	expect_tcp reached 22
	expect_tcp timeout 1004 # the Nth
	# its SYN may leave late on a loaded machine: the ban follows it
	wait_until 50 is_banned "$ADDR_OUT" || fail "not banned after N ports"
	expect_tcp timeout 22 # open port, banned source
	expect_udp timeout 53
	expect_ping timeout
	# another source (IPv6) still passes
	expect_tcp reached 22 "$ADDR6_IN"
	px bans "$IF_IN" | grep -E "^$ADDR_OUT +.* (9m [0-5][0-9]s|10m) +scan +[1-9]" ||
		fail "bans' line: $(px bans "$IF_IN")"
	px stats "$IF_IN" --json | grep -Eq '"banned": [1-9]' || fail "totals.banned"
	# a shorter fail2ban ban neither cuts the scan ban short nor relabels it
	local out
	out=$(px ban "$IF_IN" "$ADDR_OUT" --for 10s --reason fail2ban:sshd)
	echo "$out" | grep -Eq "^$IF_IN: $ADDR_OUT: already banned for (10m|9m [0-5][0-9]s), kept$" ||
		fail "a shorter ban's output: $out"
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +.* (9m [0-5][0-9]s|10m) +scan +[1-9][0-9]* +-$" ||
		fail "the scan ban changed: $(px bans "$IF_IN")"
}

test_udp_scan_bans_ipv6_64() {
	setup
	for p in 2001 2002 2003 2004; do expect_udp timeout $p "$ADDR6_IN"; done
	# the Nth datagram may be judged late on a loaded machine
	wait_until 50 is_banned "${ADDR6_OUT%::1}::/64" || fail "the /64 is not banned: $(px bans "$IF_IN")"
	expect_tcp timeout 22 "$ADDR6_IN"
	expect_tcp reached 22 # IPv4 source passes
	# neighbour discovery still passes: the lab's neighbour entry renews
	ip -6 neigh flush dev "$IF_OUT"
	ip netns exec "$NS" ip -6 neigh flush dev "$IF_IN"
	ip netns exec "$NS" ping -c 1 -W 1 "$ADDR6_OUT" >/dev/null 2>&1 || true
	ip -6 neigh show dev "$IF_OUT" | grep -q "$ADDR6_IN .*lladdr" ||
		fail "no neighbour entry for $ADDR6_IN: ND was dropped"
}

# The same in XDP (native on the veth; the lab's default is tc): while its
# /64 is banned, the peer still answers the lab's neighbour solicitation
# (hop limit 255), so the lab resolves it, and after an unban the next
# connection goes through.
test_nd_while_banned_xdp() {
	lab_setup
	px attach "$IF_IN" --policy "$POL" --mode native >/dev/null
	px ban "$IF_IN" "$ADDR6_OUT" --for 1h >/dev/null
	ip -6 neigh flush dev "$IF_OUT"
	ip netns exec "$NS" ip -6 neigh flush dev "$IF_IN"
	# its echo reply is dropped; the neighbour advertisement before it not
	ip netns exec "$NS" ping -c 1 -W 1 "$ADDR6_OUT" >/dev/null 2>&1 || true
	ip -n "$NS" -6 neigh show dev "$IF_IN" | grep -q "^$ADDR6_OUT .*lladdr" ||
		fail "no neighbour entry for $ADDR6_OUT: its advertisement was dropped"
	expect_tcp timeout 22 "$ADDR6_IN"
	px unban "$IF_IN" "$ADDR6_OUT" >/dev/null
	expect_tcp reached 22 "$ADDR6_IN"
}

test_unban_restores_and_apply_keeps() {
	setup
	local out
	# an IPv4-mapped address is its IPv4 address, not ::/64
	out=$(px ban "$IF_IN" "::ffff:$ADDR_OUT" --for 1h)
	echo "$out" | grep -q "banned $ADDR_OUT for 1h" || fail "ban's output: $out"
	expect_tcp timeout 22
	px apply "$IF_IN" "$POL" >/dev/null
	px open "$IF_IN" 2222 >/dev/null
	expect_tcp timeout 22 # kept across apply and open
	[ -n "$(banned "$ADDR_OUT")" ] || fail "ban lost"
	px bans "$IF_IN" --json | grep -q '"reason": "manual"' || fail "reason"
	# the one time format: a ban's start is to the second, as status's
	# applied is (only log adds milliseconds)
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4} " ||
		fail "START is not the text time format: $(px bans "$IF_IN")"
	px bans "$IF_IN" --json | jq -e '.bans[0].start | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' >/dev/null ||
		fail "start is not the JSON time format: $(px bans "$IF_IN" --json)"
	px unban "$IF_IN" "$ADDR_OUT" | grep -q "unbanned $ADDR_OUT" || fail "unban's output"
	expect_tcp reached 22
	px unban "$IF_IN" "$ADDR_OUT" | grep -q "was not banned" || fail "second unban"
}

# A later, shorter ban of the same source (here the same /64) keeps the
# ban in force; a longer one lengthens it.
test_ban_never_shortens() {
	setup
	local out
	px ban "$IF_IN" 2001:db8:fe::5 --for 1h >/dev/null
	out=$(px ban "$IF_IN" 2001:db8:fe::6 --for 10s --reason fail2ban:sshd)
	echo "$out" | grep -Eq "^$IF_IN: 2001:db8:fe::/64: already banned for (1h|59m [0-5][0-9]s), kept$" ||
		fail "the shorter ban's output: $out"
	px bans "$IF_IN" | grep -Eq "^2001:db8:fe::/64 +.* (1h|59m [0-5][0-9]s) +manual +0 +-$" ||
		fail "the 1h ban changed: $(px bans "$IF_IN")"
	px ban "$IF_IN" 2001:db8:fe::7 --for 2h --reason fail2ban:sshd | grep -q "banned 2001:db8:fe::/64 for 2h" ||
		fail "a longer ban was not taken"
	px bans "$IF_IN" | grep -Eq "^2001:db8:fe::/64 +.* (2h|1h 59m) +manual +0 +fail2ban:sshd$" ||
		fail "the 2h ban: $(px bans "$IF_IN")"
	# unban --by lifts only the ban asked for as TEXT (fail2ban's unban)
	out=$(px unban "$IF_IN" 2001:db8:fe::8 --by fail2ban:other)
	echo "$out" | grep -qx "$IF_IN: 2001:db8:fe::/64: banned by fail2ban:sshd, not fail2ban:other: kept" ||
		fail "unban --by another's output: $out"
	is_banned 2001:db8:fe::/64 || fail "unban --by lifted another's ban"
	px unban "$IF_IN" 2001:db8:fe::8 --by fail2ban:sshd | grep -q "unbanned 2001:db8:fe::/64" ||
		fail "unban --by its own"
	not_banned 2001:db8:fe::/64 || fail "still banned: $(px bans "$IF_IN")"
}

test_manual_ban_without_rule() {
	lab_setup
	printf 'default closed\nopen 22/tcp\n' >"$TMPD/plain.policy"
	px attach "$IF_IN" --policy "$TMPD/plain.policy" >/dev/null
	for p in 1 2 3 4 5 6; do tcp_probe $((3000 + p)) >/dev/null; done
	expect_tcp reached 22 # no rule: scans ban nothing
	px ban "$IF_IN" "$ADDR_OUT" "$ADDR6_OUT" >/dev/null
	expect_tcp timeout 22
	expect_tcp timeout 22 "$ADDR6_IN"
	px unban "$IF_IN" --all | grep -q "lifted 2 bans" || fail "unban --all"
	expect_tcp reached 22
	px bans "$IF_IN" | grep -q "0 bans; no ban rule" || fail "$(px bans "$IF_IN")"
}

# `ban --reason TEXT` is what `bans` shows as who asked (the reason stays
# manual); a link-local
# source is banned by its address (fe80::/64 is the whole link); with the
# interface deleted under the pins, every ban verb fails (exit 1) and
# says so, as the other verbs do.
test_reason_link_local_and_vanished_interface() {
	setup
	local out
	px ban "$IF_IN" "$ADDR_OUT" --reason fail2ban:sshd >/dev/null
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +.* manual +[0-9]+ +fail2ban:sshd$" ||
		fail "reason in the table: $(px bans "$IF_IN")"
	px bans "$IF_IN" --json | grep -q '"reason": "manual", "by": "fail2ban:sshd"' ||
		fail "reason in JSON: $(px bans "$IF_IN" --json)"
	px bans "$IF_IN" --json | grep -q '"limit": 65536, "full": false' ||
		fail "limit in JSON: $(px bans "$IF_IN" --json)"
	expect_tcp timeout 22
	assert_status 2 px ban "$IF_IN" 198.51.100.9 --reason ''
	assert_status 2 px ban "$IF_IN" 198.51.100.9 --reason "$(printf 'a\tb')"
	assert_status 2 px ban "$IF_IN" 198.51.100.9 --reason scan
	assert_status 2 px ban "$IF_IN" 198.51.100.9 --reason "$(printf '%032d' 0)"
	px ban "$IF_IN" fe80::5 | grep -q "banned fe80::5 for" || fail "link-local ban's output"
	px bans "$IF_IN" --json | grep -q '"source": "fe80::5"' ||
		fail "link-local source: $(px bans "$IF_IN" --json)"
	out=$(px ban "$IF_IN" fe80::/64 2>&1) && fail "banned the link: $out"
	echo "$out" | grep -q "a link-local source is banned by its address" || fail "message: $out"
	[ -z "$(banned 198.51.100.9)" ] || fail "bad input banned something"
	stale_lock # the pins go stale: another run's detach --stale waits
	ip link del "$IF_OUT" # its peer $IF_IN goes with it; the pins stay
	for verb in ban unban; do
		out=$(px "$verb" "$IF_IN" 198.51.100.9 2>&1) && fail "$verb on a deleted interface: $out"
		assert_status 1 px "$verb" "$IF_IN" 198.51.100.9
		echo "$out" | grep -q "no interface '$IF_IN' here" || fail "$verb said: $out"
	done
	assert_status 1 px bans "$IF_IN"
}

# A --confirm rollback to a policy without a ban rule keeps enforcing a
# ban made by hand meanwhile.
test_confirm_rollback_keeps_manual_bans() {
	lab_setup
	printf 'default closed\nopen 22/tcp\n' >"$TMPD/plain.policy"
	printf 'default closed\nopen 22/tcp 80/tcp\n' >"$TMPD/next.policy"
	px attach "$IF_IN" --policy "$TMPD/plain.policy" >/dev/null
	on_cleanup 'px confirm "$IF_IN" >/dev/null 2>&1'
	px apply "$IF_IN" "$TMPD/next.policy" --confirm 4 >/dev/null
	px ban "$IF_IN" "$ADDR_OUT" --for 1h >/dev/null
	expect_tcp timeout 22
	# not "undone": the pending line says when it "is undone at"
	rolled_back() { px status "$IF_IN" | grep -q "confirm *rolled back"; }
	wait_until 300 rolled_back || fail "no rollback: $(px status "$IF_IN")"
	expect_tcp timeout 22 # still banned after the rollback
	px unban "$IF_IN" --all >/dev/null
	expect_tcp reached 22
}

# A ban of 3 s: long enough for a probe to meet it on a loaded machine.
test_short_ban_ends() {
	setup
	px ban "$IF_IN" "$ADDR_OUT" --for 3s >/dev/null
	expect_tcp timeout 22
	reached22() { [ "$(PROBE_MS=300 tcp_probe 22)" = reached ]; }
	wait_until 100 reached22 || fail "the 3 s ban did not end: $(px bans "$IF_IN")"
}

test_log_shows_banning_packet() {
	setup
	"$PORTXDP" --netns "$NS" log "$IF_IN" --json --rate 1 >"$TMPD/log" 2>"$TMPD/logerr" &
	local pid=$!
	on_cleanup "kill $pid 2>/dev/null"
	log_ready "$TMPD/logerr"
	for p in 1001 1002 1003 1004; do tcp_probe $p >/dev/null; done
	tcp_probe 22 >/dev/null
	logged() { grep -q '"dport": 1004,' "$TMPD/log"; }
	wait_until 100 logged || true
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	cat "$TMPD/log" "$TMPD/logerr"
	grep -q '"dport": 1004, "proto": "tcp", "reason": "closed-port", "ban": true' "$TMPD/log" ||
		fail "no event for the packet that banned"
	assert_eq "$(grep -c '"dport": 1004,' "$TMPD/log")" 1 "events for the banning packet"
}

# `except ZONE`: a zone's sources are never banned, whatever they scan;
# `bans` names the zone; an unknown zone is an error at FILE:LINE:COL.
test_except_zone() {
	lab_setup
	printf 'default closed\nopen 22/tcp\nzone mgmt %s/32 2001:db8:ffff::/48\nban after 2 ports in 1d for 10m except mgmt\n' \
		"$ADDR_OUT" >"$TMPD/zone.policy"
	px attach "$IF_IN" --policy "$TMPD/zone.policy" >/dev/null
	for p in 1001 1002 1003 1004; do expect_tcp timeout $p; done
	expect_tcp reached 22 # excepted: not banned
	[ -z "$(banned "$ADDR_OUT")" ] || fail "an excepted source was banned"
	for p in 1001 1002; do expect_tcp timeout $p "$ADDR6_IN"; done
	# the IPv6 /64 is in no except zone (its Nth SYN may be judged late)
	wait_until 50 is_banned "${ADDR6_OUT%::1}::/64" || fail "the /64 is not banned: $(px bans "$IF_IN")"
	expect_tcp timeout 22 "$ADDR6_IN"
	px bans "$IF_IN" | grep -q "ban after 2 ports in 1d for 10m except mgmt$" ||
		fail "bans: $(px bans "$IF_IN")"
	px bans "$IF_IN" --json | grep -q '"except": \["mgmt"\]' || fail "bans --json: $(px bans "$IF_IN" --json)"
	# open/close on the live policy keep the except zone
	px close "$IF_IN" 2222 >/dev/null
	for p in 1005 1006; do expect_tcp timeout $p; done
	expect_tcp reached 22
	printf 'default closed\nzone mgmt 198.51.100.0/24\nban after 2 ports in 60s for 10m except mgnt\n' >"$TMPD/typo.policy"
	assert_status 2 px apply "$IF_IN" "$TMPD/typo.policy"
	"$PORTXDP" check "$TMPD/typo.policy" 2>&1 | grep -q "typo.policy:3:41: error: unknown zone 'mgnt'" ||
		fail "check: $("$PORTXDP" check "$TMPD/typo.policy" 2>&1)"
	"$PORTXDP" check "$TMPD/typo.policy" 2>&1 | grep -q "did you mean 'mgmt'" || fail "no near name"
	expect_tcp reached 22 # bad input changed nothing
}

# --netns: an interface not attached there is said to be so in that
# namespace; a file under /var/run/netns that is no namespace is named so.
test_netns_messages() {
	setup
	local out
	out=$(px bans lo 2>&1) && fail "bans on lo: $out"
	echo "$out" | grep -q "not attached to lo in network namespace '$NS': run 'portxdp --netns $NS attach lo', or check both names" ||
		fail "bans said: $out"
	echo "$out" | grep -q "or add --netns" && fail "asks for --netns it has: $out"
	touch "/var/run/netns/${NS}x"
	on_cleanup "rm -f /var/run/netns/${NS}x"
	out=$("$PORTXDP" --netns "${NS}x" bans "$IF_IN" 2>&1) && fail "entered a plain file: $out"
	echo "$out" | grep -q "'${NS}x' is not a network namespace.*see 'ip netns list'" ||
		fail "--netns on a file said: $out"
}

test_bad_input() {
	setup
	assert_status 2 px ban "$IF_IN" 198.51.100.0/24
	px ban "$IF_IN" 198.51.100.0/24 2>&1 | grep -q "add the line 'block 198.51.100.0/24' to the policy" ||
		fail "no fix for a range: $(px ban "$IF_IN" 198.51.100.0/24 2>&1)"
	assert_status 2 px ban "$IF_IN" 198.51.100.9 nonsense
	assert_status 2 px ban "$IF_IN" 198.51.100.9 --for 5y
	assert_status 2 px unban "$IF_IN"
	assert_status 2 px unban "$IF_IN" --all 198.51.100.9
	[ -z "$(banned 198.51.100.9)" ] || fail "bad input banned something"
	assert_status 1 px bans nosuchif0
	# a name no interface can have is bad usage, for every ban verb
	assert_status 2 px ban ../x 198.51.100.9
	assert_status 2 px unban "" --all
	assert_status 2 px bans ../x
	# the client of this SSH session is not banned from it
	SSH_CONNECTION="198.51.100.9 5555 198.51.100.1 22" assert_status 2 px ban "$IF_IN" 198.51.100.9
	[ -z "$(banned 198.51.100.9)" ] || fail "banned this session's client"
	printf 'default closed\nban after 4 ports in 60s for 10m\n' >"$TMPD/noexcept.policy"
	"$PORTXDP" check "$TMPD/noexcept.policy" 2>&1 | grep -q "without 'except'.*forged source" ||
		fail "check does not warn about a rule without except"
}

# The drops a ban's cache slots hold (one per CPU) count in `bans` and stay
# counted when attach --force replaces the program: a slot is not emptied
# into its ban until the source sends again, so a new program with a new
# cache would lose what the old one held.
test_force_keeps_cached_drops() {
	setup
	px ban "$IF_IN" "$ADDR_OUT" --for 1h >/dev/null
	local cpu
	for cpu in 0 1; do
		taskset -c "$cpu" "$PXSTREAM" -n 40 "$ADDR_IN" 1 0 53 >/dev/null
	done
	wait_stats '.totals.banned >= 80'
	local total
	total=$(px stats "$IF_IN" --json | jq '.totals.banned')
	assert_eq "$(ban_dropped)" "$total" "bans' dropped, stats' banned"
	px attach "$IF_IN" --policy "$POL" --force >/dev/null
	assert_eq "$(ban_dropped)" "$total" "bans' dropped after attach --force"
	# the counters start again, totals.banned too, though the cache
	# that counts it was carried
	assert_eq "$(px stats "$IF_IN" --json | jq -c '.totals | [.banned, .dropped]')" \
		"[0,0]" "totals.banned and .dropped after attach --force"
	"$PXSTREAM" -n 5 "$ADDR_IN" 1 0 53 >/dev/null
	wait_stats '.totals.banned >= 5'
	assert_eq "$(ban_dropped)" "$((total + 5))" "bans' dropped, 5 more"
	assert_eq "$(px stats "$IF_IN" --json | jq -c '.totals | [.banned, .dropped]')" \
		"[5,5]" "totals.banned and .dropped, 5 more"
}

run_tests
