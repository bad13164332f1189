#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of `portxdp stats` (doc/design.md, section 6): known numbers of
# UDP datagrams and pings go over the lab's veth pair, and stats must
# report exactly those numbers per port and in the totals, as a table, as
# JSON, in Prometheus text (checked by build/tools/promcheck), and live
# with --watch, in a log and on a terminal (tmux). To make the totals
# exact, the outside end sends nothing of its own: static neighbour
# entries (no ARP) and IPv6 off on the outside end (no NDP, MLD, RS).
# Needs jq and tmux (make deps-test).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

PROMCHECK=${PROMCHECK:-$BUILD/tools/promcheck}
PORTXDP_ABS=$(realpath "$PORTXDP")
POLICY=$(mktemp)
trap 'rm -f "$POLICY"' EXIT
# 40001 and 40002 have no name anywhere; 53 is "domain" in the table.
P_OPEN=40001
P_CLOSED=40002

# The lab, quiet, with a filter: 40001/udp and ping open, the rest closed.
stats_lab() {
	need jq
	lab_setup
	local mac_in mac_out
	mac_in=$(ip -n "$NS" -br link show "$IF_IN" | awk '{ print $3 }')
	mac_out=$(ip -br link show "$IF_OUT" | awk '{ print $3 }')
	ip neigh replace "$ADDR_IN" lladdr "$mac_in" dev "$IF_OUT" nud permanent
	ip -n "$NS" neigh replace "$ADDR_OUT" lladdr "$mac_out" dev "$IF_IN" \
		nud permanent
	sysctl -qw "net.ipv6.conf.$IF_OUT.disable_ipv6=1"
	printf 'default closed\nopen %s/udp\nopen ping\n' "$P_OPEN" >"$POLICY"
	px attach "$IF_IN" --policy "$POLICY" >/dev/null
}

send() { # port count
	"$PXNET" send "$ADDR_IN" "$1" "$2" >/dev/null
}

# What stats --json says, through a jq filter.
jstat() { # jq-filter [stats options...]
	local f=$1
	shift
	px stats "$IF_IN" --json "$@" | jq -c "$f"
}

# The counts of the first test, sent in bursts the veth ring always holds.
send_known() {
	send "$P_CLOSED" 37
	send "$P_OPEN" 23
	send 53 11
	ping -c 4 -i 0.01 -W 5 "$ADDR_IN" >/dev/null
	# the last datagrams may still wait for the peer's NAPI
	wait_stats '.totals.dropped + .totals.passed >= 75' || true
}

test_json_reports_exact_counts() {
	stats_lab
	assert_eq "$(jstat '.ports')" "[]" "no hits before traffic"
	send_known
	local out
	out=$(px stats "$IF_IN" --json)
	echo "$out"
	assert_eq "$(echo "$out" | jq -c '.interface')" "\"$IF_IN\"" "interface"
	assert_eq "$(echo "$out" | jq -c '[.ports[] | [.port, .proto, .name, .state, .dropped, .passed]]')" \
		"[[$P_CLOSED,\"udp\",null,\"closed\",37,0],[$P_OPEN,\"udp\",null,\"open\",0,23],[53,\"udp\",\"domain\",\"closed\",11,0]]" \
		"ports, most hits first"
	assert_eq "$(echo "$out" | jq -c '.ping')" \
		'{"state":"open","dropped":0,"passed":4}' "ping"
	assert_eq "$(echo "$out" | jq -c '.totals')" \
		'{"dropped":48,"passed":27,"malformed":0,"fragments":0,"non_ip":0,"blocked":0,"banned":0}' \
		"totals"
	assert_eq "$(echo "$out" | jq -c 'keys')" \
		'["interface","ping","ports","totals"]' "design.md section 6 keys, no more"
}

test_counts_survive_open_close() {
	stats_lab
	send "$P_CLOSED" 5
	wait_stats '.totals.dropped >= 5' || true
	px open "$IF_IN" "$P_CLOSED/udp" >/dev/null 2>&1 ||
		skip "'portxdp open' does not work yet"
	send "$P_CLOSED" 2
	wait_stats '.totals.passed >= 2' || true
	assert_eq "$(jstat '.ports[0] | [.port, .state, .dropped, .passed]')" \
		"[$P_CLOSED,\"open\",5,2]" "counts kept, state from the live policy"
}

