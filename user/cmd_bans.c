// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp bans IF [--json]: the bans in force on IF (doc/design.md,
 * section 10), oldest first: source, start, time left, reason (scan or
 * manual), packets dropped since and who asked (fail2ban:JAIL,
 * crowdsec:SCENARIO, `ban --reason`'s TEXT); and the policy's ban rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ban_rule.h"
#include "bans.h"
#include "cli.h"
#include "duration.h"
#include "err.h"
#include "filter.h"
#include "json.h"
#include "maps.h"
#include "maps_zone.h"
#include "pins.h"
#include "source.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("json", 'j', NULL,
	       "one object: {\"interface\", \"limit\", \"full\", \"rule\"\n"
	       "({\"ports\", \"window_s\", \"duration_s\", \"except\":\n"
	       "[zone names and prefixes]}, or null without a ban\n"
	       "rule), \"bans\": [{\"source\", \"start\", \"left_s\",\n"
	       "\"reason\" (scan or manual), \"by\" (who asked, or\n"
	       "null), \"dropped\"}]}"),
	{0},
};

const struct px_cmd px_cmd_bans = {
	.name = "bans",
	.run = cmd_bans,
	.usage = "IF [--json]",
	.summary = "list the sources banned on IF",
	.opts = opts,
	.about = "List the bans in force on IF, oldest first: the source (an "
		 "IPv4 address,\n"
		 "an IPv6 /64 or a link-local address), when its ban started, "
		 "the time\n"
		 "left, why and the packets dropped since. Why: scan (the "
		 "policy's 'ban\n"
		 "after' rule), manual ('portxdp ban'), the TEXT of 'ban "
		 "--reason TEXT'\n"
		 "(fail2ban:JAIL from the fail2ban action), crowdsec:SCENARIO "
		 "('portxdp\n"
		 "crowdsec'). Every IP packet from a banned source is dropped, "
		 "ICMPv6\n"
		 "neighbour discovery aside. Bans stay through apply, open, "
		 "close and\n"
		 "attach --force; detach ends them.\n",
	.more = "See also: portxdp ban, portxdp unban.\n",
};

static void rule_text(const struct px_ban_rule *r, const struct px_zoneset *zs)
{
	char buf[BAN_RULE_TEXT_LEN];

	if (!r->ports)
		printf("no ban rule: only bans made by hand\n");
	else
		printf("%s\n", ban_rule_text(buf, sizeof(buf), r, zs));
}

static void print_text(const char *ifname, const struct px_ban_rule *r,
		       const struct px_zoneset *zs, const struct ban_entry *e,
		       size_t n)
{
	char src[SOURCE_LEN], when[TEXT_TIME_LEN], left[32];

	printf("%s: %zu ban%s; ", ifname, n, n == 1 ? "" : "s");
	rule_text(r, zs);
	if (n >= PX_BANS_MAX)
		printf("the ban table is full (at most %d): 'portxdp ban' "
		       "fails, and a new scan ban pushes out the ban whose "
		       "source sent nothing for the longest\n",
		       PX_BANS_MAX);
	if (!n)
		return;
	printf("%-26s %-25s %-9s %-7s %-8s %s\n", "SOURCE", "START", "LEFT",
	       "REASON", "DROPPED", "BY");
	for (size_t i = 0; i < n; i++) {
		const char *by = bans_by(&e[i].ban);

		printf("%-26s %-25s %-9s %-7s %-8llu %s\n",
		       source_format(src, sizeof(src), &e[i].src),
		       text_time_local(when, sizeof(when), e[i].start, -1),
		       duration_format(left, sizeof(left), e[i].left),
		       bans_reason(&e[i].ban),
		       (unsigned long long)e[i].ban.dropped, by ? by : "-");
	}
}

static void print_json(const char *ifname, const struct px_ban_rule *r,
		       const struct px_zoneset *zs, const struct ban_entry *e,
		       size_t n)
{
	char src[SOURCE_LEN];
	struct ban_except l;
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j);
	json_key_str(&j, "interface", ifname);
	json_key_u64(&j, "limit", PX_BANS_MAX);
	json_key_bool(&j, "full", n >= PX_BANS_MAX);
	json_key(&j, "rule");
	if (r->ports) {
		json_obj_open(&j);
		json_key_u64(&j, "ports", r->ports);
		json_key_u64(&j, "window_s", r->window_s);
		json_key_u64(&j, "duration_s", r->duration_s);
		json_key(&j, "except");
		json_arr_open(&j);
		ban_rule_except(r, zs, &l);
		for (size_t i = 0; i < l.n; i++)
			json_str(&j, l.s[i]);
		json_arr_close(&j);
		json_obj_close(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "bans");
	json_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		json_obj_open(&j);
		json_key_str(&j, "source",
			     source_format(src, sizeof(src), &e[i].src));
		json_key_time(&j, "start", e[i].start, -1);
		json_key_u64(&j, "left_s", e[i].left);
		json_key_str(&j, "reason", bans_reason(&e[i].ban));
		json_key_str(&j, "by", bans_by(&e[i].ban)); /* NULL: null */
		json_key_u64(&j, "dropped", e[i].ban.dropped);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
}

/* The live zone table when the rule's except names zones, else NULL. */
static struct px_zoneset *read_except(const struct px_filter *f,
				      const struct px_policy *pol)
{
	struct px_zoneset *zs = pol->ban.nzones ? zoneset_new() : NULL;
	struct px_zone_maps m;

	if (zs) {
		filter_zone_maps(f, &m);
		if (maps_read_zones(&m, pol, zs)) {
			zoneset_free(zs);
			zs = NULL;
		}
	}
	return zs;
}

int cmd_bans(int argc, char **argv)
{
	struct px_policy *pol = calloc(1, sizeof(*pol));
	struct ban_entry *e = NULL;
	struct px_zoneset *zs = NULL;
	bool json = false;
	struct px_filter f;
	int lock, err, c, ret = PX_EXIT_FAIL;
	size_t n = 0;

	if (!pol)
		return PX_EXIT_FAIL;
	while ((c = cli_getopt(argc, argv, &px_cmd_bans)) != -1) {
		if (c != 'j') {
			free(pol);
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		}
		json = true;
	}
	if (optind + 1 != argc) {
		free(pol);
		return cli_usage_error(
			"bans", optind >= argc ? "bans needs an interface"
					       : "bans takes one interface");
	}
	if (!filter_ifname_ok("bans", argv[optind])) {
		free(pol);
		return PX_EXIT_USAGE;
	}
	lock = bans_open("bans", argv[optind], &f);
	if (lock < 0) {
		free(pol);
		return PX_EXIT_FAIL;
	}
	err = maps_read_policy(f.policy_fd, pol);
	if (!err)
		err = bans_read(f.bans_fd, &e, &n);
	if (!err)
		err = bans_cached_drops(&f, e, n);
	if (!err)
		zs = read_except(&f, pol);
	if (!err)
		bans_sync_live(&f); /* the last ban may have run out */
	filter_close(&f);
	pins_unlock(lock);
	if (err) {
		px_error("cannot read the bans of %s: %s", argv[optind],
			 strerror(-err));
	} else {
		if (json)
			print_json(argv[optind], &pol->ban, zs, e, n);
		else
			print_text(argv[optind], &pol->ban, zs, e, n);
		ret = PX_EXIT_OK;
	}
	zoneset_free(zs);
	free(e);
	free(pol);
	return ret;
}
