// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp show IF [--json]: the live rules of IF as people read them, like
 * `ufw status verbose`: the default, ping and options, then per protocol
 * the ports that are not what the default makes them, as named ranges,
 * each with the policy line or live change that decides it. The rows come
 * from live_rules.c, where each came from from audit_lines.c (the file
 * re-read and checked to still give the live policy: when it does not,
 * the rules are shown with their origin unknown, and why).
 *
 * Sections, in order: the policy's source, default/ping/options, one per
 * protocol. Zones (doc/design.md, section 8) come as one more section
 * after the protocols.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "json.h"
#include "live_rules.h"
#include "live_zones.h"
#include "maps.h"
#include "policy.h"
#include "proto.h"
#include "table.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("json", 'j', NULL,
	       "one object: {interface, policy, default, ping,\n"
	       "fragments, tcp: [{from, to, verdict, class, names,\n"
	       "rule}], udp: [...]}; rule is {file, line, text},\n"
	       "{live_change} or null"),
	{0},
};

const struct px_cmd px_cmd_show = {
	.name = "show",
	.run = cmd_show,
	.usage = "IF [--json]",
	.summary = "the live rules, named, and where each came from",
	.opts = opts,
	.about = "Show the live rules of the portxdp filter on IF: the "
		 "default, ping and\n"
		 "'option fragments', then per protocol every range of ports "
		 "that is not\n"
		 "what the default makes it, with its class or names "
		 "(22/tcp ssh,\n"
		 "32768-60999 ephemeral) and where it came from: the line of "
		 "the policy\n"
		 "file, or a live open/close. When the file was edited since "
		 "it was\n"
		 "applied, the rules are shown with their origin unknown.\n"
		 "With zones, each zone follows: its prefixes, origin, "
		 "whether it is\n"
		 "blocked, and the ranges where its verdicts differ.\n",
	.more = "Exit status: 0 shown, 1 not attached to IF or the live "
		"policy cannot\n"
		"be read, 2 bad usage.\n",
};

struct show {
	const char *ifname;
	struct px_policy *live;
	struct live_rules lr;
	unsigned int eph_lo, eph_hi;
	struct px_zoneset *zs; /* the live zone table, or NULL */
};

#define ZONE_RUNS 64 /* a zone's changed ranges shown, at most */

/* "22/tcp", "9000-9010/udp" */
static const char *run_text(const struct zone_run *r, char *buf, size_t len)
{
	if (r->lo == r->hi)
		snprintf(buf, len, "%u/%s", r->lo, px_proto_name(r->proto));
	else
		snprintf(buf, len, "%u-%u/%s", r->lo, r->hi,
			 px_proto_name(r->proto));
	return buf;
}

/* The zone's ping verdict when it differs from the base's, or NULL. */
static const char *zone_ping(const struct show *s, const struct px_zone *zn)
{
	bool open = zn->flags & PX_ZF_PING_OPEN;

	if (open == !!(s->live->flags & PX_F_PING_OPEN))
		return NULL;
	return open ? "open" : "closed";
}

/* One verdict's ranges of a zone, on one line. */
static void text_runs(const struct zone_run *run, unsigned int n, bool open,
		      const char *ping)
{
	char b[32];
	bool any = false;

	for (unsigned int i = 0; i < n && i < ZONE_RUNS; i++) {
		if (run[i].open != open)
			continue;
		printf("%s %s",
		       any    ? ""
		       : open ? "    open  "
			      : "    closed",
		       run_text(&run[i], b, sizeof(b)));
		any = true;
	}
	if (ping && !strcmp(ping, open ? "open" : "closed"))
		printf("%s ping", any	 ? ""
				  : open ? "    open  "
					 : "    closed");
	if (any || (ping && !strcmp(ping, open ? "open" : "closed")))
		printf("%s\n", n > ZONE_RUNS && any ? " ..." : "");
}

