// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command table: every verb in the order `portxdp --help` lists them,
 * the global options, finding a verb by a unique prefix, and the help and
 * machine-readable dump generated from the verbs' tables (each verb's own
 * table is at the top of its cmd_VERB.c; see cli.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct px_cmd *const px_cmds[] = {
	&px_cmd_attach,	 &px_cmd_detach,   &px_cmd_status,   &px_cmd_show,
	&px_cmd_save,	 &px_cmd_apply,	   &px_cmd_open,     &px_cmd_close,
	&px_cmd_confirm, &px_cmd_audit,	   &px_cmd_suggest,  &px_cmd_diff,
	&px_cmd_check,	 &px_cmd_stats,	   &px_cmd_table,    &px_cmd_lab,
	&px_cmd_log,	 &px_cmd_follow,   &px_cmd_bans,     &px_cmd_ban,
	&px_cmd_unban,	 &px_cmd_crowdsec, &px_cmd_exporter, NULL,
};

const struct px_opt px_global_opts[] = {
	PX_OPTF("netns", 'N', "NAME",
		"work in network namespace NAME (from 'ip netns list')",
		PX_OPT_LONG_ONLY),
	PX_OPT("verbose", 'v', NULL, "show libbpf's and the kernel's messages"),
	PX_OPT("help", 'h', NULL,
	       "this help; 'portxdp COMMAND --help' for a command's"),
	PX_OPTF("version", 'V', NULL, "print the version", PX_OPT_LONG_ONLY),
	{0},
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int px_cmd_find(const char *name, const struct px_cmd **cmd, char *names,
		size_t len)
{
	const char *match[sizeof(px_cmds) / sizeof(px_cmds[0])];
	size_t n = 0, nlen = strlen(name), used = 0;

	*cmd = NULL;
	for (const struct px_cmd *const *c = px_cmds; *c; c++) {
		if (!strcmp((*c)->name, name)) {
			*cmd = *c;
			return 0;
		}
		if (nlen && !strncmp((*c)->name, name, nlen)) {
			*cmd = *c;
			match[n++] = (*c)->name;
		}
	}
	if (n == 1)
		return 0;
	*cmd = NULL;
	if (!n)
		return -ENOENT;
	qsort(match, n, sizeof(match[0]), by_name);
	if (len)
		names[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += snprintf(names + used, len - used, "%s%s",
				 i ? ", " : "", match[i]);
	return -EEXIST;
}

/* One verb's two lines; a usage with several forms joins them with '|'. */
static void usage_line(FILE *f, const struct px_cmd *cmd)
{
	char name[32];
	const char *u = cmd->usage ? cmd->usage : "";

	if (cmd->parent)
		snprintf(name, sizeof(name), "%s %s", cmd->parent->name,
			 cmd->name);
	else
		snprintf(name, sizeof(name), "%s", cmd->name);
	fprintf(f, *u ? "  %-7s " : "  %s", name);
	for (; *u; u++)
		if (*u == '\n')
			fputs(" | ", f);
		else
			fputc(*u, f);
	fprintf(f, "\n          %s\n", cmd->summary);
}

void px_usage(FILE *f)
{
	fprintf(f, "usage: portxdp [--netns NAME] [-v] COMMAND [ARGS]\n\n"
		   "A port filter at XDP speed: drops packets to closed "
		   "ports.\n\n"
		   "Commands:\n");
	for (const struct px_cmd *const *c = px_cmds; *c; c++) {
		if (!(*c)->subs) {
			usage_line(f, *c);
			continue;
		}
		for (const struct px_cmd *const *s = (*c)->subs; *s; s++)
			usage_line(f, *s);
	}
	fprintf(f, "\nGlobal options (before or after the command):\n");
	cli_print_opts(f, px_global_opts);
	fprintf(f, "\nStart with 'portxdp attach eth0' (default policy), then "
		   "'portxdp stats eth0'.\n");
}

/* "=" after an option that takes a value, "[=]" when it may take one. */
static const char *value_mark(const struct px_opt *o)
{
	if (!o->arg)
		return "";
	return o->flags & PX_OPT_OPTIONAL_ARG ? "[=]" : "=";
}

/* "attach<TAB>--policy= --mode= --force<TAB>-p= -m= -f" */
static void dump_opts(FILE *f, const char *name, const struct px_opt *opts)
{
	const char *sep = "";

	fprintf(f, "%s\t", name);
	for (const struct px_opt *o = opts; o && o->name; o++)
		fprintf(f, "%s--%s%s", o == opts ? "" : " ", o->name,
			value_mark(o));
	fputc('\t', f);
	for (const struct px_opt *o = opts; o && o->name; o++)
		if (!(o->flags & PX_OPT_LONG_ONLY)) {
			fprintf(f, "%s-%c%s", sep, o->val, value_mark(o));
			sep = " ";
		}
	fputc('\n', f);
}

void px_help_dump(FILE *f)
{
	char name[32];

	dump_opts(f, "(global)", px_global_opts);
	for (const struct px_cmd *const *c = px_cmds; *c; c++) {
		if (!(*c)->subs) {
			dump_opts(f, (*c)->name, (*c)->opts);
			continue;
		}
		for (const struct px_cmd *const *s = (*c)->subs; *s; s++) {
			snprintf(name, sizeof(name), "%s %s", (*c)->name,
				 (*s)->name);
			dump_opts(f, name, (*s)->opts);
		}
	}
}
