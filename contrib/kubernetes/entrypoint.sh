#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The container's entrypoint (portxdp-daemonset.yaml): on the node's own
# network (hostNetwork), attach portxdp to PORTXDP_INTERFACE with the
# ConfigMap's policy if it is not attached yet, serve the exporter, and
# follow the policy file until the pod is stopped. On SIGTERM the exporter
# and follow stop and the filter stays, with its last good policy and its
# counters, so a rolling update leaves no gap; PORTXDP_DETACH_ON_EXIT=1
# detaches instead.
#
# Environment:
#   PORTXDP_INTERFACE        the interface (default: the default route's)
#   PORTXDP_POLICY           the policy file (default /etc/portxdp/policy,
#                            the ConfigMap volume)
#   PORTXDP_METRICS_LISTEN   the exporter's ADDR:PORT (default :9441;
#                            empty: no exporter)
#   PORTXDP_DETACH_ON_EXIT   1: detach on SIGTERM
#   PORTXDP                  the binary (default portxdp on PATH)
set -u
PX=${PORTXDP:-portxdp}
POLICY=${PORTXDP_POLICY:-/etc/portxdp/policy}
LISTEN=${PORTXDP_METRICS_LISTEN-:9441}
IF=${PORTXDP_INTERFACE:-}

say() { echo "portxdp-entrypoint: $*" >&2; }

if [ -z "$IF" ]; then
	IF=$(awk '$2 == "00000000" { print $1; exit }' /proc/net/route)
	[ -n "$IF" ] || { say "no default route: set PORTXDP_INTERFACE"; exit 2; }
fi
# A bad policy at start: say so and stop (the pod restarts, and a filter
# attached before keeps its policy meanwhile).
"$PX" check "$POLICY" >&2 || exit 2
if ! "$PX" status "$IF" >/dev/null 2>&1; then
	"$PX" attach "$IF" --policy "$POLICY" || exit 1
fi

EXPORTER= FOLLOW=
stop() { # exit-status
	[ -n "$FOLLOW" ] && kill -TERM "$FOLLOW" 2>/dev/null
	[ -n "$EXPORTER" ] && kill -TERM "$EXPORTER" 2>/dev/null
	wait
	if [ "${PORTXDP_DETACH_ON_EXIT:-0}" = 1 ]; then
		"$PX" detach "$IF"
	fi
	exit "$1"
}
trap 'stop 0' TERM INT

if [ -n "$LISTEN" ]; then
	"$PX" exporter --listen "$LISTEN" &
	EXPORTER=$!
fi
"$PX" follow "$IF" "$POLICY" &
FOLLOW=$!
# Either child ending on its own ends the pod (and the kubelet restarts it).
while kill -0 "$FOLLOW" 2>/dev/null &&
	{ [ -z "$EXPORTER" ] || kill -0 "$EXPORTER" 2>/dev/null; }; do
	sleep 1 &
	wait $! 2>/dev/null
done
say "follow or the exporter ended; stopping"
stop 1
