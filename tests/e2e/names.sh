#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Hostile interface names: Linux lets a name hold any byte but '/', ':' and
# whitespace, so an interface may be called with a 0xff byte and an escape
# character. Whatever the names in a namespace, `status --json` and `stats
# --json` stay valid UTF-8 JSON (a byte that is not UTF-8 becomes U+FFFD),
# `--prometheus` passes promtool, and text output and errors show control
# characters as \xHH instead of sending them to the terminal.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

# A veth pair inside the namespace: "u<0xff><ESC>PID" and "v<0x01>PID".
ODD=$'u\xff\x1b'$$
PEER=$'v\x01'$$

odd_setup() {
	ip netns add "$NS"
	ip -n "$NS" link add "$ODD" type veth peer name "$PEER" ||
		skip "this kernel refuses interface names with 0xff or ESC"
	ip -n "$NS" link set "$ODD" up
	ip -n "$NS" link set "$PEER" up
	px attach "$ODD" --mode generic >/dev/null
	px attach "$PEER" --mode generic >/dev/null
}

# Exit 0 when stdin is one strictly valid UTF-8 JSON document.
valid_json() {
	python3 -c 'import json, sys
json.loads(sys.stdin.buffer.read().decode("utf-8", errors="strict"))'
}

test_json_is_valid_utf8_with_a_0xff_name() {
	need python3 jq
	odd_setup
	out=$(px status --json)
	echo "$out" | valid_json || fail "status --json is not valid UTF-8 JSON: $out"
	assert_eq "$(echo "$out" | jq -r '.interfaces | length')" 2 \
		"both interfaces of the namespace listed"
	echo "$out" | jq -e --arg n $'u\ufffd\x1b'$$ \
		'[.interfaces[].interface] | index($n) != null' >/dev/null ||
		fail "0xff not shown as U+FFFD: $out"
	out=$(px stats "$ODD" --json)
	echo "$out" | valid_json || fail "stats --json: $out"
	out=$(px status "$ODD" --json)
	echo "$out" | valid_json || fail "status IF --json: $out"
}

test_prometheus_is_valid_with_a_0xff_name() {
	need promtool python3
	odd_setup
	out=$(px stats "$ODD" --prometheus)
	printf '%s\n' "$out" | python3 -c 'import sys
sys.stdin.buffer.read().decode("utf-8", errors="strict")' ||
		fail "not UTF-8: $out"
	printf '%s\n' "$out" | promtool check metrics ||
		fail "promtool refuses: $out"
	printf '%s\n' "$out" | "${PROMCHECK:-$BUILD/tools/promcheck}" ||
		fail "promcheck refuses: $out"
	echo "$out" | grep -q $'interface="u\xef\xbf\xbd\xef\xbf\xbd'$$'"' ||
		fail "label not escaped to U+FFFD: $out"
}

test_text_shows_control_characters_escaped() {
	odd_setup
	out=$(px status; px stats "$ODD"; px stats "$PEER" 2>&1)
	echo "$out"
	case $out in *$'\x1b'* | *$'\x01'*) fail "raw control character printed" ;; esac
	echo "$out" | grep -qF 'u\xff\x1b'$$': attached' ||
		fail "status does not show the name escaped"
	echo "$out" | grep -qF 'portxdp stats u\xff\x1b'$$':' ||
		fail "stats does not show the name escaped"
	err=$(px stats $'nope\x1b[2J' 2>&1 || true)
	case $err in *$'\x1b'*) fail "error printed a raw ESC: $err" ;; esac
	echo "$err" | grep -qF 'nope\x1b[2J' || fail "error: $err"
}

# A policy path longer than the 255 bytes status keeps, of two-byte
# characters placed so that byte 255 falls inside one: cut before it.
test_long_policy_path_is_cut_on_a_character() {
	need python3 jq
	ip netns add "$NS"
	ip -n "$NS" link add "a$$" type veth peer name "b$$"
	px attach "a$$" --mode generic --policy policies/web-server.policy >/dev/null
	dir=$(mktemp -d)
	on_cleanup "rm -rf '$dir'"
	local pad="" e=$'\xc3\xa9' sub
	[ $(((255 - $(LC_ALL=C; echo ${#dir}) - 1) % 2)) -eq 1 ] || pad=a
	sub=$pad$(printf "$e%.0s" $(seq 120))
	mkdir "$dir/$sub"
	cp policies/web-server.policy "$dir/$sub/p.policy"
	px apply "a$$" "$dir/$sub/p.policy" >/dev/null
	out=$(px status "a$$" --json)
	echo "$out" | valid_json || fail "status --json: $out"
	src=$(echo "$out" | jq -r '.interfaces[0].policy.source')
	case $src in *$'\ufffd'*) fail "a character was cut: $src" ;; esac
	case $src in "$dir/$pad$e"*"$e") ;; *) fail "source: $src" ;; esac
}

run_tests
