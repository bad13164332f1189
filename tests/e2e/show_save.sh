#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The live rules (design.md section 2): `show IF` names each range of ports
# (ssh, ephemeral) and says where it came from, the policy file's line or a
# live open/close, and says so when that is unknown (the file edited since);
# `save IF` prints the live policy as a file that `check` accepts and that
# `apply` reproduces exactly: `diff` then shows no change, and the traffic
# agrees. And `diff --json` names ranges by class and counts per protocol.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
POL=$TMPD/web.policy
cat >"$POL" <<'P'
# a web server
default closed
open ssh
open http,https
open ephemeral
open ping
P
unset SSH_CONNECTION

need_jq() { command -v jq >/dev/null || skip "jq is not installed (make deps-test)"; }

setup() {
	need_jq
	lab_setup
	px attach "$IF_IN" --policy "$POL" >/dev/null
	px open "$IF_IN" 8080/tcp >/dev/null
}

test_show_names_ranges_and_their_origin() {
	setup
	out=$(px show "$IF_IN")
	echo "$out" | grep -Eq "^  default +closed +$POL:2 'default closed'$" ||
		fail "default: $out"
	echo "$out" | grep -Eq "^  22 +open +ssh +$POL:3 'open ssh'$" ||
		fail "22/tcp: $out"
	echo "$out" | grep -Eq "^  8080 +open +http-alt +the live change 'open 8080/tcp'" ||
		fail "8080/tcp: $out"
	eph=$(px show "$IF_IN" --json | jq -r '.tcp[] | select(.class == "ephemeral") | "\(.from)-\(.to) \(.rule.line)"')
	range=$(ip netns exec "$NS" sysctl -n net.ipv4.ip_local_port_range | awk '{ print $1 "-" $2 }')
	assert_eq "$eph" "$range 5" "the ephemeral row and its line"
	assert_eq "$(px show "$IF_IN" --json | jq -r '.tcp[] | select(.from == 8080) | .rule.live_change')" \
		"open 8080/tcp" "8080's rule in JSON"
	assert_eq "$(px show "$IF_IN" --json | jq -r '.ping.rule.text')" "open ping" "ping's rule"
	assert_eq "$(px show "$IF_IN" --json | jq -r '.udp | length')" 1 "udp rows: ephemeral only"
}

test_show_says_when_the_origin_is_unknown() {
	setup
	echo 'close ssh' >>"$POL"
	px show "$IF_IN" | grep -q "where each rule came from is unknown: the file no longer gives the live policy" ||
		fail "show: $(px show "$IF_IN")"
	assert_eq "$(px show "$IF_IN" --json | jq -r '.policy.origin_known')" false "origin_known"
	# the rules themselves are still shown
	px show "$IF_IN" | grep -Eq '^  22 +open +ssh +unknown$' || fail "22: $(px show "$IF_IN")"
	sed -i '$d' "$POL"
}

test_save_is_checked_and_applies_to_no_change() {
	setup
	px close "$IF_IN" 443/tcp >/dev/null
	px save "$IF_IN" >"$TMPD/saved.policy"
	grep -q '^open 8080/tcp .*# http-alt$' "$TMPD/saved.policy" ||
		fail "saved: $(cat "$TMPD/saved.policy")"
	"$PORTXDP" check "$TMPD/saved.policy" >/dev/null 2>&1 ||
		fail "check refuses it: $("$PORTXDP" check "$TMPD/saved.policy" 2>&1)"
	px diff "$IF_IN" "$TMPD/saved.policy" | grep -q 'no change' ||
		fail "diff: $(px diff "$IF_IN" "$TMPD/saved.policy")"
	# after a reboot: attach it anew, the same ports pass
	px detach "$IF_IN" >/dev/null
	px attach "$IF_IN" --policy "$TMPD/saved.policy" >/dev/null
	expect_tcp reached 8080
	expect_tcp timeout 443
	expect_tcp reached 80
}

# save keeps replies and the ban rule.
test_save_keeps_replies_and_ban() {
	setup
	printf 'default closed\nopen 22/tcp\noption replies on 8192 tcp-idle 30 udp-idle 7\nban after 5 ports in 30s for 2m except 198.51.100.0/30 2001:db8::/64\n' >"$TMPD/rb.policy"
	px attach "$IF_IN" --force --policy "$TMPD/rb.policy" >/dev/null
	px save "$IF_IN" >"$TMPD/rb.saved" || fail "save failed: $(px save "$IF_IN" 2>&1)"
	grep -q '^option replies on 8192 tcp-idle 30 udp-idle 7$' "$TMPD/rb.saved" ||
		fail "replies not saved: $(cat "$TMPD/rb.saved")"
	grep -q '^ban after 5 ports in 30s for 120s except 198.51.100.0/30 2001:db8::/64$' "$TMPD/rb.saved" ||
		fail "ban rule not saved: $(cat "$TMPD/rb.saved")"
	px diff "$IF_IN" "$TMPD/rb.saved" | grep -q 'no change' ||
		fail "diff: $(px diff "$IF_IN" "$TMPD/rb.saved")"
}

