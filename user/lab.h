/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lab's network: namespace portxdp-lab holding veth pxlab1, peered with
 * pxlab0 in the caller's namespace, made and removed with iproute2's `ip`
 * as an administrator would by hand. `lab up`, `lab probe` and `lab down`
 * (cmd_lab.c, lab_probe.c) use it; nothing here knows about policies.
 *
 * Addresses: 198.51.100.0/30 (TEST-NET-2) and 2001:db8:ff::/64, not
 * 192.0.2.0/24: many hosts and CI machines use TEST-NET-1 for their own
 * network, and a second route to it would cut them off. The e2e tests take
 * /30s from 198.51.100.4 upwards, so the lab's .0/30 never meets them.
 */
#ifndef PX_LAB_H
#define PX_LAB_H

#include <stdbool.h>

#include "cli.h"
#include "filter.h"

#define LAB_NS "portxdp-lab"
#define LAB_IF_OUT "pxlab0"
#define LAB_IF_IN "pxlab1"
#define LAB_ADDR_OUT "198.51.100.1"
#define LAB_ADDR_IN "198.51.100.2"
#define LAB_ADDR6_OUT "2001:db8:ff::1"
#define LAB_ADDR6_IN "2001:db8:ff::2"
#define LAB_NETNS_PATH "/var/run/netns/" LAB_NS

/* Whether the lab's namespace, or its outer veth, exists. */
bool lab_exists(void);

/*
 * Make the namespace, the veth pair and their addresses. On failure says
 * which step failed and returns -1; the caller removes what was made with
 * lab_teardown(). A test hook: PORTXDP_LAB_FAIL=N fails after step N.
 */
int lab_make(void);

/*
 * Run fn in a child that entered the lab's namespace (keeping this mount
 * namespace, so the pins stay visible). fn's result, or -1 when the
 * namespace cannot be entered.
 */
int lab_in(int (*fn)(void *), void *arg);

/* Whether PORTXDP_LAB_FAIL asks 'lab up' to fail after this step. */
bool lab_fault_after(int step);

/* The step after lab_make()'s last: where 'lab up' attaches. */
int lab_nsteps(void);

/* Open the filter on the lab's inner veth from here. 0 or -errno. */
int lab_open_filter(struct px_filter *f);

/* The MAC address of the lab's inner veth, read inside its namespace.
 * 0 or -errno. */
int lab_peer_mac(unsigned char mac[6]);

/* Remove whatever of the lab exists. Returns true when something did. */
bool lab_teardown(void);

/* `lab probe` (lab_probe.c), one of the lab verb's subcommands. */
extern const struct px_cmd lab_probe_cmd;

#endif
