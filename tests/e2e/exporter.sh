#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests of `portxdp exporter` (doc/design.md, section 12): known
# numbers of datagrams and pings go over the lab's veth pair; the real
# Prometheus server from Debian scrapes the exporter every second, and its
# query API must return the counts `stats --json` shows; `promtool check
# metrics` must accept the text; the series stay within --max-ports.
# Like stats.sh, the outside end sends nothing of its own (static
# neighbours, no IPv6), so the totals are exact. Needs curl, jq,
# prometheus and promtool (Debian: prometheus).

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Loopback ports of this run; $$ keeps parallel runs apart. Both below
# the ephemeral ports (32768-), which any client socket of this machine
# may hold when Prometheus binds.
EXP_PORT=$((20000 + $$ % 6000))
PROM_PORT=$((26000 + $$ % 6000))
P_OPEN=40001
P_CLOSED=40002

exporter_lab() {
	need jq curl
	lab_setup
	local mac_in mac_out
	mac_in=$(ip -n "$NS" -br link show "$IF_IN" | awk '{ print $3 }')
	mac_out=$(ip -br link show "$IF_OUT" | awk '{ print $3 }')
	ip neigh replace "$ADDR_IN" lladdr "$mac_in" dev "$IF_OUT" nud permanent
	ip -n "$NS" neigh replace "$ADDR_OUT" lladdr "$mac_out" dev "$IF_IN" \
		nud permanent
	sysctl -qw "net.ipv6.conf.$IF_OUT.disable_ipv6=1"
	printf 'default closed\nopen %s/udp\nopen ping\n' "$P_OPEN" >"$TMP/policy"
	px attach "$IF_IN" --policy "$TMP/policy" >/dev/null
}

send() { "$PXNET" send "$ADDR_IN" "$1" "$2" >/dev/null; }

# Start the exporter in the background with extra options; wait until it
# answers.
start_exporter() {
	"$PORTXDP" exporter --listen "127.0.0.1:$EXP_PORT" "$@" \
		2>"$TMP/exporter.err" &
	EXP_PID=$!
	on_cleanup "kill $EXP_PID 2>/dev/null; wait $EXP_PID 2>/dev/null"
	local i
	for i in $(seq 300); do
		curl -sf "http://127.0.0.1:$EXP_PORT/metrics" >/dev/null && return 0
		sleep 0.1
	done
	cat "$TMP/exporter.err"
	fail "the exporter does not answer on 127.0.0.1:$EXP_PORT"
}

# Our filter's lines (other filters on this host show up too).
metrics() {
	curl -sf "http://127.0.0.1:$EXP_PORT/metrics" |
		grep -e '^#' -e "interface=\"$IF_IN\"" -e '^portxdp_exporter'
}

# The value of one query through Prometheus's HTTP API, or "" when empty.
promq() {
	curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // ""'
}

start_prometheus() {
	need prometheus
	cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: portxdp
    static_configs:
      - targets: ['127.0.0.1:$EXP_PORT']
EOF
	prometheus --config.file="$TMP/prometheus.yml" \
		--storage.tsdb.path="$TMP/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" \
		>"$TMP/prometheus.log" 2>&1 &
	PROM_PID=$!
	on_cleanup "kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null"
}

# Wait until Prometheus has a sample of the query; print it. (Its start
# and its first scrape take seconds, more on a loaded machine.)
await_promq() {
	local i v
	for i in $(seq 300); do
		v=$(promq "$1" 2>/dev/null || true)
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.1
	done
	tail -5 "$TMP/prometheus.log"
	fail "Prometheus has no sample of '$1' after 30 s"
}

