# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# `portxdp crowdsec` against Debian's real CrowdSec local API (doc/design.md,
# section 10). The LAPI runs privately in the lab's namespace (crowdsec
# -no-cs -no-capi: the API only; its own configuration, port and sqlite
# database in a temporary directory; the system's crowdsec and /etc are
# never touched). `cscli decisions add` bans the lab's outer address over
# the veth pair, `cscli decisions delete` lifts it; a startup list brings
# ranges and IPv6 /64s and lifts what was deleted meanwhile; the API going
# away mid-stream is said once and survived; every bad start is one line.
. "$(dirname "$0")/../lib/e2e.sh"

PROBE_MS=300
TMPD=
PORT=$((20000 + $$ % 20000))
CSPID=
BPID=

cs() { timeout 20 ip netns exec "$NS" cscli -c "$TMPD/config.yaml" "$@" 2>&1; }
said() { grep -q -- "$1" "$TMPD/bouncer.out"; }
api_up() { timeout 1 ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; }

lapi_start() {
	ip netns exec "$NS" crowdsec -c "$TMPD/config.yaml" -no-cs -no-capi \
		>>"$TMPD/crowdsec.out" 2>&1 &
	CSPID=$!
	wait_until 300 api_up || fail "the local API did not come up: $(tail -3 "$TMPD/crowdsec.log" "$TMPD/crowdsec.out")"
}

lapi_stop() {
	[ -n "$CSPID" ] || return 0
	kill "$CSPID" 2>/dev/null
	wait_until 50 exited "$CSPID" || kill -9 "$CSPID" 2>/dev/null
	wait "$CSPID" 2>/dev/null || true
	CSPID=
}

# A private CrowdSec local API in the lab's namespace on 127.0.0.1:$PORT,
# a machine for cscli and a bouncer key in $TMPD/key.
lapi_setup() {
	command -v crowdsec >/dev/null && command -v cscli >/dev/null ||
		skip "crowdsec is not installed: apt-get install crowdsec (offline: put '# no thanks' in /etc/crowdsec/online_api_credentials.yaml first)"
	TMPD=$(mktemp -d /tmp/pxcs.XXXXXX)
	on_cleanup "bouncer_stop; lapi_stop; rm -rf '$TMPD'"
	mkdir -p "$TMPD/data" "$TMPD/notifications"
	printf 'name: default\nfilters:\n - Alert.Remediation == true && Alert.GetScope() == "Ip"\ndecisions:\n - type: ban\n   duration: 4h\non_success: break\n' >"$TMPD/profiles.yaml"
	printf 'simulation: off\n' >"$TMPD/simulation.yaml"
	cat >"$TMPD/config.yaml" <<-EOT
		common:
		  daemonize: false
		  log_media: file
		  log_level: info
		  log_dir: $TMPD/
		  working_dir: $TMPD/
		config_paths:
		  config_dir: $TMPD/
		  data_dir: $TMPD/data/
		  simulation_path: $TMPD/simulation.yaml
		  hub_dir: $TMPD/hub/
		  index_path: $TMPD/hub/.index.json
		  notification_dir: $TMPD/notifications/
		  plugin_dir: /usr/lib/crowdsec/plugins/
		cscli:
		  output: human
		  color: false
		db_config:
		  log_level: info
		  type: sqlite
		  db_path: $TMPD/data/crowdsec.db
		  use_wal: false
		api:
		  client:
		    credentials_path: $TMPD/local_api_credentials.yaml
		  server:
		    log_level: info
		    listen_uri: 127.0.0.1:$PORT
		    profiles_path: $TMPD/profiles.yaml
		    console_path: $TMPD/console.yaml
		    trusted_ips:
		      - 127.0.0.1
		prometheus:
		  enabled: false
	EOT
	cs machines add pxtest --auto --force -f "$TMPD/local_api_credentials.yaml" >/dev/null ||
		fail "cscli machines add: $(cs machines add pxtest --auto --force -f "$TMPD/local_api_credentials.yaml")"
	cs bouncers add "pxtest$$" -o raw >"$TMPD/key" || fail "cscli bouncers add: $(cat "$TMPD/key")"
	lapi_start
}