# save writes the zones: a zone of prefixes, `local` as written, a zone
# file by its absolute path while it gives the live prefixes (and its
# prefixes once it no longer does), from lines, blocks, the ban rule's
# except zone; apply of the saved file is no change, and the traffic
# agrees after a fresh attach of it.
test_save_writes_zones() {
	setup
	mkdir "$TMPD/z"
	printf '2001:db8:ff07::/48\n' >"$TMPD/z/feed.txt"
	cat >"$TMPD/z/z.policy" <<-P
		default closed
		open 22/tcp
		zone lan local
		zone office 198.51.100.0/31 2001:db8:ff05::/48
		zone feed file feed.txt
		open 8080/tcp 9000-9010 ping from office
		open 8081/tcp from lan
		close 22 from 198.51.100.2
		block feed 198.51.100.3
		ban after 5 ports in 30s for 2m except office
	P
	px apply --force "$IF_IN" "$TMPD/z/z.policy" >/dev/null ||
		fail "apply: $(px apply --force "$IF_IN" "$TMPD/z/z.policy" 2>&1)"
	px save "$IF_IN" >"$TMPD/z.saved" 2>"$TMPD/z.err" ||
		fail "save of a zoned policy failed: $(cat "$TMPD/z.err")"
	local s
	s=$(cat "$TMPD/z.saved")
	grep -q '^zone lan local$' "$TMPD/z.saved" || fail "local: $s"
	grep -q '^zone office 198.51.100.0/31 2001:db8:ff05::/48$' "$TMPD/z.saved" || fail "office: $s"
	grep -q "^zone feed file $TMPD/z/feed.txt\$" "$TMPD/z.saved" || fail "feed: $s"
	grep -q '^open 8080/tcp 9000-9010/tcp 9000-9010/udp ping from office$' "$TMPD/z.saved" || fail "from office: $s"
	grep -q '^open 8081/tcp from lan$' "$TMPD/z.saved" || fail "from lan: $s"
	grep -q '^close 22/tcp 22/udp from 198.51.100.2/32$' "$TMPD/z.saved" || fail "bare prefix: $s"
	grep -q '^block feed$' "$TMPD/z.saved" || fail "block feed: $s"
	grep -q '^block 198.51.100.3/32$' "$TMPD/z.saved" || fail "block prefix: $s"
	grep -q '^ban after 5 ports in 30s for 120s except office$' "$TMPD/z.saved" || fail "ban: $s"
	px diff "$IF_IN" "$TMPD/z.saved" | grep -q 'no change' ||
		fail "diff: $(px diff "$IF_IN" "$TMPD/z.saved")"
	# the zone file edited since: its live prefixes are written instead
	echo '2001:db8:ff08::/48' >"$TMPD/z/feed.txt"
	px save "$IF_IN" >"$TMPD/z2.saved" || fail "save after the edit failed"
	grep -q '^zone feed 2001:db8:ff07::/48$' "$TMPD/z2.saved" ||
		fail "feed after the edit: $(cat "$TMPD/z2.saved")"
	grep -q "^# zone feed was 'file $TMPD/z/feed.txt' when applied" "$TMPD/z2.saved" ||
		fail "no comment: $(cat "$TMPD/z2.saved")"
	px diff "$IF_IN" "$TMPD/z2.saved" | grep -q 'no change' ||
		fail "diff after the edit: $(px diff "$IF_IN" "$TMPD/z2.saved")"
	# the zone file deleted, then a FIFO in its place: the same fallback
	local gone
	for gone in deleted fifo; do
		rm -f "$TMPD/z/feed.txt"
		[ "$gone" = deleted ] || mkfifo "$TMPD/z/feed.txt"
		timeout 20 "$PORTXDP" --netns "$NS" save "$IF_IN" >"$TMPD/z3.saved" 2>"$TMPD/z3.err" ||
			fail "save with the zone file $gone: $(cat "$TMPD/z3.err")"
		grep -q '^zone feed 2001:db8:ff07::/48$' "$TMPD/z3.saved" ||
			fail "feed, its file $gone: $(cat "$TMPD/z3.saved")"
		grep -q "^# zone feed was 'file $TMPD/z/feed.txt' when applied" "$TMPD/z3.saved" ||
			fail "no comment, its file $gone: $(cat "$TMPD/z3.saved")"
	done
	rm -f "$TMPD/z/feed.txt"
	printf '2001:db8:ff07::/48\n' >"$TMPD/z/feed.txt"
	# after a reboot: attached anew from the saved file, the lab's own
	# address (in lan) reaches 8081, and 8080 (office only) stays shut
	px detach "$IF_IN" >/dev/null
	px attach "$IF_IN" --force --policy "$TMPD/z.saved" >/dev/null ||
		fail "attach of the saved file failed"
	expect_tcp reached 8081
	expect_tcp timeout 8080
}