test_prometheus_query_matches_stats_json() {
	exporter_lab
	send "$P_CLOSED" 37
	send "$P_OPEN" 23
	send 53 11
	ping -c 4 -i 0.01 -W 5 "$ADDR_IN" >/dev/null
	wait_stats '.totals.dropped + .totals.passed >= 75' || true
	start_exporter
	start_prometheus
	local sel="interface=\"$IF_IN\",netns=\"$NS\"" j
	j=$(px stats "$IF_IN" --json)
	echo "$j"
	await_promq "portxdp_filter_info{$sel}" >/dev/null
	assert_eq "$(promq "portxdp_dropped_packets_total{$sel,proto=\"udp\",port=\"$P_CLOSED\",reason=\"closed-port\"}")" \
		"$(echo "$j" | jq ".ports[] | select(.port == $P_CLOSED) | .dropped")" \
		"drops to $P_CLOSED/udp"
	assert_eq "$(promq "portxdp_passed_packets_total{$sel,proto=\"udp\",port=\"$P_OPEN\"}")" \
		"$(echo "$j" | jq ".ports[] | select(.port == $P_OPEN) | .passed")" \
		"passes to $P_OPEN/udp"
	assert_eq "$(promq "portxdp_dropped_packets_total{$sel,port=\"53\"}")" \
		"$(echo "$j" | jq '.ports[] | select(.port == 53) | .dropped')" "drops to 53"
	assert_eq "$(promq "sum(portxdp_dropped_packets_total{$sel})")" \
		"$(echo "$j" | jq .totals.dropped)" "every drop"
	assert_eq "$(promq "sum(portxdp_passed_packets_total{$sel})")" \
		"$(echo "$j" | jq .totals.passed)" "every pass"
	assert_eq "$(promq "portxdp_passed_packets_total{$sel,proto=\"icmp\"}")" \
		"$(echo "$j" | jq .ping.passed)" "pings passed"
	assert_eq "$(promq "portxdp_ping_open{$sel}")" 1 "ping open"
	assert_eq "$(echo "$j" | jq .totals.dropped)" 48 "stats' own drop count"
}

test_promtool_accepts_metrics() {
	need promtool
	exporter_lab
	send "$P_CLOSED" 3
	send "$P_OPEN" 2
	start_exporter
	metrics >"$TMP/metrics"
	promtool check metrics <"$TMP/metrics" || fail "promtool check metrics rejects the text"
	grep -q "^portxdp_filter_info{interface=\"$IF_IN\",netns=\"$NS\",prog_id=\"[0-9]*\",policy_digest=\"[0-9a-f]\{16\}\"} 1$" \
		"$TMP/metrics" || fail "no info series for $IF_IN in $NS"
	# The digest follows the policy: another policy, another digest.
	local d1 d2
	d1=$(grep -o 'policy_digest="[0-9a-f]*"' "$TMP/metrics")
	px open "$IF_IN" 8080/tcp >/dev/null
	d2=$(metrics | grep -o 'policy_digest="[0-9a-f]*"')
	[ "$d1" != "$d2" ] || fail "the digest did not change with the policy"
}

test_series_bound_holds() {
	exporter_lab
	start_exporter --max-ports 5
	local p own
	for p in $(seq 50001 50020); do send "$p" 1; done
	send 40100 2
	wait_stats '.totals.dropped >= 22' || true
	metrics >"$TMP/m1"
	own=$(grep -c '^portxdp_dropped_packets_total{.*port="[0-9]*"' "$TMP/m1") || true
	assert_eq "$own" 5 "ports with their own drop series"
	# the rest is summed into its class, and nothing is lost
	assert_eq "$(grep 'port="dynamic"' "$TMP/m1" | grep -c dropped)" 1 "one dynamic udp series"
	local sum
	sum=$(grep '^portxdp_dropped_packets_total{' "$TMP/m1" | awk '{ s += $NF } END { print s }')
	assert_eq "$sum" "$(px stats "$IF_IN" --json | jq .totals.dropped)" "sum of the drop series"
	# New ports later change neither the set nor the count of series.
	for p in $(seq 1 30); do send "$p" 1; done
	wait_stats '.totals.dropped >= 52' || true
	metrics >"$TMP/m2"
	assert_eq "$(grep -c '^portxdp_dropped_packets_total{.*port="[0-9]*"' "$TMP/m2")" 5 "own series later"
	assert_eq "$(grep '^portxdp_dropped_packets_total{.*port="[0-9]*"' "$TMP/m1" | sed 's/}.*//')" \
		"$(grep '^portxdp_dropped_packets_total{.*port="[0-9]*"' "$TMP/m2" | sed 's/}.*//')" "the same ports"
	grep -q 'port="well-known"' "$TMP/m2" || fail "no well-known class series"
}

test_bad_listen_is_usage_error() {
	assert_status 2 "$PORTXDP" exporter --listen 127.0.0.1
	assert_status 2 "$PORTXDP" exporter --listen 300.1.1.1:80
	assert_status 2 "$PORTXDP" exporter --max-ports lots
	# a port already taken: exit 1, with the way out in the message
	exporter_lab
	start_exporter
	local rc=0 err
	err=$("$PORTXDP" exporter --listen "127.0.0.1:$EXP_PORT" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status on a taken port"
	echo "$err" | grep -q -- '--listen' || fail "no hint in: $err"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EXP_PORT/nope")" 404 "unknown path"
}

run_tests "$@"
