/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Live sources: what a policy depends on in the running system, read when
 * a command runs. net.ipv4.ip_local_port_range (the `ephemeral` class)
 * and this command's SSH session (SSH_CONNECTION), with the one guard
 * that keeps attach, apply and close from cutting that session off.
 */
#ifndef PX_POLICY_LIVE_H
#define PX_POLICY_LIVE_H

#include <stdbool.h>

#include <linux/types.h>

#include "portxdp.h"

/*
 * net.ipv4.ip_local_port_range of the current network namespace (the
 * `ephemeral` class). 0 or -errno.
 */
int policy_ephemeral_range(unsigned int *lo, unsigned int *hi);

/*
 * The tcp port this command's SSH session came in on: the server port of
 * SSH_CONNECTION ("client-ip client-port server-ip server-port"), 22 when
 * that variable is set but unreadable, 0 when not over SSH.
 */
unsigned int policy_ssh_port(void);

/*
 * The SSH-session guard: true when this command runs over SSH and next
 * closes the session's port while live (NULL: nothing attached yet, every
 * port passes) has it open.
 */
bool policy_cuts_session(const struct px_policy *live,
			 const struct px_policy *next);

/*
 * The refusal, one line on stderr: what ("FILE", "this close") would close
 * the session's port on ifname; names the port to open and --force.
 */
void policy_session_refusal(const char *what, const char *ifname);

#endif