# show lists each zone: its prefixes and origin, and the ranges where its
# verdicts differ from the base, in text and JSON.
test_show_lists_zones() {
	setup
	printf 'default closed\nopen 22/tcp\nzone lan local\nzone office 198.51.100.0/31 2001:db8:ff05::/48\nopen 8080/tcp 9000-9010/tcp ping from office\nopen 22/tcp from office\nclose 22 from lan\nblock 198.51.100.3\n' >"$TMPD/zs.policy"
	px apply --force "$IF_IN" "$TMPD/zs.policy" >/dev/null
	out=$(px show "$IF_IN")
	echo "$out" | grep -q "^  zone office: 1 IPv4 and 1 IPv6 prefixes$" || fail "office: $out"
	echo "$out" | grep -q "^    open   8080/tcp 9000-9010/tcp ping$" || fail "office's changes: $out"
	echo "$out" | grep -q "^  zone lan: 1 IPv4 and 2 IPv6 prefixes, local $IF_IN: " || fail "lan: $out"
	echo "$out" | grep -q "^    closed 22/tcp$" || fail "lan's change: $out"
	echo "$out" | grep -q "^  source (blocked): 1 IPv4 and 0 IPv6 prefix; blocked: every packet from it is dropped$" ||
		fail "blocked: $out"
	assert_eq "$(px show "$IF_IN" --json | jq -c '[.zones[] | {name, prefixes4, prefixes6, blocked, ping, c: [.changes[] | "\(.proto) \(.from)-\(.to) \(.verdict)"]}]')" \
		'[{"name":"lan","prefixes4":1,"prefixes6":2,"blocked":false,"ping":null,"c":["tcp 22-22 closed"]},{"name":"office","prefixes4":1,"prefixes6":1,"blocked":false,"ping":"open","c":["tcp 8080-8080 open","tcp 9000-9010 open"]},{"name":"(blocked)","prefixes4":1,"prefixes6":0,"blocked":true,"ping":null,"c":[]}]' \
		"zones in JSON"
	assert_eq "$(px show "$IF_IN" --json | jq -r '.zones[0].origin')" "$(px show "$IF_IN" --json | jq -r '.zones[0].origin' | grep "^local $IF_IN: ")" "lan's origin"
}

# diff --json names a class by its name and counts per protocol.
test_diff_json_per_protocol_and_class() {
	setup
	grep -v ephemeral "$POL" >"$TMPD/noeph.policy"
	local d lo hi
	d=$(px diff "$IF_IN" "$TMPD/noeph.policy" --json)
	read -r lo hi < <(ip netns exec "$NS" sysctl -n net.ipv4.ip_local_port_range)
	assert_eq "$(echo "$d" | jq -r '.close[] | select(.proto == "tcp" and .class == "ephemeral") | "\(.from)-\(.to)"')" \
		"$lo-$hi" "the tcp ephemeral range, by class"
	assert_eq "$(echo "$d" | jq -r '.close[] | select(.from == 8080) | .class')" null "8080 is no class"
	assert_eq "$(echo "$d" | jq -c '[.tcp.close, .tcp.open, .udp.close, .udp.open]')" \
		"[$((hi - lo + 2)),0,$((hi - lo + 1)),0]" "counts per protocol (8080/tcp too)"
}

test_save_and_show_refuse_a_missing_filter() {
	lab_setup
	assert_status 1 px save "$IF_IN"
	assert_status 1 px show "$IF_IN"
	assert_status 2 px save
	px show "$IF_IN" --json 2>/dev/null | jq -e .error >/dev/null ||
		fail "show --json without a filter: no error object"
}

run_tests