bouncer_start() {
	# a file of this bouncer's own: a line of the one before is no sign
	# that this one is ready
	: >"$TMPD/bouncer.out"
	"$PORTXDP" --netns "$NS" crowdsec "$IF_IN" --api "http://127.0.0.1:$PORT/" \
		--key-file "$TMPD/key" --interval 1 >>"$TMPD/bouncer.out" 2>&1 &
	BPID=$!
	wait_until 300 said "following the CrowdSec local API" ||
		fail "the bouncer did not start: $(cat "$TMPD/bouncer.out")"
}

# SIGTERM; exit status 0 expected.
bouncer_stop() {
	local rc=0
	[ -n "$BPID" ] || return 0
	kill "$BPID" 2>/dev/null
	wait_until 100 exited "$BPID" || kill -9 "$BPID" 2>/dev/null
	wait "$BPID" || rc=$?
	BPID=
	return $rc
}

setup() {
	lab_setup
	printf 'default closed\nopen 22/tcp\n' >"/tmp/pxcs-$$.policy"
	px attach "$IF_IN" --policy "/tmp/pxcs-$$.policy" >/dev/null
	rm -f "/tmp/pxcs-$$.policy"
	expect_tcp reached 22
	lapi_setup
}

test_crowdsec_decision_bans_and_delete_lifts() {
	setup
	bouncer_start
	# 10m: a minute of slack for a loaded machine in "about 10m"
	cs decisions add --ip "$ADDR_OUT" --duration 10m >/dev/null
	wait_until 300 is_banned "$ADDR_OUT" || fail "not banned: $(px bans "$IF_IN"); bouncer: $(cat "$TMPD/bouncer.out")"
	px bans "$IF_IN" | grep -Eq "^$ADDR_OUT +.* (9m [0-5][0-9]s|10m) +manual +[0-9]+ +crowdsec" ||
		fail "not about 10m by crowdsec: $(px bans "$IF_IN")"
	# cscli's decisions have the scenario "manual 'ban' from '...'"
	px bans "$IF_IN" --json | grep -q '"reason": "manual", "by": "crowdsec:manual ' ||
		fail "no scenario in the reason: $(px bans "$IF_IN" --json)"
	expect_tcp timeout 22
	expect_ping timeout
	expect_tcp reached 22 "$ADDR6_IN" # the IPv6 source is another one
	cs decisions delete --ip "$ADDR_OUT" >/dev/null
	wait_until 300 not_banned "$ADDR_OUT" || fail "still banned: $(px bans "$IF_IN")"
	expect_tcp reached 22
	# the line comes once the unban is written: maybe after not_banned
	wait_until 100 said "crowdsec: unbanned $ADDR_OUT" || fail "no unban line: $(cat "$TMPD/bouncer.out")"
	bouncer_stop || fail "SIGTERM: exit status not 0: $(cat "$TMPD/bouncer.out")"
	said "stopped following CrowdSec" || fail "no last line: $(cat "$TMPD/bouncer.out")"
}

