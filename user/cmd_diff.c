// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp diff IF FILE [--json]: what `apply IF FILE` would open and close,
 * without changing anything, so a policy edit can be reviewed before it
 * reaches a live interface. The comparison itself is policy_diff()
 * (policy_bitmap.c, unit-tested); this file only reads the live policy from the
 * pins and prints ranges with their table names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "portxdp.h"
#include "ban_rule.h"
#include "cli.h"
#include "diff_zones.h"
#include "err.h"
#include "json.h"
#include "maps.h"
#include "maps_zone.h"
#include "policy_zone.h"
#include "filter.h"
#include "policy.h"
#include "summary.h"
#include "table.h"
#include "text.h"

#define DIFF_NAMES 4 /* names shown per range before "..." */

static const struct px_opt opts[] = {
	PX_OPT("json", 'j', NULL,
	       "one object: {interface, file, open: [{proto, from, to,\n"
	       "class, names}], close: [...], tcp: {open, close},\n"
	       "udp: {open, close}, ping, fragments}; class names a\n"
	       "range that is one (ephemeral) or is null; ping and\n"
	       "fragments are {from, to} or null when unchanged;\n"
	       "replies and ban (the rule's text, null: none) alike;\n"
	       "zones: [{name, status (new, removed, changed, same),\n"
	       "blocked, prefixes4, prefixes6, open, close, ping}];\n"
	       "changed: whether apply would change anything"),
	{0},
};

const struct px_cmd px_cmd_diff = {
	.name = "diff",
	.run = cmd_diff,
	.usage = "IF FILE [--json]",
	.summary = "what 'apply IF FILE' would change",
	.opts = opts,
	.about =
		"Show what 'portxdp apply IF FILE' would change, without "
		"changing it:\n"
		"the ports it would open and close, as ranges per protocol "
		"with their\n"
		"names from the port table or /etc/services, and changes to "
		"ping and\n"
		"to 'option fragments', 'option replies' and the ban rule, "
		"then "
		"per\n"
		"zone what changes for its "
		"sources\n"
		"(a new zone against the live base verdicts, a removed one's "
		"sources\n"
		"against the new base). FILE is parsed exactly as apply parses "
		"it,\n"
		"with the ephemeral class read in IF's network namespace "
		"(--netns).\n",
	.more = "Exit status: 0 (changes or not), 1 IF has no portxdp or "
		"cannot "
		"be\n"
		"read, 2 FILE has errors.\n",
};

static void range_str(const struct policy_range *r, char *buf, size_t len)
{
	if (r->lo == r->hi)
		snprintf(buf, len, "%u/%s", r->lo, px_proto_name(r->proto));
	else
		snprintf(buf, len, "%u-%u/%s", r->lo, r->hi,
			 px_proto_name(r->proto));
}

/* The ephemeral range of IF's namespace, or none (lo > hi). */
static void ephemeral(unsigned int *lo, unsigned int *hi)
{
	if (policy_ephemeral_range(lo, hi)) {
		*lo = 1; /* unknown: no range is it */
		*hi = 0;
	}
}

/* Per protocol: {"tcp": {"open": N, "close": N}, "udp": ...}, ports
 * 1-65535 (port 0 is always dropped: never counted). */
static void json_counts(struct json *j, const struct policy_range *r, int n)
{
	for (int p = PX_TCP; p < PX_NPROTO; p++) {
		unsigned int c[2] = {0, 0};

		for (int i = 0; i < n; i++)
			if (r[i].proto == p)
				c[r[i].open] +=
					r[i].hi - r[i].lo + 1 - (r[i].lo == 0);
		json_key(j, px_proto_name(p));
		json_obj_open(j);
		json_key_u64(j, "open", c[1]);
		json_key_u64(j, "close", c[0]);
		json_obj_close(j);
	}
}

