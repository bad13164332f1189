#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# exporter --listen :PORT means every address, as its --help and the README
# say: a scrape over IPv4 and over IPv6 loopback both get /metrics, and
# the URL on its start line works.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT

test_exporter_listen_any_serves_ipv4_and_ipv6() {
	need curl
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 on this host"
	# below the ephemeral ports (32768-): no client socket of this
	# machine holds it
	local port=$((20000 + $$ % 12000)) pid code4 code6
	"$PORTXDP" exporter --listen ":$port" 2>"$TMPD/start" &
	pid=$!
	on_cleanup "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	# The start line comes once it listens (it may answer a scrape a
	# moment before the line is written, so not the other way round).
	serving() { grep -q 'serving' "$TMPD/start" || exited "$pid"; }
	wait_until 300 serving || true
	grep -q 'serving' "$TMPD/start" || fail "the exporter did not start: $(cat "$TMPD/start")"
	code4=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics") || true
	code6=$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$port/metrics") || true
	assert_eq "$code4" 200 "GET over 127.0.0.1"
	assert_eq "$code6" 200 "GET over [::1]"
	# the start line's URL is one a browser or curl can open
	url=$(grep -o 'http://[^ ]*' "$TMPD/start")
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url")" 200 "GET $url from the start line"
}

run_tests
