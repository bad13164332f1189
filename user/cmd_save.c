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
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include "ban_rule.h"
#include "cli.h"
#include "err.h"
#include "filter.h"
#include "live_rules.h"
#include "live_zones.h"
#include "maps.h"
#include "policy.h"
#include "summary.h"
#include "table.h"
#include "text.h"
#include "textfile.h"

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
	.more = "Zones are saved too: each 'zone' line, then the 'from' and "
		"'block'\n"
		"lines. A zone applied as 'local' or 'file PATH' is written "
		"that way\n"
		"(PATH absolute) while reading it again gives its live "
		"prefixes;\n"
		"otherwise (the file edited or gone, the interface's addresses "
		"changed) "
		"its\n"
		"live prefixes are written one by one, with a comment saying "
		"so.\n"
		"\n"
		"Exit status: 0 printed, 1 not attached to IF, or the live "
		"policy\n"
		"cannot be read or written as a file (nothing printed), 2 bad "
		"usage.\n",
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

/* What save works from: the live policy, its zones and how to say them. */
struct saving {
	const char *ifname;
	const struct px_policy *live;
	struct px_zoneset *zs; /* the live zones with prefixes, or NULL */
	bool literal[PX_ZONE_ENTRIES]; /* write zone z as its prefixes */
};

/* The whole text, zones included, into *text. 0 or -errno. */
static int render(const struct saving *sv, char **text, size_t *size)
{
	char head[4 * PX_SOURCE_LEN + 4 * TEXT_IFNAME_SAFE + 512];
	unsigned int eph_lo = 1, eph_hi = 0;
	char *zones = NULL;
	size_t zsize;
	FILE *mem;
	int err = 0;

	if (sv->zs) {
		mem = open_memstream(&zones, &zsize);
		if (!mem)
			return -ENOMEM;
		err = live_zones_text(sv->zs, sv->literal, mem);
		if (fclose(mem) && !err)
			err = -ENOMEM;
	}
	mem = err ? NULL : open_memstream(text, size);
	if (!mem) {
		free(zones);
		return err ? err : -ENOMEM;
	}
	if (policy_ephemeral_range(&eph_lo, &eph_hi))
		eph_lo = 1, eph_hi = 0; /* unknown: no range is it */
	header(head, sizeof(head), sv->ifname, sv->live);
	err = live_rules_policy_text(sv->live, sv->zs, zones, head, eph_lo,
				     eph_hi, mem);
	if (fclose(mem) && !err)
		err = -ENOMEM;
	free(zones);
	return err;
}

/*
 * Parse text back: 0 when it gives the live policy, -EAGAIN when only
 * some zones' prefixes differ (marked in differs), else -EIO.
 */
static int parse_back(const struct saving *sv, const char *text, bool *differs)
{
	struct px_policy *back = malloc(sizeof(*back));
	FILE *quiet = fopen("/dev/null", "w");
	struct px_zoneset *bzs = NULL;
	int err = -EIO;

	if (!back || !quiet)
		err = -ENOMEM;
	else if (policy_text_zoned("saved", text, sv->ifname, back, &bzs, NULL,
				   quiet) ||
		 !policy_same_rules(back, sv->live) ||
		 summary_replies_differ(back, sv->live) ||
		 !ban_rule_same(&back->ban, bzs, &sv->live->ban, sv->zs))
		err = -EIO;
	else if (!sv->zs || !bzs)
		err = !sv->zs && !bzs ? 0 : -EIO;
	else if (live_zones_same(sv->zs, sv->live, bzs, back, differs))
		err = 0;
	for (unsigned int z = 0; err == -EIO && z < PX_ZONE_ENTRIES; z++)
		if (differs[z])
			err = -EAGAIN;
	zoneset_free(bzs);
	free(back);
	if (quiet)
		fclose(quiet);
	return err;
}

/*
 * A zone applied as `file PATH` whose file is gone, or no longer a
 * readable regular file (deleted, replaced by a FIFO): written as its
 * live prefixes, like a file edited since, instead of failing.
 */
static void files_gone(struct saving *sv)
{
	struct stat st;

	for (unsigned int z = 1; sv->zs && z <= sv->zs->nzones; z++) {
		const char *o = sv->zs->zone[z].origin;

		if (strncmp(o, "file ", 5))
			continue;
		if (stat(o + 5, &st) || !S_ISREG(st.st_mode) ||
		    access(o + 5, R_OK))
			sv->literal[z] = true;
	}
}

/*
 * The policy text for live, parsed back to be sure it gives live: zones
 * by their origin first; a zone whose origin no longer gives its live
 * prefixes (an edited zone file, the interface's addresses changed) is
 * written again as its prefixes.
 */
static int policy_text(struct saving *sv, char **text)
{
	bool differs[PX_ZONE_ENTRIES];
	size_t size = 0;
	int err = -EIO;

	files_gone(sv);
	for (int round = 0; round < 2 && err; round++) {
		free(*text);
		*text = NULL;
		memset(differs, 0, sizeof(differs));
		err = render(sv, text, &size);
		if (!err && size > PX_TEXT_MAX)
			err = -EFBIG;
		if (!err)
			err = parse_back(sv, *text, differs);
		for (unsigned int z = 0; z < PX_ZONE_ENTRIES; z++)
			sv->literal[z] |= differs[z];
	}
	return err == -EAGAIN ? -EIO : err;
}

/* The live policy and zones of ifname into sv. 0 or PX_EXIT_FAIL. */
static int read_live(struct saving *sv, struct px_policy *live)
{
	struct px_zone_maps zm;
	struct px_filter f;
	int err;

	if (filter_open(sv->ifname, &f, 0))
		return PX_EXIT_FAIL;
	err = maps_read_policy(f.policy_fd, live);
	filter_zone_maps(&f, &zm);
	if (!err)
		err = live_zones_read(&zm, live, true, &sv->zs);
	filter_close(&f);
	if (err)
		px_error("cannot read the live policy of %s (%s): see "
			 "'portxdp status %s'",
			 sv->ifname, strerror(-err), sv->ifname);
	return err ? PX_EXIT_FAIL : 0;
}

int cmd_save(int argc, char **argv)
{
	struct saving sv = {0};
	struct px_policy *live;
	char *text = NULL;
	int c, err, ret = PX_EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, &px_cmd_save)) != -1)
		return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	if (argc - optind != 1)
		return cli_usage_error("save", "save needs one interface, e.g. "
					       "'portxdp save eth0 > "
					       "eth0.policy'");
	sv.ifname = argv[optind];
	if (!filter_ifname_ok("save", sv.ifname))
		return PX_EXIT_USAGE;
	if (!cli_need_privileges("save"))
		return PX_EXIT_FAIL;
	live = calloc(1, sizeof(*live));
	sv.live = live;
	if (!live || read_live(&sv, live))
		goto out;
	table_load();
	err = policy_text(&sv, &text);
	if (err == -EFBIG)
		px_error("the live policy of %s with its zones' prefixes is "
			 "over %d bytes, more than a policy file may hold: "
			 "nothing printed; keep the zone files it came from",
			 sv.ifname, PX_TEXT_MAX);
	else if (err)
		px_error("cannot write the live policy of %s as a policy file "
			 "(%s): nothing printed",
			 sv.ifname, strerror(-err));
	if (err)
		goto out;
	fputs(text, stdout);
	ret = fflush(stdout) ? PX_EXIT_FAIL : PX_EXIT_OK;
out:
	free(text);
	zoneset_free(sv.zs);
	free(live);
	return ret;
}
