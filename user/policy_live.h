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
 * The SSH client's zone (doc/design.md, section 8): the client is the
 * first field of SSH_CONNECTION. In zs (a policy read from a file), or in
 * the live filter (m, live), copied into *out. out, or NULL when this
 * command does not run over SSH or the client is in no zone.
 */
struct px_zone;
struct px_zoneset;
struct px_zone_maps;
const struct px_zone *policy_session_zone(const struct px_zoneset *zs,
					  struct px_zone *out);
const struct px_zone *policy_session_zone_live(const struct px_zone_maps *m,
					       const struct px_policy *live,
					       struct px_zone *out);

/*
 * The SSH-session guard: true when this command runs over SSH and next
 * shuts the session's port to the client while live (NULL: nothing
 * attached yet, every port passes) lets it in. lz and nz: the client's
 * zone in live and in next (policy_session_zone*; NULL: none), whose
 * verdicts decide for it, and which lets nothing in when it is blocked.
 */
bool policy_cuts_session(const struct px_policy *live, const struct px_zone *lz,
			 const struct px_policy *next,
			 const struct px_zone *nz);

/*
 * The guard whole, as the verbs use it: live (NULL: nothing attached)
 * read through its maps m, and next with its zones zs; with rebased,
 * next's zones are live's on next's base (open/close). When next would
 * cut the session off: prints the refusal naming what and ifname (what
 * NULL: prints nothing) and returns true.
 */
struct session_check {
	const struct px_zone_maps *m;
	const struct px_policy *live, *next;
	const struct px_zoneset *zs;
	bool rebased;
};
bool policy_session_cut(const struct session_check *c, const char *what,
			const char *ifname);

/*
 * The refusal, one line on stderr: what ("FILE", "this close") would close
 * the session's port on ifname (for the client's zone nz, or block it);
 * names the line to add and --force.
 */
void policy_session_refusal(const char *what, const char *ifname,
			    const struct px_zone *nz);

#endif
