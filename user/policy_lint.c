// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Lints: warnings about policies that are valid but will hurt, printed by
 * `check` and only counted by the other verbs (which read rep->cuts_ssh).
 * Each points at the line that last decided the port it is about, so the
 * reader knows which line to change:
 *   - ftp-data (20/tcp) open without ftp (21/tcp): no FTP server there;
 *   - the ephemeral range closed without `option replies on`: replies to
 *     this host's own connections, DNS lookups and package updates
 *     dropped;
 *   - the port of this command's SSH session closed;
 *   - bootpc (68/udp) closed: no DHCP lease renewal;
 *   - `option fragments drop`: large UDP (EDNS DNS, NFS, IKE) breaks;
 *   - a name given a protocol it does not use (`ssh/udp` opens 22/udp).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_state.h"
#include "proto.h"

void lint_watch_init(struct pstate *st)
{
	static const struct {
		unsigned int port, mask;
	} ports[] = {
		[W_FTPDATA] = {20, M_TCP},
		[W_FTP] = {21, M_TCP},
		[W_BOOTPC] = {68, M_UDP},
	};

	for (int i = W_FTPDATA; i <= W_BOOTPC; i++) {
		st->watch_lo[i] = st->watch_hi[i] = ports[i].port;
		st->watch_mask[i] = ports[i].mask;
	}
	st->ssh_port = policy_ssh_port();
	st->watch_lo[W_SSH] = st->watch_hi[W_SSH] =
		st->ssh_port ? st->ssh_port : 22;
	st->watch_mask[W_SSH] = M_TCP;
	/* The range itself is read when a warning needs it. */
	st->watch_lo[W_EPH] = 1;
	st->watch_hi[W_EPH] = 0;
	if (!state_ephemeral(st)) {
		st->watch_lo[W_EPH] = st->eph_lo;
		st->watch_hi[W_EPH] = st->eph_hi;
	}
	st->watch_mask[W_EPH] = M_BOTH;
	st->watch_closing_only[W_EPH] = true;
}

void lint_touch(struct pstate *st, unsigned int mask, unsigned int lo,
		unsigned int hi, bool open, unsigned int col)
{
	for (int i = 0; i < W_N; i++)
		if ((mask & st->watch_mask[i]) && st->watch_lo[i] <= hi &&
		    st->watch_hi[i] >= lo &&
		    !(open && st->watch_closing_only[i]))
			st->touch[i] = (struct pos){st->line, col};
}

void lint_fragments_drop(struct pstate *st, unsigned int col)
{
	warn_at(st, (struct pos){st->line, col},
		"keep 'option fragments pass' unless no large UDP reaches "
		"this host",
		"'option fragments drop' drops later IP fragments: large UDP "
		"such as DNS with EDNS, NFS and IKE (IPsec) will break");
}

void lint_name_proto(struct pstate *st, const char *name, size_t len,
		     unsigned int col, unsigned int has, unsigned int asked)
{
	int proto = asked & M_TCP ? PX_TCP : PX_UDP;
	char b[SHOWN_LEN], h[SHOWN_LEN + 64];

	if (has & asked)
		return;
	shown(name, len, b);
	snprintf(h, sizeof(h), "write '%s' alone for its %s port", b,
		 px_proto_name(!proto));
	warn_at(st, (struct pos){st->line, col}, h,
		"'%s' is a %s service: '%s/%s' opens or closes a %s port that "
		"it does not use",
		b, px_proto_name(!proto), b, px_proto_name(proto),
		px_proto_name(proto));
}

static void lint_ftp(struct pstate *st)
{
	const struct px_policy *p = &st->pol;

	/*
	 * Only 20 without 21 is wrong. An FTP server needs 21 and its
	 * passive data range; 20 is the source port of active-mode data
	 * connections, so 21 without inbound 20 is a working server.
	 */
	if (policy_port_open(p, PX_TCP, 20) && !policy_port_open(p, PX_TCP, 21))
		warn_at(st, st->touch[W_FTP],
			"close 20/tcp too, or open ftp and the server's "
			"passive data range",
			"ftp-data (20/tcp) is open but ftp (21/tcp) is closed: "
			"no FTP server can be reached");
}

static void lint_ephemeral(struct pstate *st)
{
	unsigned int total, closed[PX_NPROTO];
	const char *which;
	bool all;

	/* Replies pass without the range (doc/design.md, section 9). */
	if (state_ephemeral(st) || (st->pol.flags & PX_F_REPLIES))
		return;
	total = st->eph_hi - st->eph_lo + 1;
	for (int proto = 0; proto < PX_NPROTO; proto++)
		closed[proto] = policy_count_closed(&st->pol, proto, st->eph_lo,
						    st->eph_hi);
	if (!closed[PX_TCP] && !closed[PX_UDP])
		return;
	which = closed[PX_TCP] && closed[PX_UDP] ? "tcp and udp"
		: closed[PX_TCP]		 ? "tcp"
						 : "udp";
	all = (!closed[PX_TCP] || closed[PX_TCP] == total) &&
	      (!closed[PX_UDP] || closed[PX_UDP] == total);
	warn_at(st, st->touch[W_EPH],
		"add 'option replies on' (or 'open ephemeral', which opens "
		"the range to anyone)",
		"%s ephemeral range %u-%u is closed for %s: replies to this "
		"host's own connections will be dropped, so DNS lookups and "
		"package updates will fail",
		all ? "the" : "part of the", st->eph_lo, st->eph_hi, which);
}

/* The SSH client's verdict, by its zone in this policy when it has one. */
static bool lint_cuts_ssh(struct pstate *st)
{
	struct px_zone *z = malloc(sizeof(*z));
	const struct px_zone *nz = z ? policy_session_zone(st->zs, z) : NULL;
	bool cut = policy_cuts_session(NULL, NULL, &st->pol, nz);

	free(z);
	return cut;
}

void lint_whole(struct pstate *st, struct policy_report *rep)
{
	const struct px_policy *p = &st->pol;
	unsigned int ssh = st->watch_lo[W_SSH];
	char h[160];

	lint_ftp(st);
	lint_ephemeral(st);
	if (st->ssh_port && ssh == st->ssh_port && lint_cuts_ssh(st)) {
		rep->cuts_ssh = true;
		snprintf(h, sizeof(h),
			 "add 'open %u/tcp'; attach and apply refuse this "
			 "policy over SSH without --force",
			 ssh);
		warn_at(st, st->touch[W_SSH], h,
			"ssh (%u/tcp) is closed and this command runs over "
			"SSH (SSH_CONNECTION is set): this session may be cut "
			"off",
			ssh);
	}
	if (!policy_port_open(p, PX_UDP, 68))
		warn_at(st, st->touch[W_BOOTPC],
			"add 'open bootpc' unless the address is static",
			"bootpc (68/udp) is closed: the interface can no "
			"longer renew a DHCP lease");
}