static void text_zones(const struct show *s)
{
	struct zone_run run[ZONE_RUNS];
	char name[4 * PX_ZONE_NAME_LEN], origin[4 * PX_ZONE_ORIGIN_LEN];

	if (!s->zs)
		return;
	printf("\n  zones: where a zone's verdicts differ from the rules "
	       "above\n");
	for (unsigned int z = 1; z <= s->zs->nzones; z++) {
		const struct px_zone *zn = &s->zs->zone[z];
		unsigned int n;

		if (!zn->name[0])
			continue;
		n = live_zones_runs(zn, s->live, run, ZONE_RUNS);
		printf("  %s %s: %u IPv4 and %u IPv6 prefix%s%s%s%s\n",
		       zn->flags & PX_ZF_ANON ? "source" : "zone",
		       text_safe(name, sizeof(name), zn->name), zn->prefixes4,
		       zn->prefixes6,
		       zn->prefixes4 + zn->prefixes6 == 1 ? "" : "es",
		       zn->origin[0] ? ", " : "",
		       text_safe(origin, sizeof(origin), zn->origin),
		       zn->flags & PX_ZF_BLOCK ? "; blocked: every packet from "
						 "it is dropped"
					       : "");
		text_runs(run, n, true, zone_ping(s, zn));
		text_runs(run, n, false, zone_ping(s, zn));
		if (!n && !zone_ping(s, zn) && !(zn->flags & PX_ZF_BLOCK))
			printf("    the same as the rules above\n");
	}
}