static void print_json(const char *ifname, const char *file,
		       const struct policy_range *r, int n,
		       const struct diff_zone_args *dz)
{
	const struct px_policy *live = dz->live, *next = dz->next;
	bool lping = live->flags & PX_F_PING_OPEN;
	bool nping = next->flags & PX_F_PING_OPEN;
	bool lfrag = live->flags & PX_F_FRAG_DROP;
	bool nfrag = next->flags & PX_F_FRAG_DROP;
	bool ban = !ban_rule_same(&live->ban, dz->lzs, &next->ban, dz->nzs);
	char lban[BAN_RULE_TEXT_LEN], nban[BAN_RULE_TEXT_LEN];
	char lrep[80], nrep[80];
	struct json j;
	int nzones;

	json_init(&j, stdout);
	json_obj_open(&j);
	json_key_str(&j, "interface", ifname);
	json_key_str(&j, "file", file);
	diff_json_ranges(&j, "open", r, n, true);
	diff_json_ranges(&j, "close", r, n, false);
	json_counts(&j, r, n);
	json_key_change(&j, "ping", lping != nping, lping ? "open" : "closed",
			nping ? "open" : "closed");
	json_key_change(&j, "fragments", lfrag != nfrag,
			lfrag ? "drop" : "pass", nfrag ? "drop" : "pass");
	summary_replies(lrep, sizeof(lrep), live);
	summary_replies(nrep, sizeof(nrep), next);
	json_key_change(&j, "replies", summary_replies_differ(live, next), lrep,
			nrep);
	json_key_change(&j, "ban", ban,
			live->ban.ports ? ban_rule_text(lban, sizeof(lban),
							&live->ban, dz->lzs)
					: NULL,
			next->ban.ports ? ban_rule_text(nban, sizeof(nban),
							&next->ban, dz->nzs)
					: NULL);
	nzones = diff_zones(dz, &j);
	/* whether apply would change anything: for scripts and the
	 * Ansible role */
	json_key_bool(&j, "changed",
		      n || lping != nping || lfrag != nfrag || ban || nzones ||
			      summary_replies_differ(live, next));
	json_obj_close(&j);
	json_end(&j);
}

/* "ban after 5 ports in 1m for 1h except lan (now ban after ...)" */
static void print_ban(const struct diff_zone_args *dz)
{
	char lban[BAN_RULE_TEXT_LEN], nban[BAN_RULE_TEXT_LEN];

	text_line(stdout, "%s (now %s)",
		  ban_rule_text(nban, sizeof(nban), &dz->next->ban, dz->nzs),
		  ban_rule_text(lban, sizeof(lban), &dz->live->ban, dz->lzs));
}

static void print_diff(const char *ifname, const char *file,
		       const struct diff_zone_args *dz, bool as_json)
{
	const struct px_policy *live = dz->live, *next = dz->next;
	int nzones;
	int n = policy_diff(live, next, NULL, 0);
	struct policy_range *r = calloc((size_t)n + 1, sizeof(*r));
	bool lping = live->flags & PX_F_PING_OPEN;
	bool nping = next->flags & PX_F_PING_OPEN;
	bool lfrag = live->flags & PX_F_FRAG_DROP;
	bool nfrag = next->flags & PX_F_FRAG_DROP;
	bool reps = summary_replies_differ(live, next);
	bool ban = !ban_rule_same(&live->ban, dz->lzs, &next->ban, dz->nzs);
	char lrep[80], nrep[80];
	unsigned int nopen = 0, nclose = 0, eph_lo = 1, eph_hi = 0;
	char what[32], names[256];
	char zones[48] = "";
	const char *cls;

	if (!r)
		return;
	policy_diff(live, next, r, n);
	if (as_json) {
		print_json(ifname, file, r, n, dz);
		free(r);
		return;
	}
	ephemeral(&eph_lo, &eph_hi);
	/* Opens first, then closes: the order a reviewer reads them in. */
	for (int pass = 1; pass >= 0; pass--) {
		for (int i = 0; i < n; i++) {
			if (r[i].open != pass)
				continue;
			range_str(&r[i], what, sizeof(what));
			/* a class by its name: "32768-60999/tcp (ephemeral)" */
			cls = summary_class(r[i].lo, r[i].hi, eph_lo, eph_hi);
			if (cls)
				snprintf(names, sizeof(names), "%s", cls);
			else
				table_range_names(r[i].proto, r[i].lo, r[i].hi,
						  names, sizeof(names),
						  DIFF_NAMES);
			printf("%-5s %s%s%s%s\n", pass ? "open" : "close", what,
			       names[0] ? " (" : "", names,
			       names[0] ? ")" : "");
			if (pass)
				nopen += r[i].hi - r[i].lo + 1 - (r[i].lo == 0);
			else
				nclose +=
					r[i].hi - r[i].lo + 1 - (r[i].lo == 0);
		}
		if (pass && lping != nping && nping)
			printf("open  ping\n");
		if (!pass && lping != nping && !nping)
			printf("close ping\n");
	}
	if (lfrag != nfrag)
		printf("option fragments %s (now %s)\n",
		       nfrag ? "drop" : "pass", lfrag ? "drop" : "pass");
	if (reps) {
		summary_replies(lrep, sizeof(lrep), live);
		summary_replies(nrep, sizeof(nrep), next);
		printf("option replies %s (now %s)\n", nrep, lrep);
	}
	if (ban)
		print_ban(dz);
	nzones = diff_zones(dz, NULL);
	if (nzones)
		snprintf(zones, sizeof(zones), "; %d zone%s change%s", nzones,
			 nzones == 1 ? "" : "s", nzones == 1 ? "s" : "");
	if (!n && lping == nping && lfrag == nfrag && !reps && !nzones && !ban)
		text_line(stdout,
			  "%s: no change: the live policy already matches %s",
			  ifname, file);
	else
		printf("%s: %u port%s to open, %u to close%s%s%s\n", ifname,
		       nopen, nopen == 1 ? "" : "s", nclose,
		       lping != nping
			       ? (nping ? ", ping to open" : ", ping to close")
			       : "",
		       zones, ban ? "; the ban rule changes" : "");
	free(r);
}

