// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp unban IF SRC... [--by TEXT]|--all: lift bans, whatever made
 * them (the ban rule, `portxdp ban`, fail2ban, CrowdSec), or with --by
 * only those asked for as TEXT: fail2ban's unban must not lift the longer
 * ban that kept its own from replacing it. A source that is not banned
 * is said so, and is no error: fail2ban and CrowdSec lift bans that may
 * have run out already. doc/design.md, section 10.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bans.h"
#include "cli.h"
#include "err.h"
#include "filter.h"
#include "pins.h"
#include "source.h"

static const struct px_opt opts[] = {
	PX_OPTF("all", 'a', NULL, "lift every ban on IF", PX_OPT_LONG_ONLY),
	PX_OPTF("by", 'b', "TEXT",
		"lift only a ban asked for as TEXT ('ban --reason\n"
		"TEXT', the fail2ban action's fail2ban:JAIL);\n"
		"another's ban stays",
		PX_OPT_LONG_ONLY),
	{0},
};

const struct px_cmd px_cmd_unban = {
	.name = "unban",
	.run = cmd_unban,
	.usage = "IF SRC... [--by TEXT]\nIF --all",
	.summary = "lift bans on IF",
	.opts = opts,
	.about = "Lift the ban of each SRC on IF (an IPv4 address, or an IPv6 "
		 "address or\n"
		 "/64: IPv6 bans are on the /64), or with --all every ban. A "
		 "source that\n"
		 "is not banned is reported and is no error. A scanner's count "
		 "starts\n"
		 "again from nothing. With --by, a ban someone else asked for "
		 "(or the\n"
		 "ban rule made) is kept and said so: a ban kept longer than "
		 "yours is\n"
		 "not yours to lift.\n",
	.more = "Examples: portxdp unban eth0 198.51.100.7\n"
		"          portxdp unban eth0 198.51.100.7 --by "
		"fail2ban:sshd\n",
};

static int lift(struct px_filter *f, int n, struct px_ban_key *srcs,
		const char *by)
{
	char s[SOURCE_LEN];
	struct px_ban b = {0};
	const char *who;
	int err;

	for (int i = 0; i < n; i++) {
		source_format(s, sizeof(s), &srcs[i]);
		err = by ? bans_lift_by(f, &srcs[i], by, &b)
			 : bans_lift(f, &srcs[i]);
		if (err == -ENOENT) {
			printf("%s: %s was not banned\n", f->ifname, s);
		} else if (err == -EBUSY) {
			who = bans_by(&b);
			printf("%s: %s: banned by %s, not %s: kept\n",
			       f->ifname, s,
			       who			 ? who
			       : b.reason == PX_BAN_SCAN ? "the ban rule"
							 : "hand",
			       by);
		} else if (err) {
			px_error("cannot unban %s on %s: %s", s, f->ifname,
				 strerror(-err));
			return err;
		} else {
			printf("%s: unbanned %s\n", f->ifname, s);
		}
	}
	return 0;
}

static int unban(const char *ifname, bool all, int n, struct px_ban_key *srcs,
		 const char *by)
{
	struct px_filter f;
	size_t count = 0;
	int lock, err;

	lock = bans_open("unban", ifname, &f);
	if (lock < 0)
		return PX_EXIT_FAIL;
	if (all) {
		err = bans_lift_all(&f, &count);
		if (err)
			px_error("cannot unban on %s: %s", ifname,
				 strerror(-err));
		else
			printf("%s: lifted %zu ban%s\n", ifname, count,
			       count == 1 ? "" : "s");
	} else {
		err = lift(&f, n, srcs, by);
	}
	if (bans_sync_live(&f))
		err = err ? err : -EIO;
	filter_close(&f);
	pins_unlock(lock);
	return err ? PX_EXIT_FAIL : PX_EXIT_OK;
}

int cmd_unban(int argc, char **argv)
{
	struct px_ban_key *srcs;
	const char *why, *by = NULL;
	bool all = false;
	int c, n, ret;

	while ((c = cli_getopt(argc, argv, &px_cmd_unban)) != -1) {
		if (c == 'b') {
			by = optarg;
			if (!*by || strlen(by) >= PX_BAN_NOTE_LEN)
				return cli_usage_error(
					"unban", "--by: a ban's TEXT is 1 to "
						 "31 bytes");
			continue;
		}
		if (c != 'a')
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		all = true;
	}
	if (optind >= argc)
		return cli_usage_error("unban", "unban needs an interface");
	n = argc - optind - 1;
	if (all && n)
		return cli_usage_error("unban", "--all takes no source");
	if (all && by)
		return cli_usage_error("unban",
				       "--by takes sources, not --all: "
				       "name each source to lift");
	if (!all && !n)
		return cli_usage_error("unban",
				       "unban needs a source, or --all");
	if (!filter_ifname_ok("unban", argv[optind]))
		return PX_EXIT_USAGE;
	srcs = calloc((size_t)n + 1, sizeof(*srcs));
	if (!srcs)
		return PX_EXIT_FAIL;
	for (int i = 0; i < n; i++)
		if (source_parse(argv[optind + 1 + i], &srcs[i], &why)) {
			free(srcs);
			return cli_usage_error("unban",
					       "'%s' is not a source: %s",
					       argv[optind + 1 + i], why);
		}
	ret = unban(argv[optind], all, n, srcs, by);
	free(srcs);
	return ret;
}
