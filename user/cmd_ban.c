// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp ban IF SRC... [--for DURATION]: ban sources by hand (for a
 * person, fail2ban, CrowdSec or a script). Every SRC is checked before
 * any is banned, so bad input bans nothing. doc/design.md, section 10.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bans.h"
#include "cli.h"
#include "duration.h"
#include "err.h"
#include "filter.h"
#include "maps.h"
#include "pins.h"
#include "source.h"

static const struct px_opt opts[] = {
	PX_OPT("for", 'f', "DURATION",
	       "how long: 30s, 10m, 2h, 1d (at most 366d); default\n"
	       "the policy's ban rule's DURATION, else 1h"),
	PX_OPT("reason", 'r', "TEXT",
	       "why, shown by 'bans' instead of manual (e.g.\n"
	       "fail2ban:sshd); at most 31 bytes, printable ASCII"),
	{0},
};

const struct px_cmd px_cmd_ban = {
	.name = "ban",
	.run = cmd_ban,
	.usage = "IF SRC... [--for DURATION] [--reason TEXT]",
	.summary = "ban sources on IF by hand",
	.opts = opts,
	.about =
		"Drop every IP packet from each SRC on IF (ICMPv6 neighbour "
		"discovery\n"
		"aside) for DURATION. SRC is an IPv4 address, or an IPv6 "
		"address or /64:\n"
		"IPv6 bans cover the /64, as the ban rule's do, but a "
		"link-local address\n"
		"(fe80::) is banned alone: the whole link shares fe80::/64. "
		"A ban is\n"
		"never shortened: banning a banned source again keeps the "
		"later end (and\n"
		"that ban's reason); ban says so when it keeps a ban in "
		"force. At most\n"
		"65536 bans per interface: when they are in force, ban fails "
		"and says so\n"
		"(the ban rule's bans then push out the ban whose source sent "
		"nothing\n"
		"for the longest). Run over SSH, ban refuses the session's own "
		"client\n"
		"(SSH_CONNECTION's first address), which the ban would cut "
		"off.\n",
	.more = "Example: portxdp ban eth0 198.51.100.7 2001:db8:1:2::/64 "
		"--for 2h\n",
};

/* --for, else the rule's DURATION, else an hour. */
static unsigned long ban_secs(const struct px_filter *f, unsigned long asked)
{
	struct px_policy *pol;
	unsigned long secs = BANS_DEFAULT_SECS;

	if (asked)
		return asked;
	pol = malloc(sizeof(*pol));
	if (pol && !maps_read_policy(f->policy_fd, pol) && pol->ban.ports)
		secs = pol->ban.duration_s;
	free(pol);
	return secs;
}

/*
 * Whether n sources more fit in f's table beside the bans in force (a
 * source banned already takes no room): if not, says so, and nothing is
 * banned. Past PX_BANS_MAX the kernel would push out a ban in force.
 */
static bool ban_room(const struct px_filter *f, int n,
		     const struct px_ban_key *srcs)
{
	size_t in_force = 0;

	if (bans_room(f->bans_fd, srcs, (size_t)n, &in_force) != -ENOSPC)
		return true; /* else the update below says what is wrong */
	px_error("cannot ban on %s: its ban table is full (%zu bans in force, "
		 "the limit is %d): lift some with 'portxdp unban %s SRC...' "
		 "(see 'portxdp bans %s'), or ban for less time",
		 f->ifname, in_force, PX_BANS_MAX, f->ifname, f->ifname);
	return false;
}

/*
 * Ban srcs[i] unless a longer ban is in force, and say which: after the
 * ban is written, so no line claims a ban a kill stopped short of. The
 * first ban makes PX_F_BANS true before its line. 0 or -errno (printed).
 */
static int ban_one(const struct px_filter *f, const struct px_ban_key *src,
		   unsigned long secs, const char *reason, bool first)
{
	char s[SOURCE_LEN], d[32];
	unsigned long long left = 0;
	int err;

	err = bans_extend(f, src, secs, PX_BAN_MANUAL, reason, &left);
	if (err < 0) {
		px_error("cannot ban %s on %s: %s (the sources before it are "
			 "banned)",
			 source_format(s, sizeof(s), src), f->ifname,
			 strerror(-err));
		return err;
	}
	if (first && bans_sync_live(f))
		return -EIO;
	source_format(s, sizeof(s), src);
	if (err == 1)
		printf("%s: %s: already banned for %s, kept\n", f->ifname, s,
		       duration_format(d, sizeof(d), left));
	else
		printf("%s: banned %s for %s\n", f->ifname, s,
		       duration_format(d, sizeof(d), secs));
	return 0;
}

