// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp table [--long] [--json]: show the port table (policies/ports.table)
 * so that an administrator deciding what to open sees, in one place, each
 * port's name as policies write it and the advice that goes with it.
 */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "portxdp.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "policy.h"
#include "policy_zone.h"
#include "table.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("long", 'l', NULL,
	       "also print what each port carries, wrapped to the\n"
	       "terminal ($COLUMNS, or the window's width)"),
	PX_OPT("json", 'j', NULL,
	       "a JSON list of {port, port_end, protos, name, advice,\n"
	       "description} objects"),
	{0},
};

const struct px_cmd px_cmd_table = {
	.name = "table",
	.run = cmd_table,
	.usage = "[--long] [--json]",
	.summary = "the port table and what each port is",
	.opts = opts,
	.about = "Show the port table: the ports an administrator most often "
		 "decides\n"
		 "about, with the name a policy can use for each (open ssh, "
		 "close\n"
		 "netbios-ns) and advice on whether to open it. Other names "
		 "come from\n"
		 "/etc/services.\n",
	.more = "The table is ports.table in the data folder "
		"($PORTXDP_DATADIR, "
		"the\n"
		"source tree's policies/, or share/portxdp); edit it to add "
		"your own.\n",
};

static void protos_str(unsigned int protos, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int p = 0; p <= PX_PROTO_ICMP; p++) {
		if (!(protos & (1U << p)))
			continue;
		if (buf[0])
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, px_proto_name(p), len - strlen(buf) - 1);
	}
}

static void port_str(const struct table_entry *e, char *buf, size_t len)
{
	if (e->port_lo == e->port_hi)
		snprintf(buf, len, "%u", e->port_lo);
	else
		snprintf(buf, len, "%u-%u", e->port_lo, e->port_hi);
}

static void print_json(void)
{
	struct json j;

	json_init(&j, stdout);
	json_arr_open(&j);
	for (int i = 0; i < table_count(); i++) {
		const struct table_entry *e = table_entry_at(i);

		json_obj_open(&j);
		json_key_u64(&j, "port", e->port_lo);
		json_key_u64(&j, "port_end", e->port_hi);
		json_key(&j, "protos");
		json_arr_open(&j);
		for (int p = 0; p <= PX_PROTO_ICMP; p++)
			if (e->protos & (1U << p))
				json_str(&j, px_proto_name(p));
		json_arr_close(&j);
		json_key_str(&j, "name", e->name);
		json_key_str(&j, "advice", e->advice);
		json_key_str(&j, "description", e->description);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

/* The shipped policies, with their zones, for zone_only(). */
#define SHIPPED_MAX 8
static struct shipped {
	char name[64];
	struct px_policy pol;
	struct px_zoneset *zs;
} shipped[SHIPPED_MAX];
static int nshipped = -1;

static void load_shipped(void)
{
	char dir[PATH_MAX], pat[PATH_MAX + 16];
	FILE *null = fopen("/dev/null", "w");
	glob_t g;

	nshipped = 0;
	if (!null || px_datadir(dir, sizeof(dir)))
		goto out;
	snprintf(pat, sizeof(pat), "%s/*.policy", dir);
	if (glob(pat, 0, NULL, &g))
		goto out;
	for (size_t i = 0; i < g.gl_pathc && nshipped < SHIPPED_MAX; i++) {
		struct shipped *sp = &shipped[nshipped];
		const char *base = strrchr(g.gl_pathv[i], '/');

		if (policy_load_zoned(g.gl_pathv[i], NULL, false, &sp->pol,
				      &sp->zs, NULL, null) ||
		    !sp->zs)
			continue;
		snprintf(sp->name, sizeof(sp->name), "%s",
			 base ? base + 1 : g.gl_pathv[i]);
		nshipped++;
	}
	globfree(&g);
out:
	if (null)
		fclose(null);
}

/* " (open only from lan in default.policy)" when a shipped policy
 * closes e's port and a zone of it opens it; "" otherwise. */
static const char *zone_only(const struct table_entry *e, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (nshipped < 0)
		load_shipped();
	for (int i = 0; i < nshipped; i++) {
		int hits = 0;

		for (unsigned int z = 1; z <= shipped[i].zs->nzones; z++) {
			const struct px_zone *zn = &shipped[i].zs->zone[z];
			bool hit = false;

			for (int p = PX_TCP; p < PX_NPROTO && !hit; p++)
				hit = (e->protos & (1U << p)) &&
				      !policy_port_open(&shipped[i].pol, p,
							e->port_lo) &&
				      (zn->open[p][e->port_lo / 64] >>
				       (e->port_lo % 64)) &
					      1;
			if (hit && o + 1 < len)
				o += (size_t)snprintf(
					buf + o, len - o, "%s%s",
					hits++ ? ", " : " (open only from ",
					zn->name);
		}
		if (hits && o + 1 < len)
			o += (size_t)snprintf(buf + o, len - o, " in %s)",
					      shipped[i].name);
	}
	return buf;
}

static void print_text(bool lng)
{
	int wport = 4, wproto = 5, wname = 4, indent, width;
	char port[16], protos[24], note[256];

	for (int i = 0; i < table_count(); i++) {
		const struct table_entry *e = table_entry_at(i);
		int l;

		port_str(e, port, sizeof(port));
		protos_str(e->protos, protos, sizeof(protos));
		if ((l = (int)strlen(port)) > wport)
			wport = l;
		if ((l = (int)strlen(protos)) > wproto)
			wproto = l;
		if ((l = (int)strlen(e->name)) > wname)
			wname = l;
	}
	indent = wport + wproto + wname + 6;
	width = lng ? text_columns(STDOUT_FILENO) : 0;
	printf("%-*s  %-*s  %-*s  %s\n", wport, "PORT", wproto, "PROTO", wname,
	       "NAME", "ADVICE");
	for (int i = 0; i < table_count(); i++) {
		const struct table_entry *e = table_entry_at(i);

		port_str(e, port, sizeof(port));
		protos_str(e->protos, protos, sizeof(protos));
		zone_only(e, note, sizeof(note));
		if (!lng) {
			printf("%-*s  %-*s  %-*s  %s%s\n", wport, port, wproto,
			       protos, wname, e->name, e->advice, note);
			continue;
		}
		/* --long: advice and description wrapped to the terminal */
		printf("%-*s  %-*s  %-*s  ", wport, port, wproto, protos, wname,
		       e->name);
		if (note[0]) {
			char both[1024];

			snprintf(both, sizeof(both), "%s%s", e->advice, note);
			text_wrap(stdout, both, indent, indent, width);
		} else {
			text_wrap(stdout, e->advice, indent, indent, width);
		}
		if (e->description[0]) {
			printf("%*s", indent, "");
			text_wrap(stdout, e->description, indent, indent,
				  width);
		}
	}
}

int cmd_table(int argc, char **argv)
{
	bool json = false, lng = false;
	int c, err;

	while ((c = cli_getopt(argc, argv, &px_cmd_table)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'l':
			lng = true;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("table", "table takes no arguments");
	err = table_load();
	if (err) {
		if (json)
			json_error(stdout, "cannot load the port table");
		return PX_EXIT_FAIL;
	}
	if (json)
		print_json();
	else
		print_text(lng);
	return PX_EXIT_OK;
}
