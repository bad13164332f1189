# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# contrib/fail2ban/action.d/portxdp.conf with Debian's real fail2ban
# (doc/design.md, section 10): a private fail2ban-server (its own config
# directory, socket, pidfile, database and log under a temporary directory;
# the system's fail2ban and /etc are never touched) watches a log file this
# test writes, with `banaction = portxdp`. Failed logins from the lab's
# outer address get it into `portxdp bans` and its packets dropped;
# `fail2ban-client unban` lifts it, and stopping the jail lifts its bans.
. "$(dirname "$0")/../lib/e2e.sh"

PROBE_MS=300
ACTION=$PWD/contrib/fail2ban/action.d/portxdp.conf
TMPD=

f2b() { timeout 20 fail2ban-client -c "$TMPD/conf" -s "$TMPD/sock" "$@"; }

f2b_stop() {
	local pid
	pid=$(cat "$TMPD/pid" 2>/dev/null) || return 0
	f2b stop >/dev/null 2>&1
	wait_until 300 eval "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
}

# A private fail2ban: jail pxtest on $TMPD/auth.log, two failures ban for
# 10 minutes, banaction portxdp on the lab's inner interface.
f2b_start() {
	command -v fail2ban-server >/dev/null && command -v fail2ban-client >/dev/null ||
		skip "fail2ban is not installed: apt-get install fail2ban (it enables its own service: a test does not install it)"
	TMPD=$(mktemp -d /tmp/pxf2b.XXXXXX)
	on_cleanup "f2b_stop; rm -rf '$TMPD'"
	mkdir -p "$TMPD/conf/action.d" "$TMPD/conf/filter.d"
	cp "$ACTION" "$TMPD/conf/action.d/"
	# portxdp through a wrapper that notes each command the action ran,
	# once it has run
	cat >"$TMPD/portxdp" <<-EOT
		#!/bin/sh
		$(readlink -f "$PORTXDP") --netns $NS "\$@"
		rc=\$?
		echo "\$1 \$rc" >>"$TMPD/ran"
		exit \$rc
	EOT
	chmod +x "$TMPD/portxdp"
	cat >"$TMPD/conf/action.d/portxdp.local" <<-EOT
		[Init]
		interface = $IF_IN
		portxdp = $TMPD/portxdp
	EOT
	cat >"$TMPD/conf/fail2ban.conf" <<-EOT
		[Definition]
		loglevel = INFO
		logtarget = $TMPD/fail2ban.log
		socket = $TMPD/sock
		pidfile = $TMPD/pid
		dbfile = $TMPD/fail2ban.sqlite3
	EOT
	cat >"$TMPD/conf/filter.d/pxtest.conf" <<-'EOT'
		[Definition]
		failregex = ^pxtest: Failed password for \S+ from <HOST> port \d+$
		datepattern = {NONE}
	EOT
	# action_ as Debian's jail.conf writes it: the port, protocol and
	# chain every banaction gets must not matter to portxdp's.
	cat >"$TMPD/conf/jail.conf" <<-EOT
		[DEFAULT]
		banaction = portxdp
		port = 0:65535
		protocol = tcp
		chain = INPUT
		action_ = %(banaction)s[port="%(port)s", protocol="%(protocol)s", chain="%(chain)s"]
		action = %(action_)s
		[pxtest]
		enabled = true
		filter = pxtest
		logpath = $TMPD/auth.log
		backend = polling
		maxretry = 2
		findtime = 60
		bantime = 600
	EOT
	: >"$TMPD/auth.log"
	timeout 20 fail2ban-server -b -x -c "$TMPD/conf" -s "$TMPD/sock" \
		-p "$TMPD/pid" >"$TMPD/server.out" 2>&1 ||
		fail "fail2ban-server did not start: $(cat "$TMPD/server.out")"
	wait_until 300 eval 'f2b status pxtest >/dev/null 2>&1' ||
		fail "jail pxtest is not up: $(tail -5 "$TMPD/fail2ban.log")"
}

failed_logins() { # source count
	local i
	for i in $(seq "$2"); do
		echo "pxtest: Failed password for root from $1 port $((40000 + i))" >>"$TMPD/auth.log"
	done
}