/* The live policy and its zones (with their prefixes: an edit that keeps
 * a zone's counts shows too) into live and *lzs (NULL: none installed).
 * 0 or -errno, said. */
static int read_live(const struct px_zone_maps *zm, int policy_fd,
		     struct px_policy *live, struct px_zoneset **lzs,
		     const char *ifname)
{
	const char *what = "policy";
	int err = maps_read_policy(policy_fd, live);

	if (!err) {
		what = "zones";
		*lzs = zoneset_new();
		err = *lzs ? maps_read_zones(zm, live, *lzs) : -ENOMEM;
	}
	if (!err)
		err = maps_read_prefixes(zm, live, *lzs);
	if (err == -ENOENT && *lzs) { /* none installed: no live zones */
		zoneset_free(*lzs);
		*lzs = NULL;
		err = 0;
	}
	if (err)
		px_error("cannot read the live %s of %s: %s: is portxdp "
			 "attached? see 'portxdp status %s'",
			 what, ifname, strerror(-err), ifname);
	return err;
}

int cmd_diff(int argc, char **argv)
{
	struct policy_report rep = {0};
	struct px_policy *live = NULL, *next = NULL;
	const char *ifname, *file;
	struct px_zoneset *zs = NULL, *lzs = NULL;
	struct diff_zone_args dz;
	struct px_zone_maps zm;
	struct session_check sc;
	struct px_filter a;
	bool as_json = false, cut;
	int c, err, ret = PX_EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, &px_cmd_diff)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("diff", "diff needs an interface and a "
					       "policy file");
	ifname = argv[optind];
	file = argv[optind + 1];
	if (!filter_ifname_ok("diff", ifname))
		return PX_EXIT_USAGE;

	live = calloc(1, sizeof(*live));
	next = calloc(1, sizeof(*next));
	if (!live || !next)
		goto out;
	/* The file first: a bad policy is a usage error, BPF or not. */
	table_load();
	err = policy_load_zoned(file, ifname, false, next, &zs, &rep, stderr);
	if (err) {
		ret = err == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
		if (err == -EINVAL)
			px_error("%s has errors: see 'portxdp check %s'", file,
				 file);
		goto out;
	}
	if (!cli_need_privileges("diff"))
		goto out;
	if (filter_open(ifname, &a, 0))
		goto out;
	filter_zone_maps(&a, &zm);
	err = read_live(&zm, a.policy_fd, live, &lzs, ifname);
	if (err) {
		filter_close(&a);
		goto out;
	}
	sc = (struct session_check){
		.m = &zm, .live = live, .next = next, .zs = zs};
	cut = policy_session_cut(&sc, NULL, ifname);
	filter_close(&a);
	dz = (struct diff_zone_args){.live = live,
				     .next = next,
				     .lzs = lzs,
				     .nzs = zs,
				     .prefixes = true};
	print_diff(ifname, file, &dz, as_json);
	if (cut && !as_json)
		px_warn("%s shuts %u/tcp to this SSH session's client "
			"(SSH_CONNECTION): apply would cut it off, and refuses "
			"without --force",
			file, policy_ssh_port());
	ret = PX_EXIT_OK;
out:
	zoneset_free(lzs);
	zoneset_free(zs);
	free(live);
	free(next);
	return ret;
}
