// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the command table (user/commands.c, user/cli.c): a verb is
 * found by its name or a unique prefix and an ambiguous prefix names every
 * candidate; each verb's table is whole (usage line names every option,
 * short letters unique, every option has help); the generated --help shows
 * each option once with its value; cli_getopt() takes exactly the table's
 * options. The docs are held to the tables by tests/e2e/help.sh.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"

static void test_find_exact_and_prefix(void)
{
	static const struct {
		const char *typed, *verb;
	} ok[] = {
		{"stats", "stats"}, {"status", "status"}, {"statu", "status"},
		{"at", "attach"},   {"ap", "apply"},	  {"lo", "log"},
		{"la", "lab"},	    {"ch", "check"},	  {"o", "open"},
		{"t", "table"},	    {"co", "confirm"},	  {"e", "exporter"},
	};
	const struct px_cmd *cmd;
	char names[128];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int err = px_cmd_find(ok[i].typed, &cmd, names, sizeof(names));

		if (!ASSERT_EQ(err, 0, ok[i].typed))
			continue;
		ASSERT_STREQ(cmd->name, ok[i].verb, ok[i].typed);
	}
}

static void test_find_ambiguous(void)
{
	static const struct {
		const char *typed, *names;
	} amb[] = {
		{"st", "stats, status"},
		{"sta", "stats, status"},
		{"stat", "stats, status"},
		{"a", "apply, attach, audit"},
		{"d", "detach, diff"},
		{"c", "check, close, confirm, crowdsec"},
		{"l", "lab, log"},
	};
	const struct px_cmd *cmd;
	char names[128];

	for (size_t i = 0; i < sizeof(amb) / sizeof(amb[0]); i++) {
		int err = px_cmd_find(amb[i].typed, &cmd, names, sizeof(names));

		ASSERT_EQ(err, -EEXIST, amb[i].typed);
		ASSERT_TRUE(cmd == NULL, "no verb chosen");
		ASSERT_STREQ(names, amb[i].names, amb[i].typed);
	}
}

static void test_find_unknown(void)
{
	const struct px_cmd *cmd;
	char names[8];

	ASSERT_EQ(px_cmd_find("nosuch", &cmd, names, sizeof(names)), -ENOENT,
		  "nosuch");
	ASSERT_EQ(px_cmd_find("", &cmd, names, sizeof(names)), -ENOENT,
		  "empty");
	ASSERT_EQ(px_cmd_find("statuss", &cmd, names, sizeof(names)), -ENOENT,
		  "longer than a verb");
	/* A short buffer is cut, never overrun. */
	ASSERT_EQ(px_cmd_find("st", &cmd, names, sizeof(names)), -EEXIST, "st");
	ASSERT_EQ(strlen(names), sizeof(names) - 1, "names cut to fit");
}

/* Every verb and sub-command, with its name as `portxdp --help` shows it. */
static void each_cmd(void (*fn)(const struct px_cmd *, const char *))
{
	char name[64];

	for (const struct px_cmd *const *c = px_cmds; *c; c++) {
		if (!(*c)->subs) {
			fn(*c, (*c)->name);
			continue;
		}
		for (const struct px_cmd *const *s = (*c)->subs; *s; s++) {
			snprintf(name, sizeof(name), "%s %s", (*c)->name,
				 (*s)->name);
			ASSERT_TRUE((*s)->parent == *c, "sub-command's parent");
			fn(*s, name);
		}
	}
}

static void table_whole(const struct px_cmd *cmd, const char *name)
{
	char what[128], opt[64];
	bool seen[256] = {false};

	ASSERT_TRUE(cmd->run != NULL, name);
	ASSERT_TRUE(cmd->summary && *cmd->summary, name);
	for (const struct px_opt *o = cmd->opts; o && o->name; o++) {
		snprintf(what, sizeof(what), "%s --%s", name, o->name);
		snprintf(opt, sizeof(opt), "--%s", o->name);
		/* the usage line (and so `portxdp --help`) names it */
		ASSERT_CONTAINS(cmd->usage, opt, what);
		ASSERT_TRUE(o->help && *o->help, what);
		ASSERT_TRUE(o->val > 0 && o->val < 256 && o->val != 'h' &&
				    o->val != '?' && o->val != ':',
			    what);
		ASSERT_TRUE(!seen[o->val & 0xff], what);
		seen[o->val & 0xff] = true;
	}
}

static void test_tables_whole(void)
{
	each_cmd(table_whole);
}

static void help_shows_opts(const struct px_cmd *cmd, const char *name)
{
	char *buf = NULL, line[96], what[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!ASSERT_TRUE(f != NULL, "open_memstream"))
		return;
	cli_help(f, cmd);
	fclose(f);
	snprintf(what, sizeof(what), "usage line of %s", name);
	snprintf(line, sizeof(line), "portxdp %s", name);
	ASSERT_CONTAINS(buf, line, what);
	for (const struct px_opt *o = cmd->opts; o && o->name; o++) {
		if (o->flags & PX_OPT_LONG_ONLY)
			snprintf(line, sizeof(line), "      --%s", o->name);
		else
			snprintf(line, sizeof(line), "  -%c, --%s", o->val,
				 o->name);
		snprintf(what, sizeof(what), "%s --help", name);
		ASSERT_CONTAINS(buf, line, what);
		if (o->arg)
			ASSERT_CONTAINS(strstr(buf, line), o->arg, what);
	}
	free(buf);
}

static void test_help_generated(void)
{
	each_cmd(help_shows_opts);
}

/* cli_getopt takes the table's options, short and long, and no other. */
static void test_getopt_from_table(void)
{
	char a0[] = "stats", a1[] = "-n", a2[] = "5", a3[] = "--watch=2",
	     a4[] = "-j", a5[] = "eth0", bad[] = "--bogus";
	char *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
	char *argv2[] = {a0, bad, NULL};
	char got[8] = "";
	int c, n = 0;

	optind = 0;
	while ((c = cli_getopt(6, argv, &px_cmd_stats)) != -1 && n < 7) {
		got[n++] = (char)c;
		if (c == 'n')
			ASSERT_STREQ(optarg, "5", "-n's value");
		if (c == 'w')
			ASSERT_STREQ(optarg, "2", "--watch=2's value");
	}
	ASSERT_STREQ(got, "nwj", "options seen");
	ASSERT_EQ(optind, 5, "the interface is left");
	optind = 0;
	opterr = 0;
	fflush(stderr);
	ASSERT_EQ(cli_getopt(2, argv2, &px_cmd_stats), '?', "--bogus");
}

int main(void)
{
	RUN(test_find_exact_and_prefix);
	RUN(test_find_ambiguous);
	RUN(test_find_unknown);
	RUN(test_tables_whole);
	RUN(test_help_generated);
	RUN(test_getopt_from_table);
	return check_exit();
}
