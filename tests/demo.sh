#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `make demo`: a two-minute tour on the lab (portxdp lab, see portxdp(8)):
# a veth pair with the default policy, probes of LAN-only ports from the
# lan and from elsewhere (--from), open ports and ping over IPv4 and IPv6, the filter's own statistics, then lab down.
# The lab is removed however the demo ends: an error, Ctrl-C, or success.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PX=${PORTXDP:-$BUILD/portxdp}
export PORTXDP_DATADIR=${PORTXDP_DATADIR:-$PWD/policies}

if [ -e /var/run/netns/portxdp-lab ]; then
	echo "demo: a lab is already up; run '$PX lab down' first" >&2
	exit 1
fi
trap '"$PX" lab down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM HUP

step() {
	printf '\n$ portxdp %s\n' "$*"
	"$PX" "$@"
}

step lab up --policy policies/default.policy
# the default policy opens sunrpc and NetBIOS only from 'zone lan local':
# from the lab's own prefix (the lan) they pass, from elsewhere they drop;
# ssh and https are open to everyone
step lab probe sunrpc ssh 443/tcp ping
step lab probe --from 203.0.113.9 sunrpc ssh 443/tcp
step lab probe --ipv6 --from 2001:db8:5::9 netbios-ssn 53/udp ping
step --netns portxdp-lab stats pxlab1
step lab down