setup() {
	lab_setup
	printf 'default closed\nopen 22/tcp\n' >"/tmp/pxf2b-$$.policy"
	px attach "$IF_IN" --policy "/tmp/pxf2b-$$.policy" >/dev/null
	rm -f "/tmp/pxf2b-$$.policy"
	expect_tcp reached 22
	f2b_start
}

test_fail2ban_bans_and_unbans() {
	setup
	failed_logins 198.51.100.250 1 # another source, under maxretry
	failed_logins "$ADDR_OUT" 2
	wait_until 300 is_banned "$ADDR_OUT" ||
		fail "not banned: $(px bans "$IF_IN"); fail2ban: $(grep -E 'Ban|ERROR' "$TMPD/fail2ban.log" | tail -5)"
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +.* (9m [0-5][0-9]s|10m) +manual +[0-9]+ +fail2ban:pxtest" ||
		fail "ban's time left: $(px bans "$IF_IN")"
	not_banned 198.51.100.250 || fail "a source under maxretry was banned"
	expect_tcp timeout 22
	expect_ping timeout
	f2b unban "$ADDR_OUT" >/dev/null || fail "fail2ban-client unban failed"
	wait_until 300 not_banned "$ADDR_OUT" || fail "still banned: $(px bans "$IF_IN")"
	expect_tcp reached 22
	grep -q ERROR "$TMPD/fail2ban.log" && fail "fail2ban: $(grep ERROR "$TMPD/fail2ban.log")"
	true
}

# fail2ban's ban of a source banned for longer already (here by hand, as
# by the scan rule or CrowdSec) keeps that ban; fail2ban's unban must then
# not lift it: it was never fail2ban's.
test_fail2ban_unban_leaves_a_ban_it_did_not_make() {
	setup
	px ban "$IF_IN" "$ADDR_OUT" --for 1h --reason by-hand >/dev/null
	failed_logins "$ADDR_OUT" 2
	wait_until 300 eval "grep -q '^ban ' '$TMPD/ran'" ||
		fail "fail2ban did not ban: $(grep -E 'Ban|ERROR' "$TMPD/fail2ban.log" | tail -5)"
	f2b unban "$ADDR_OUT" >/dev/null || fail "fail2ban-client unban failed"
	wait_until 300 eval "grep -q '^unban ' '$TMPD/ran'" ||
		fail "fail2ban did not unban: $(tail -5 "$TMPD/fail2ban.log")"
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +.* (59m [0-5][0-9]s|1h) +manual +[0-9]+ +by-hand$" ||
		fail "fail2ban's unban lifted a ban it did not make: $(px bans "$IF_IN")"
	expect_tcp timeout 22
	grep -q ERROR "$TMPD/fail2ban.log" && fail "fail2ban: $(grep ERROR "$TMPD/fail2ban.log")"
	true
}

test_fail2ban_stop_lifts_ipv6_64() {
	setup
	failed_logins "$ADDR6_OUT" 2
	wait_until 300 is_banned "${ADDR6_OUT%::1}::/64" ||
		fail "the /64 is not banned: $(px bans "$IF_IN"); fail2ban: $(grep -E 'Ban|ERROR' "$TMPD/fail2ban.log" | tail -5)"
	expect_tcp timeout 22 "$ADDR6_IN"
	expect_tcp reached 22 # IPv4 source still passes
	f2b_stop
	wait_until 300 not_banned "${ADDR6_OUT%::1}::/64" || fail "stopping the jail left its ban: $(px bans "$IF_IN")"
	expect_tcp reached 22 "$ADDR6_IN"
}

test_fail2ban_without_filter_says_so() {
	lab_setup
	f2b_start
	failed_logins "$ADDR_OUT" 2
	wait_until 300 eval "grep -q 'ERROR' '$TMPD/fail2ban.log'" ||
		fail "no error in fail2ban's log: $(tail -5 "$TMPD/fail2ban.log")"
	# fail2ban logs the failed command (ERROR ... exec:) first, its
	# stderr in the lines after: wait for those too
	said_why() { grep -q "no portxdp filter on $IF_IN\|attach $IF_IN" "$TMPD/fail2ban.log"; }
	wait_until 100 said_why ||
		fail "fail2ban's log does not say why: $(grep -A3 ERROR "$TMPD/fail2ban.log" | head -8)"
}

run_tests