test_crowdsec_startup_list_and_restart() {
	setup
	local net=${ADDR_OUT%.*}.$((${ADDR_OUT##*.} - 1))
	px ban "$IF_IN" 198.51.100.251 --for 1h >/dev/null # a person's: not CrowdSec's to lift
	cs decisions add --ip "$ADDR6_OUT" --duration 2m >/dev/null
	cs decisions add --range "$net/30" --duration 1h >/dev/null
	cs decisions add --ip 198.51.100.250 --type captcha --duration 1h >/dev/null
	bouncer_start
	said "2 decisions\|3 decisions" || fail "startup line: $(cat "$TMPD/bouncer.out")"
	is_banned "${ADDR6_OUT%::1}::/64" || fail "/64 not banned: $(px bans "$IF_IN")"
	[ "$(px bans "$IF_IN" | grep -c "crowdsec")" = 5 ] || fail "not the /30's 4 and the /64: $(px bans "$IF_IN")"
	not_banned 198.51.100.250 || fail "a captcha decision banned"
	# said after the startup line bouncer_start waited for
	wait_until 100 said "skipped 1 decision .*1 not bans" || fail "captcha not said: $(cat "$TMPD/bouncer.out")"
	expect_tcp timeout 22
	expect_tcp timeout 22 "$ADDR6_IN"
	bouncer_stop || fail "SIGTERM: exit status not 0: $(cat "$TMPD/bouncer.out")"
	is_banned "$ADDR_OUT" || fail "bans went with the bouncer"
	# deleted while no bouncer listens: the next startup list lifts it
	cs decisions delete --range "$net/30" >/dev/null
	bouncer_start
	wait_until 300 not_banned "$ADDR_OUT" || fail "the deleted range is still banned: $(px bans "$IF_IN")"
	is_banned "${ADDR6_OUT%::1}::/64" || fail "the /64 lost"
	is_banned 198.51.100.251 || fail "a manual ban was lifted"
	expect_tcp reached 22
}

test_crowdsec_api_down_midstream() {
	setup
	bouncer_start
	lapi_stop
	wait_until 300 said "cannot reach the CrowdSec local API" || fail "API down not said: $(cat "$TMPD/bouncer.out")"
	sleep 1.5
	[ "$(grep -c "cannot reach" "$TMPD/bouncer.out")" = 1 ] || fail "said more than once: $(cat "$TMPD/bouncer.out")"
	kill -0 "$BPID" || fail "the bouncer died with the API"
	lapi_start
	wait_until 300 said "answers again" || fail "not back: $(cat "$TMPD/bouncer.out")"
	cs decisions add --ip "$ADDR_OUT" --duration 1m >/dev/null
	wait_until 300 is_banned "$ADDR_OUT" || fail "not banned after the API came back"
	bouncer_stop || fail "SIGTERM: exit status not 0: $(cat "$TMPD/bouncer.out")"
}

test_crowdsec_bad_starts() {
	setup
	local out
	px_cs() { "$PORTXDP" --netns "$NS" crowdsec "$@" 2>&1; }
	out=$(px_cs "$IF_IN" --api ftp://127.0.0.1/ --key-file "$TMPD/key") && fail "ftp:// accepted"
	echo "$out" | grep -q "is not an http:// or https:// URL" || fail "bad URL: $out"
	out=$(px_cs "$IF_IN" --api "http://127.0.0.1:$PORT/" --key-file "$TMPD/nokey") && fail "no key file accepted"
	echo "$out" | grep -q "cannot read the key file $TMPD/nokey: No such file.*cscli bouncers add" || fail "missing key: $out"
	echo wrongkey >"$TMPD/badkey"
	out=$(timeout 20 "$PORTXDP" --netns "$NS" crowdsec "$IF_IN" --api "http://127.0.0.1:$PORT/" --key-file "$TMPD/badkey" 2>&1) && fail "bad key accepted"
	echo "$out" | grep -q "refused the key in $TMPD/badkey (HTTP 403)" || fail "bad key: $out"
	out=$(timeout 20 "$PORTXDP" --netns "$NS" crowdsec "$IF_IN" --api "http://127.0.0.1:1/" --key-file "$TMPD/key" 2>&1) && fail "unreachable API accepted"
	echo "$out" | grep -q "cannot reach the CrowdSec local API at http://127.0.0.1:1/" || fail "unreachable: $out"
	echo "$out" | grep -q "from inside network namespace '$NS'" || fail "the namespace is not said: $out"
	[ "$(echo "$out" | lines_said)" = 1 ] || fail "more than one line: $out"
	out=$(px_cs nosuchif0 --api "http://127.0.0.1:$PORT/" --key-file "$TMPD/key") && fail "no filter accepted"
	echo "$out" | grep -q "nosuchif0" || fail "no interface: $out"
	assert_status 2 "$PORTXDP" --netns "$NS" crowdsec "$IF_IN" --api "http://127.0.0.1:$PORT/"
	assert_status 2 "$PORTXDP" --netns "$NS" crowdsec "$IF_IN" --api "http://127.0.0.1:$PORT/" --key-file "$TMPD/key" --interval 0
	bouncer_start
	out=$(timeout 20 "$PORTXDP" --netns "$NS" crowdsec "$IF_IN" --api "http://127.0.0.1:$PORT/" --key-file "$TMPD/key" 2>&1) && fail "two bouncers on one interface"
	echo "$out" | grep -q "another 'portxdp crowdsec' follows $IF_IN" || fail "second bouncer: $out"
	bouncer_stop || fail "SIGTERM: exit status not 0: $(cat "$TMPD/bouncer.out")"
}

run_tests
