// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp save IF: the live policy of IF printed as a policy file, so a
 * change made live (open/close, a file edited since) can be kept: `check`
 * accepts it, and `apply` of it changes nothing. Ports are written as
 * numbers, names and classes as comments, so the file means the same
 * wherever and whenever it is applied (the ephemeral range may differ).
 * The text is parsed back before it is printed: what is printed gives the
 * live rules exactly, or nothing is printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "live_rules.h"
#include "maps.h"
#include "policy.h"
#include "table.h"
#include "text.h"

const struct px_cmd px_cmd_save = {
	.name = "save",
	.run = cmd_save,
	.usage = "IF",
	.summary = "print IF's live policy as a policy file",
	.about = "Print the live policy of the portxdp filter on IF as a "
		 "policy file on\n"
		 "stdout: 'default', then one line per run of ports unlike "
		 "it, ping and\n"
		 "'option fragments'. Ports are numbers, with their names and "
		 "classes\n"
		 "as comments, then 'option replies' and the ban rule when "
		 "the policy\n"
		 "has them, so 'portxdp check' accepts it and 'portxdp apply "
		 "IF' of\n"
		 "it changes nothing ('portxdp diff' shows no change), here or "
		 "after a\n"
		 "reboot. Keep live open/close changes this way:\n"
		 "  portxdp save eth0 > new.policy && portxdp diff eth0 "
		 "new.policy\n",
	.more = "A policy with zones or blocks is not saved yet (nothing is "
		"printed,\n"
		"exit 1): keep the file it came from.\n"
		"\n"
		"Exit status: 0 printed, 1 not attached to IF, the live "
		"policy\n"
		"cannot be read or has zones, 2 bad usage.\n",
};

/* The comment lines at the top: what this is and where it came from. */
static void header(char *buf, size_t len, const char *ifname,
		   const struct px_policy *live)
{
	char now[TEXT_TIME_LEN], applied[TEXT_TIME_LEN];
	char src[4 * PX_SOURCE_LEN], name[TEXT_IFNAME_SAFE];

	text_time_local(now, sizeof(now), (long long)time(NULL), -1);
	text_time_local(applied, sizeof(applied), (long long)live->applied_at,
			-1);
	text_safe(name, sizeof(name), ifname);
	text_safe(src, sizeof(src), live->source);
	/* a source with a line break must not end the comment */
	for (char *p = src; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	snprintf(buf, len,
		 "# The live policy of %s, by 'portxdp save %s' at %s.\n"
		 "# It was applied from %s at %s.\n"
		 "# Ports are numbers so that it means the same wherever it "
		 "is applied.\n",
		 name, name, now, src, applied);
}

/* What save writes beside the ports: replies and the ban rule. */
static bool same_options(const struct px_policy *a, const struct px_policy *b)
{
	const struct px_ban_rule *x = &a->ban, *y = &b->ban;

	if ((a->flags & PX_F_REPLIES) != (b->flags & PX_F_REPLIES) ||
	    x->ports != y->ports)
		return false;
	if ((a->flags & PX_F_REPLIES) &&
	    (a->reply_size != b->reply_size ||
	     memcmp(a->reply_idle_ns, b->reply_idle_ns,
		    sizeof(a->reply_idle_ns))))
		return false;
	if (!x->ports)
		return true;
	if (x->window_s != y->window_s || x->duration_s != y->duration_s ||
	    x->nexcept != y->nexcept || x->nexcept > PX_BAN_EXCEPT_MAX)
		return false;
	for (__u32 i = 0; i < x->nexcept; i++)
		if (x->except[i].family != y->except[i].family ||
		    memcmp(x->except[i].net, y->except[i].net,
			   sizeof(x->except[i].net)) ||
		    memcmp(x->except[i].mask, y->except[i].mask,
			   sizeof(x->except[i].mask)))
			return false;
	return true;
}

/* The policy text for live, parsed back to be sure it gives live. */
static int policy_text(const char *ifname, const struct px_policy *live,
		       char **text)
{
	struct px_policy *back = malloc(sizeof(*back));
	unsigned int eph_lo = 1, eph_hi = 0;
	char head[4 * PX_SOURCE_LEN + 4 * TEXT_IFNAME_SAFE + 512];
	size_t size;
	FILE *mem;
	int err;

	*text = NULL;
	mem = back ? open_memstream(text, &size) : NULL;
	if (!mem) {
		free(back);
		return -ENOMEM;
	}
	if (policy_ephemeral_range(&eph_lo, &eph_hi))
		eph_lo = 1, eph_hi = 0; /* unknown: no range is it */
	header(head, sizeof(head), ifname, live);
	err = live_rules_policy_text(live, head, eph_lo, eph_hi, mem);
	if (fclose(mem) && !err)
		err = -ENOMEM;
	if (!err)
		err = policy_load_text("saved", *text, back, NULL, NULL) ? -EIO
		      : policy_same_rules(back, live) &&
				      same_options(back, live)
			      ? 0
			      : -EIO;
	free(back);
	return err;
}

int cmd_save(int argc, char **argv)
{
	struct px_policy *live;
	const char *ifname;
	struct px_filter f;
	char *text = NULL;
	int c, err, ret = PX_EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, &px_cmd_save)) != -1)
		return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	if (argc - optind != 1)
		return cli_usage_error("save", "save needs one interface, e.g. "
					       "'portxdp save eth0 > "
					       "eth0.policy'");
	ifname = argv[optind];
	if (!filter_ifname_ok("save", ifname))
		return PX_EXIT_USAGE;
	if (!cli_need_privileges("save"))
		return PX_EXIT_FAIL;
	live = calloc(1, sizeof(*live));
	if (!live || filter_open(ifname, &f, 0))
		goto out;
	err = maps_read_policy(f.policy_fd, live);
	filter_close(&f);
	if (err) {
		px_error("cannot read the live policy of %s (%s): see "
			 "'portxdp status %s'",
			 ifname, strerror(-err), ifname);
		goto out;
	}
	/* a file without them would lose them: say so, print nothing */
	if (live->flags & (PX_F_ZONES | PX_F_BLOCK)) {
		px_error("the live policy of %s has zones or blocks, which "
			 "'save' cannot write yet: nothing printed; keep the "
			 "policy file they came from ('portxdp status %s' "
			 "names it) and 'portxdp diff %s FILE' to compare",
			 ifname, ifname, ifname);
		goto out;
	}
	table_load();
	err = policy_text(ifname, live, &text);
	if (err) {
		px_error("cannot write the live policy of %s as a policy file "
			 "(%s): nothing printed",
			 ifname, strerror(-err));
		goto out;
	}
	fputs(text, stdout);
	ret = fflush(stdout) ? PX_EXIT_FAIL : PX_EXIT_OK;
out:
	free(text);
	free(live);
	return ret;
}
