// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Option and argument helpers shared by every verb; see cli.h. */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "text.h"

const char *px_netns_name;

#define CLI_MAX_OPTS 24

static const struct px_opt help_opt = PX_OPT("help", 'h', NULL, "this text");

int cli_getopt(int argc, char **argv, const struct px_cmd *cmd)
{
	struct option all[CLI_MAX_OPTS + 2] = {{0}};
	char so[3 * CLI_MAX_OPTS + 4] = ":"; /* ':': missing values are ours */
	size_t n = 0, k = 1;
	int c;

	for (const struct px_opt *o = cmd->opts; o && o->name; o++) {
		if (n == CLI_MAX_OPTS)
			break;
		all[n++] = (struct option){o->name,
					   !o->arg ? no_argument
					   : (o->flags & PX_OPT_OPTIONAL_ARG)
						   ? optional_argument
						   : required_argument,
					   NULL, o->val};
		if (o->flags & PX_OPT_LONG_ONLY)
			continue;
		so[k++] = (char)o->val;
		if (o->arg)
			so[k++] = ':';
		if (o->arg && (o->flags & PX_OPT_OPTIONAL_ARG))
			so[k++] = ':';
	}
	all[n] = (struct option){help_opt.name, no_argument, NULL, 'h'};
	so[k++] = 'h';
	so[k] = '\0';

	c = getopt_long(argc, argv, so, all, NULL);
	switch (c) {
	case 'h':
		cli_help(stdout, cmd);
		return 'h';
	case ':':
		cli_usage_error(argv[0], "option '%s' needs a value",
				argv[optind - 1]);
		return '?';
	case '?':
		if (optopt)
			cli_usage_error(argv[0], "unknown option '-%c'",
					optopt);
		else
			cli_usage_error(argv[0], "unknown option '%s'",
					argv[optind - 1]);
		return '?';
	}
	return c;
}

/* "  -p, --policy FILE", "      --stale", "  -w, --watch[=SECS]" */
static int opt_left(const struct px_opt *o, char *buf, size_t len)
{
	char shrt[8] = "    ";

	if (!(o->flags & PX_OPT_LONG_ONLY))
		snprintf(shrt, sizeof(shrt), "-%c, ", o->val);
	return snprintf(buf, len, "  %s--%s%s%s%s", shrt, o->name,
			!o->arg				   ? ""
			: (o->flags & PX_OPT_OPTIONAL_ARG) ? "[="
							   : " ",
			o->arg ? o->arg : "",
			o->arg && (o->flags & PX_OPT_OPTIONAL_ARG) ? "]" : "");
}

static void print_opt(FILE *f, const struct px_opt *o, int col)
{
	const char *h = o->help;
	char left[96];
	int w = opt_left(o, left, sizeof(left));

	fprintf(f, "%s%*s", left, col - w, "");
	for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
		fprintf(f, "%.*s\n%*s", (int)(nl - h), h, col, "");
	fprintf(f, "%s\n", h);
}

/* The option lines of one table, and -h when asked, in one column. */
static void print_opts(FILE *f, const struct px_opt *opts, bool with_help)
{
	char left[96];
	int col = 0, w;

	for (const struct px_opt *o = opts; o && o->name; o++) {
		w = opt_left(o, left, sizeof(left));
		col = w > col ? w : col;
	}
	if (with_help) {
		w = opt_left(&help_opt, left, sizeof(left));
		col = w > col ? w : col;
	}
	col += 2;
	for (const struct px_opt *o = opts; o && o->name; o++)
		print_opt(f, o, col);
	if (with_help)
		print_opt(f, &help_opt, col);
}

/* "portxdp lab up" */
static void print_usage_forms(FILE *f, const struct px_cmd *cmd, bool *first)
{
	const char *u = cmd->usage ? cmd->usage : "", *nl;
	char name[32];

	if (cmd->parent)
		snprintf(name, sizeof(name), "%s %s", cmd->parent->name,
			 cmd->name);
	else
		snprintf(name, sizeof(name), "%s", cmd->name);
	for (;;) {
		nl = strchr(u, '\n');
		fprintf(f, "%s portxdp %s%s%.*s\n",
			*first ? "usage:" : "      ", name, *u ? " " : "",
			nl ? (int)(nl - u) : (int)strlen(u), u);
		*first = false;
		if (!nl)
			break;
		u = nl + 1;
	}
}

void cli_print_opts(FILE *f, const struct px_opt *opts)
{
	print_opts(f, opts, false);
}

void cli_help(FILE *f, const struct px_cmd *cmd)
{
	bool first = true;

	if (cmd->parent)
		cmd = cmd->parent;
	if (cmd->subs)
		for (const struct px_cmd *const *s = cmd->subs; *s; s++)
			print_usage_forms(f, *s, &first);
	else
		print_usage_forms(f, cmd, &first);
	if (cmd->about)
		fprintf(f, "\n%s", cmd->about);
	for (const struct px_cmd *const *s = cmd->subs; s && *s; s++) {
		if ((*s)->about)
			fprintf(f, "\n%s", (*s)->about);
		if ((*s)->opts && (*s)->opts->name) {
			fputc('\n', f);
			print_opts(f, (*s)->opts, false);
		}
	}
	if (!cmd->subs) {
		fputc('\n', f);
		print_opts(f, cmd->opts, true);
	}
	if (cmd->more)
		fprintf(f, "\n%s", cmd->more);
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "portxdp: error: ");
	va_start(ap, fmt);
	text_vprint(stderr, fmt, ap); /* control characters escaped */
	va_end(ap);
	fprintf(stderr, ": see 'portxdp %s --help'\n", verb);
	return PX_EXIT_USAGE;
}

unsigned int cli_ifindex(const char *ifname)
{
	unsigned int idx;

	if (strlen(ifname) >= IF_NAMESIZE) {
		px_error("'%s' is not an interface name (longer than %d "
			 "characters): see 'ip link'",
			 ifname, IF_NAMESIZE - 1);
		return 0;
	}
	idx = if_nametoindex(ifname);
	if (!idx)
		px_error("no interface '%s' in %s: see 'ip link'%s", ifname,
			 px_netns_name ? "this network namespace"
				       : "the current network namespace",
			 px_netns_name
				 ? ""
				 : " (for a namespace, add --netns NAME)");
	return idx;
}

int cli_parse_ulong(const char *s, unsigned long lo, unsigned long hi,
		    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* CapEff from /proc/self/status; 0 when unreadable. */
static unsigned long long effective_caps(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

bool cli_need_privileges(const char *verb)
{
	const unsigned long long net_admin = 1ULL << 12, sys_admin = 1ULL << 21,
				 bpf = 1ULL << 39;
	unsigned long long caps = effective_caps();

	if (geteuid() == 0 || (caps & sys_admin) ||
	    ((caps & bpf) && (caps & net_admin)))
		return true;
	px_error("'portxdp %s' needs root (or CAP_BPF with CAP_NET_ADMIN): "
		 "run it with sudo",
		 verb);
	return false;
}