test_table_top_and_all() {
	stats_lab
	local p out
	for p in $(seq 41001 41025); do
		send "$p" 1
	done
	send "$P_CLOSED" 3
	wait_stats '.totals.dropped >= 28' || true
	out=$(px stats "$IF_IN")
	echo "$out"
	echo "$out" | grep -q "^portxdp stats $IF_IN: 26 ports with hits" ||
		fail "header"
	echo "$out" | grep -q "^$P_CLOSED/udp  *-  *closed  *3  *0$" ||
		fail "most hits first, on top"
	assert_eq "$(echo "$out" | grep -c '^41[0-9]*/udp')" 19 "default top 20"
	echo "$out" | grep -q '^6 more: 6 dropped, 0 passed; --all to see them$' || fail "N more"
	echo "$out" | grep -q '^totals: dropped 28, passed 0, malformed 0, fragments 0, non-IP 0$' ||
		fail "totals"
	assert_eq "$(px stats "$IF_IN" --top 3 | grep -c '/udp ')" 3 "--top 3"
	px stats "$IF_IN" --top 3 | grep -q '^23 more: 23 dropped, 0 passed; --all to see them$' ||
		fail "--top says what it cut"
	assert_eq "$(px stats "$IF_IN" --all | grep -c '/udp ')" 26 "--all"
	assert_eq "$(jstat '.ports | length')" 26 "--json lists every port"
	assert_eq "$(jstat '[(.ports | length), .ports_not_shown]' --top 2)" \
		"[2,24]" "--json --top"
}

test_prometheus_parses_and_matches() {
	stats_lab
	send_known
	local out
	out=$(px stats "$IF_IN" --prometheus)
	echo "$out"
	echo "$out" | "$PROMCHECK" || fail "promcheck rejects the output"
	echo "$out" | grep -qx "portxdp_port_dropped_packets_total{interface=\"$IF_IN\",port=\"$P_CLOSED\",proto=\"udp\",name=\"\",state=\"closed\"} 37" ||
		fail "port sample"
	echo "$out" | grep -qx "portxdp_port_passed_packets_total{interface=\"$IF_IN\",port=\"53\",proto=\"udp\",name=\"domain\",state=\"closed\"} 0" ||
		fail "named port sample"
	echo "$out" | grep -qx "portxdp_ping_passed_packets_total{interface=\"$IF_IN\",state=\"open\"} 4" ||
		fail "ping sample"
	echo "$out" | grep -qx "portxdp_dropped_packets_total{interface=\"$IF_IN\"} 48" ||
		fail "totals sample"
}

test_watch_log_blocks_and_json_lines() {
	stats_lab
	local out n
	# traffic through every interval, so the rates are not zero
	(while :; do send "$P_CLOSED" 10 || true; sleep 0.05; done) &
	traffic=$!
	trap 'kill "$traffic" 2>/dev/null || true; lab_cleanup' EXIT
	out=$(px stats "$IF_IN" --watch 0.5 --count 2)
	echo "$out"
	assert_eq "$(echo "$out" | grep -c '^--- [0-9-]* [0-9:]* [-+][0-9]*$')" 2 \
		"one timestamped block per interval"
	# the intervals are a loaded machine's: a late block makes the next
	# one short, and the sender may miss a short one
	assert_eq "$(echo "$out" | grep -Ec 'rates over the last [0-9]+\.[0-9] s')" 2 \
		"rates in each block"
	# DROP/s is the sixth column of the port's row
	echo "$out" | awk -v p="^$P_CLOSED/udp" '$0 ~ p && $6 > 0 { f = 1 } END { exit !f }' ||
		fail "no non-zero drop rate while traffic flows"
	out=$(px stats "$IF_IN" --watch=0.5 --count 2 --json)
	kill "$traffic" 2>/dev/null || true
	echo "$out"
	assert_eq "$(echo "$out" | wc -l)" 2 "one JSON line per interval"
	n=$(echo "$out" | jq -s '[.[] | select((.time | fromdate) > 1600000000 and
		.interval > 0 and .ports[0].port == '"$P_CLOSED"' and
		.ports[0].dropped_rate >= 0)] | length')
	assert_eq "$n" 2 "time, interval and a rate in each line"
	echo "$out" | jq -se 'any(.[]; .ports[0].dropped_rate > 0)' >/dev/null ||
		fail "no non-zero rate in the JSON lines"
}