static void json_zone(struct json *j, const struct show *s,
		      const struct px_zone *zn)
{
	struct zone_run run[ZONE_RUNS];
	unsigned int n = live_zones_runs(zn, s->live, run, ZONE_RUNS);

	json_obj_open(j);
	json_key_str(j, "name", zn->name);
	json_key_bool(j, "bare_prefix", zn->flags & PX_ZF_ANON);
	json_key_u64(j, "prefixes4", zn->prefixes4);
	json_key_u64(j, "prefixes6", zn->prefixes6);
	json_key_str(j, "origin", zn->origin[0] ? zn->origin : NULL);
	json_key_bool(j, "blocked", zn->flags & PX_ZF_BLOCK);
	json_key_str(j, "ping", zone_ping(s, zn));
	json_key(j, "changes");
	json_arr_open(j);
	for (unsigned int i = 0; i < n && i < ZONE_RUNS; i++) {
		json_obj_open(j);
		json_key_str(j, "proto", px_proto_name(run[i].proto));
		json_key_u64(j, "from", run[i].lo);
		json_key_u64(j, "to", run[i].hi);
		json_key_str(j, "verdict", run[i].open ? "open" : "closed");
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key_bool(j, "changes_cut", n > ZONE_RUNS);
	json_obj_close(j);
}

/* zones: [...] (empty without zones). */
static void json_zones(struct json *j, const struct show *s)
{
	json_key(j, "zones");
	json_arr_open(j);
	for (unsigned int z = 1; s->zs && z <= s->zs->nzones; z++)
		if (s->zs->zone[z].name[0])
			json_zone(j, s, &s->zs->zone[z]);
	json_arr_close(j);
}

/* Where line k came from, for people: "FILE:3 'open ssh'", ... */
static const char *where(const struct show *s, unsigned int k, char *buf,
			 size_t len)
{
	char raw[PATH_MAX + 256];

	if (!s->lr.lines)
		return snprintf(buf, len, "unknown"), buf;
	policy_lines_where(s->lr.lines, k, raw, sizeof(raw));
	return text_safe(buf, len, raw);
}

/* Why where each rule came from is unknown. */
static const char *why_unknown(const struct show *s)
{
	if (s->lr.lines_err == -ESTALE)
		return "the file no longer gives the live policy (edited "
		       "since it was applied)";
	if (s->lr.lines_err == -ENOENT && s->live->source[0] != '/')
		return "the policy came from no file";
	return strerror(-s->lr.lines_err);
}

static void text_head(const struct show *s)
{
	const struct px_policy *p = s->live;
	char when[TEXT_TIME_LEN], src[4 * PX_SOURCE_LEN], w[PATH_MAX + 512];
	char name[TEXT_IFNAME_SAFE];
	bool frag = p->flags & PX_F_FRAG_DROP;

	text_time_local(when, sizeof(when), (long long)p->applied_at, -1);
	/* a name may hold control bytes: escaped, as status does */
	printf("%s: the live rules\n",
	       text_safe(name, sizeof(name), s->ifname));
	printf("  policy     %s (applied %s)\n",
	       text_safe(src, sizeof(src), p->source), when);
	if (!s->lr.lines)
		printf("  where each rule came from is unknown: %s\n",
		       why_unknown(s));
	printf("  default    %-7s %s\n", s->lr.default_open ? "open" : "closed",
	       where(s, s->lr.default_line, w, sizeof(w)));
	printf("  ping       %-7s %s\n",
	       p->flags & PX_F_PING_OPEN ? "open" : "closed",
	       where(s, s->lr.lines ? s->lr.lines->ping_line : 0, w,
		     sizeof(w)));
	printf("  fragments  %-7s %s\n", frag ? "drop" : "pass",
	       s->lr.fragment_line || !s->lr.lines
		       ? where(s, s->lr.fragment_line, w, sizeof(w))
		       : "no line: later fragments pass by default");
}

static void text_proto(const struct show *s, int proto)
{
	char ports[16], names[256], w[PATH_MAX + 512];
	unsigned int n = 0;

	printf("\n  %-12s %-7s %-20s %s\n", px_proto_name(proto), "verdict",
	       "name", "from");
	for (unsigned int i = 0; i < s->lr.nrows; i++) {
		const struct rule_row *r = &s->lr.rows[i];

		if (r->proto != proto)
			continue;
		if (r->lo == r->hi)
			snprintf(ports, sizeof(ports), "%u", r->lo);
		else
			snprintf(ports, sizeof(ports), "%u-%u", r->lo, r->hi);
		live_rules_name(r, s->eph_lo, s->eph_hi, 3, names,
				sizeof(names));
		if (strlen(names) > 20) /* the column: names are ASCII */
			memcpy(names + 17, "...", 4);
		printf("  %-12s %-7s %-20s %s\n", ports,
		       r->open ? "open" : "closed", names[0] ? names : "-",
		       where(s, r->line, w, sizeof(w)));
		n++;
	}
	printf("  %s %s port: %s (the default)\n", n ? "every other" : "every",
	       px_proto_name(proto), s->lr.default_open ? "open" : "closed");
}

/* rule: {file, line, text}, {live_change}, or null. */
static void json_rule(struct json *j, const struct show *s, unsigned int k)
{
	const struct policy_lines *pl = s->lr.lines;

	json_key(j, "rule");
	if (!pl || !k) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	if (k > pl->file_lines) {
		json_key_str(j, "live_change", pl->text[k - 1]);
	} else {
		json_key_str(j, "file", pl->name);
		json_key_u64(j, "line", k);
		json_key_str(j, "text", pl->text[k - 1]);
	}
	json_obj_close(j);
}

/* names: the table's names of the row's ports, at most 8. */
static void json_names(struct json *j, const struct rule_row *r)
{
	const char *names[8];
	int n = table_names_of(r->proto, r->lo, r->hi, names, 8);

	json_key(j, "names");
	json_arr_open(j);
	for (int i = 0; i < n; i++)
		json_str(j, names[i]);
	json_arr_close(j);
}

static void json_proto(struct json *j, const struct show *s, int proto)
{
	json_key(j, px_proto_name(proto));
	json_arr_open(j);
	for (unsigned int i = 0; i < s->lr.nrows; i++) {
		const struct rule_row *r = &s->lr.rows[i];

		if (r->proto != proto)
			continue;
		json_obj_open(j);
		json_key_u64(j, "from", r->lo);
		json_key_u64(j, "to", r->hi);
		json_key_str(j, "verdict", r->open ? "open" : "closed");
		json_key_str(j, "class",
			     live_rules_class(r, s->eph_lo, s->eph_hi));
		json_names(j, r);
		json_rule(j, s, r->line);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_verdict(struct json *j, const struct show *s, const char *key,
			 const char *verdict, unsigned int k)
{
	json_key(j, key);
	json_obj_open(j);
	json_key_str(j, "verdict", verdict);
	json_rule(j, s, k);
	json_obj_close(j);
}

static void print_json(const struct show *s)
{
	const struct px_policy *p = s->live;
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j);
	json_key_str(&j, "interface", s->ifname);
	json_key(&j, "policy");
	json_obj_open(&j);
	json_key_str(&j, "source", p->source);
	json_key_time(&j, "applied_at", (long long)p->applied_at, -1);
	json_key_bool(&j, "origin_known", s->lr.lines);
	json_key_str(&j, "origin_unknown_because",
		     s->lr.lines ? NULL : why_unknown(s));
	json_obj_close(&j);
	json_verdict(&j, s, "default", s->lr.default_open ? "open" : "closed",
		     s->lr.default_line);
	json_verdict(&j, s, "ping",
		     p->flags & PX_F_PING_OPEN ? "open" : "closed",
		     s->lr.lines ? s->lr.lines->ping_line : 0);
	json_verdict(&j, s, "fragments",
		     p->flags & PX_F_FRAG_DROP ? "drop" : "pass",
		     s->lr.fragment_line);
	for (int proto = PX_TCP; proto < PX_NPROTO; proto++)
		json_proto(&j, s, proto);
	json_zones(&j, s);
	json_obj_close(&j);
	json_end(&j);
}

static int read_live(const char *ifname, struct show *s, bool quiet)
{
	struct px_zone_maps zm;
	struct px_filter f;
	int err;

	err = filter_open(ifname, &f, quiet ? FILTER_QUIET : 0);
	if (err)
		return err;
	err = maps_read_policy(f.policy_fd, s->live);
	filter_zone_maps(&f, &zm);
	if (!err)
		err = live_zones_read(&zm, s->live, false, &s->zs);
	filter_close(&f);
	if (err && !quiet)
		px_error("cannot read the live policy of %s (%s): see "
			 "'portxdp status %s'",
			 ifname, strerror(-err), ifname);
	return err;
}

int cmd_show(int argc, char **argv)
{
	struct show s = {.eph_lo = 1, .eph_hi = 0};
	struct policy_lines *pl;
	bool as_json = false;
	int c, err, ret = PX_EXIT_FAIL;

	while ((c = cli_getopt(argc, argv, &px_cmd_show)) != -1) {
		if (c != 'j')
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		as_json = true;
	}
	if (argc - optind != 1)
		return cli_usage_error("show", "show needs one interface");
	s.ifname = argv[optind];
	if (!filter_ifname_ok("show", s.ifname))
		return PX_EXIT_USAGE;
	if (!cli_need_privileges("show"))
		return PX_EXIT_FAIL;
	s.live = calloc(1, sizeof(*s.live));
	if (!s.live)
		return PX_EXIT_FAIL;
	err = read_live(s.ifname, &s, as_json);
	if (err) {
		if (as_json)
			json_error(stdout, err == -ENOENT
						   ? "portxdp is not attached"
						   : "cannot read the live "
						     "policy");
		goto out;
	}
	table_load();
	if (policy_ephemeral_range(&s.eph_lo, &s.eph_hi))
		s.eph_lo = 1, s.eph_hi = 0; /* unknown: no range is it */
	pl = policy_lines_live(s.live, &err);
	if (live_rules_build(s.live, pl, err, &s.lr))
		goto out;
	if (as_json) {
		print_json(&s);
	} else {
		text_head(&s);
		for (int proto = PX_TCP; proto < PX_NPROTO; proto++)
			text_proto(&s, proto);
		text_zones(&s);
	}
	live_rules_free(&s.lr);
	ret = PX_EXIT_OK;
out:
	zoneset_free(s.zs);
	free(s.live);
	return ret;
}
