// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp unban IF SRC...|--all: lift bans, whatever made them (the ban
 * rule, `portxdp ban`, fail2ban, CrowdSec). A source that is not banned
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
	{0},
};

const struct px_cmd px_cmd_unban = {
	.name = "unban",
	.run = cmd_unban,
	.usage = "IF SRC...\nIF --all",
	.summary = "lift bans on IF",
	.opts = opts,
	.about = "Lift the ban of each SRC on IF (an IPv4 address, or an IPv6 "
		 "address or\n"
		 "/64: IPv6 bans are on the /64), or with --all every ban. A "
		 "source that\n"
		 "is not banned is reported and is no error. A scanner's count "
		 "starts\n"
		 "again from nothing.\n",
	.more = "Example: portxdp unban eth0 198.51.100.7\n",
};

static int lift(struct px_filter *f, int n, struct px_ban_key *srcs)
{
	char s[SOURCE_LEN];
	int err;

	for (int i = 0; i < n; i++) {
		source_format(s, sizeof(s), &srcs[i]);
		err = bans_lift(f, &srcs[i]);
		if (err == -ENOENT) {
			printf("%s: %s was not banned\n", f->ifname, s);
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

static int unban(const char *ifname, bool all, int n, struct px_ban_key *srcs)
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
		err = lift(&f, n, srcs);
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
	const char *why;
	bool all = false;
	int c, n, ret;

	while ((c = cli_getopt(argc, argv, &px_cmd_unban)) != -1) {
		if (c != 'a')
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		all = true;
	}
	if (optind >= argc)
		return cli_usage_error("unban", "unban needs an interface");
	n = argc - optind - 1;
	if (all && n)
		return cli_usage_error("unban", "--all takes no source");
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
	ret = unban(argv[optind], all, n, srcs);
	free(srcs);
	return ret;
}