test_watch_on_a_terminal() {
	need tmux
	stats_lab
	local screen i
	# globals: the EXIT trap runs after this function's locals are gone
	sock=pxstats$$
	raw=$(mktemp)
	status_file=$(mktemp)
	traffic=
	trap '[ -z "$traffic" ] || kill "$traffic" 2>/dev/null || true; tmux -L "$sock" kill-server 2>/dev/null || true; rm -f "$raw" "$raw.on" "$status_file"; lab_cleanup' EXIT
	(while :; do send "$P_CLOSED" 20 || true; sleep 0.1; done) &
	traffic=$!
	# the pane starts portxdp once pipe-pane records (the file $raw.on),
	# so the raw output is there from its first byte; tmux sometimes
	# loses a dead pane's exit status, so the shell in the pane writes it
	# down; it ignores Ctrl-C itself, portxdp handles it.
	tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 \
		"trap '' INT; while [ ! -e $raw.on ]; do sleep 0.05; done; $PORTXDP_ABS --netns $NS stats $IF_IN --watch 0.5; echo \$? >$status_file"
	tmux -L "$sock" set-option -g remain-on-exit on >/dev/null
	tmux -L "$sock" pipe-pane -o "cat >$raw"
	touch "$raw.on"
	for i in $(seq 120); do # until a block shows the traffic's rate
		sleep 0.25
		screen=$(tmux -L "$sock" capture-pane -p)
		echo "$screen" | grep -q 'rates over the last' &&
			awk -v p="^$P_CLOSED/udp" '$0 ~ p { exit !($6 > 0) }' <<<"$screen" && break
	done
	echo "$screen"
	echo "$screen" | grep -q 'DROP/s' || fail "no rate columns on the terminal"
	# DROP/s is the sixth column of the port's row
	awk -v p="^$P_CLOSED/udp" '$0 ~ p { exit !($6 > 0) }' <<<"$screen" ||
		fail "no non-zero drop rate while traffic flows"
	assert_eq "$(echo "$screen" | grep -c '^portxdp stats ')" 1 \
		"redrawn in place, not scrolled"
	kill "$traffic" 2>/dev/null || true
	tmux -L "$sock" send-keys C-c
	for i in $(seq 100); do # (its last block may still be on its way)
		[ "$(tmux -L "$sock" display -p '#{pane_dead}')" = 1 ] &&
			[ -s "$status_file" ] && break
		sleep 0.1
	done
	assert_eq "$(tmux -L "$sock" display -p '#{pane_dead}')" 1 "Ctrl-C ends it"
	assert_eq "$(cat "$status_file")" 0 "exit status after Ctrl-C"
	# a dead pane's cursor is tmux's; the program's last word must show it
	grep -q $'\033\\[?25l' "$raw" || fail "the cursor was never hidden"
	assert_eq "$(grep -ao $'\033\\[?25[hl]' "$raw" | tail -1 | cut -c2-)" \
		"[?25h" "the cursor is back after Ctrl-C"
}

test_usage_and_errors() {
	need jq
	lab_setup
	assert_status 2 px stats
	assert_status 2 px stats "$IF_IN" --json --prometheus
	assert_status 2 px stats "$IF_IN" --top 0
	assert_status 2 px stats "$IF_IN" --watch 0
	assert_status 2 px stats "$IF_IN" --prometheus --watch
	assert_status 2 px stats "$IF_IN" --count 2
	px stats --help | grep -q -- '--prometheus' || fail "help"
	local err
	err=$(px stats "$IF_IN" 2>&1 >/dev/null) && fail "stats on a bare interface succeeded"
	echo "$err" | grep -q "not attached to $IF_IN" || fail "error names the interface: $err"
}

run_tests
