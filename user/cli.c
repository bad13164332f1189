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

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts, const char *help)
{
	static const struct option help_only[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct option all[32];
	char so[64];
	int n = 0, c;

	/* longopts + --help, shortopts + h, ':' so missing args are ours. */
	for (const struct option *o = longopts; o && o->name && n < 30; o++)
		all[n++] = *o;
	all[n++] = help_only[0];
	all[n] = help_only[1];
	snprintf(so, sizeof(so), ":%sh", shortopts ? shortopts : "");

	c = getopt_long(argc, argv, so, all, NULL);
	switch (c) {
	case 'h':
		fputs(help, stdout);
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
