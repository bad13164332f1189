#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The DaemonSet's container entrypoint (contrib/kubernetes/entrypoint.sh),
# run here without a cluster or an image, as the pod would run it: in the
# lab's namespace standing in for the node's network (hostNetwork), as root
# with no capability but CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON and CAP_SYS_ADMIN
# (the manifest's), the
# policy in a ConfigMap volume laid out as the kubelet lays it out. It must
# attach, serve the exporter, apply a ConfigMap update (the ..data swap),
# and on SIGTERM stop with exit 0 leaving the filter and its policy.

cd "$(dirname "$0")/../.." || exit 1
. tests/lib/e2e.sh

TMPD=$(mktemp -d /tmp/pxk8s.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
PORT=$((20000 + $$ % 10000))

in_ns() { nsenter --net="/var/run/netns/$NS" "$@"; }

live_is() { # file what
	local i d
	for i in $(seq 300); do
		d=$(px diff "$IF_IN" "$1" --json 2>/dev/null | jq -c '[.open, .close, .ping]')
		[ "$d" = '[[],[],null]' ] && return 0
		sleep 0.1
	done
	cat "$TMPD/err"
	fail "live policy is not $2"
}

test_entrypoint_with_the_manifests_capabilities() {
	need jq curl setpriv nsenter
	lab_setup
	local v=$TMPD/cm pid i rc=0
	printf 'default closed\nopen ssh\nopen 9441/tcp\n' >"$TMPD/b.policy"
	printf 'default closed\nopen 443/tcp\n' >"$TMPD/c.policy"
	mkdir -p "$v/..2026_11_28_10_00_00.1"
	cp "$TMPD/b.policy" "$v/..2026_11_28_10_00_00.1/policy"
	ln -s ..2026_11_28_10_00_00.1 "$v/..data"
	ln -s ..data/policy "$v/policy"

	nsenter --net="/var/run/netns/$NS" setpriv --bounding-set=-all,+bpf,+net_admin,+perfmon,+sys_admin --inh-caps=-all \
		env PORTXDP="$(realpath "$PORTXDP")" PORTXDP_INTERFACE="$IF_IN" \
		PORTXDP_POLICY="$v/policy" PORTXDP_METRICS_LISTEN="127.0.0.1:$PORT" \
		sh contrib/kubernetes/entrypoint.sh >"$TMPD/out" 2>"$TMPD/err" &
	pid=$!
	on_cleanup "kill $pid 2>/dev/null"
	for i in $(seq 300); do # attach, then the exporter: slow on a loaded machine
		in_ns curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMPD/metrics" && break
		sleep 0.1
	done
	cat "$TMPD/err"
	grep -q "^portxdp_filter_info{interface=\"$IF_IN\",netns=\"$NS\"" "$TMPD/metrics" ||
		fail "the exporter does not show the filter"
	live_is "$TMPD/b.policy" "the ConfigMap's at start"

	mkdir "$v/..2026_11_28_10_05_00.2"
	cp "$TMPD/c.policy" "$v/..2026_11_28_10_05_00.2/policy"
	ln -s ..2026_11_28_10_05_00.2 "$v/..data_tmp"
	mv -T "$v/..data_tmp" "$v/..data"
	rm -rf "$v/..2026_11_28_10_00_00.1"
	live_is "$TMPD/c.policy" "after the ConfigMap update"

	kill -TERM "$pid"
	wait "$pid" || rc=$?
	assert_eq "$rc" 0 "exit status on SIGTERM"
	px status "$IF_IN" >/dev/null || fail "the filter went with the pod"
	live_is "$TMPD/c.policy" "after the pod stopped"
	! in_ns curl -sf "http://127.0.0.1:$PORT/metrics" >/dev/null ||
		fail "the exporter still runs"
}

run_tests