static int ban_all(const char *ifname, int n, struct px_ban_key *srcs,
		   unsigned long asked, const char *reason)
{
	unsigned long secs;
	struct px_filter f;
	int lock, err = 0, i;

	lock = bans_open("ban", ifname, &f);
	if (lock < 0)
		return PX_EXIT_FAIL;
	if (!ban_room(&f, n, srcs)) {
		filter_close(&f);
		pins_unlock(lock);
		return PX_EXIT_FAIL;
	}
	secs = ban_secs(&f, asked);
	for (i = 0; i < n && !err; i++)
		err = ban_one(&f, &srcs[i], secs, reason, i == 0);
	filter_close(&f);
	pins_unlock(lock);
	return err ? PX_EXIT_FAIL : PX_EXIT_OK;
}

/*
 * The SSH session guard for bans: NULL, or why src must not be banned
 * from here (it holds this session's client, first in SSH_CONNECTION).
 */
static const char *session_source(const struct px_ban_key *src)
{
	const char *conn = getenv("SSH_CONNECTION");
	struct px_ban_key client;
	const char *why;
	char addr[64];
	size_t len;

	if (!conn)
		return NULL;
	len = strcspn(conn, " ");
	if (len >= sizeof(addr))
		return NULL;
	memcpy(addr, conn, len);
	addr[len] = '\0';
	if (source_parse(addr, &client, &why) ||
	    memcmp(&client, src, sizeof(client)))
		return NULL;
	return "it holds the client of this SSH session, which the ban "
	       "would cut off; ban it from another session";
}

/* --reason TEXT: NULL when fit for a ban's note, else why not. */
static const char *reason_bad(const char *text)
{
	size_t len = strlen(text);

	if (!len || len >= PX_BAN_NOTE_LEN)
		return "a reason is 1 to 31 bytes";
	for (size_t i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] >= 0x7f)
			return "a reason is printable ASCII";
	if (!strcmp(text, "scan") || !strncmp(text, "crowdsec", 8))
		return "scan and crowdsec name the bans portxdp makes itself";
	return NULL;
}

int cmd_ban(int argc, char **argv)
{
	unsigned long secs = 0;
	const char *reason = NULL;
	struct px_ban_key *srcs;
	const char *why;
	int c, n, ret;

	while ((c = cli_getopt(argc, argv, &px_cmd_ban)) != -1) {
		if (c == 'r') {
			why = reason_bad(optarg);
			if (why)
				return cli_usage_error("ban", "--reason: %s",
						       why);
			reason = optarg;
			continue;
		}
		if (c != 'f')
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		if (duration_parse(optarg, strlen(optarg), PX_BAN_DURATION_MAX,
				   &secs))
			return cli_usage_error(
				"ban",
				"--for '%s' is not a duration "
				"from 1s to 366d: write " DURATION_FORMS,
				optarg);
	}
	if (argc - optind < 2)
		return cli_usage_error(
			"ban", optind >= argc ? "ban needs an interface "
						"and a source"
					      : "ban needs at least "
						"one source");
	if (!filter_ifname_ok("ban", argv[optind]))
		return PX_EXIT_USAGE;
	n = argc - optind - 1;
	srcs = calloc((size_t)n, sizeof(*srcs));
	if (!srcs)
		return PX_EXIT_FAIL;
	for (int i = 0; i < n; i++)
		if (source_parse(argv[optind + 1 + i], &srcs[i], &why) ||
		    (why = session_source(&srcs[i]))) {
			free(srcs);
			return cli_usage_error(
				"ban", "'%s' is not a source to ban: %s",
				argv[optind + 1 + i], why);
		}
	ret = ban_all(argv[optind], n, srcs, secs, reason);
	free(srcs);
	return ret;
}
