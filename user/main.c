// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp: the command table and dispatch. Global options (--netns NAME,
 * -v) may stand before or after the verb; they are taken out here, the
 * namespace is entered, and the verb's handler gets the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "netns.h"

#define PX_VERSION "0.1.0"

static const struct px_cmd cmds[] = {
	{"attach", cmd_attach,
	 "IF [--policy FILE] [--mode auto|native|generic] [--force] "
	 "[--confirm SECS]",
	 "load the filter onto IF with a policy and leave it running"},
	{"detach", cmd_detach, "IF | --stale",
	 "remove the filter from IF; --stale: the pins of filters whose "
	 "interface is gone"},
	{"status", cmd_status, "[IF] [--json]", "what is attached where"},
	{"apply", cmd_apply, "IF FILE [--force] [--confirm SECS]",
	 "replace IF's live policy atomically"},
	{"open", cmd_open, "IF SPEC... [--confirm SECS]", "open ports live"},
	{"close", cmd_close, "IF SPEC... [--force] [--confirm SECS]",
	 "close ports live"},
	{"confirm", cmd_confirm, "IF",
	 "keep a change made with --confirm before it is undone"},
	{"audit", cmd_audit, "IF [--policy FILE] [--json]",
	 "the policy against what listens here and the port table's advice"},
	{"suggest", cmd_suggest, "IF [--from listening|traffic|both]",
	 "print a policy that opens what listens and/or what passed"},
	{"diff", cmd_diff, "IF FILE [--json]",
	 "what 'apply IF FILE' would change"},
	{"check", cmd_check, "FILE... [--strict]",
	 "validate policy files: errors and warnings"},
	{"stats", cmd_stats,
	 "IF [--watch [SECS] [--count N]] [--top N | --all] [--json | "
	 "--prometheus]",
	 "per-port hit counts"},
	{"table", cmd_table, "[--long] [--json]",
	 "the port table and what each port is"},
	{"lab", cmd_lab, "up|probe|down ...",
	 "rehearse a policy on a veth pair in a namespace"},
	{"log", cmd_log, "IF [--rate N] [--count N] [--json | --pcap FILE|-]",
	 "stream dropped packets, rate-limited"},
	{"follow", cmd_follow, "IF FILE [--force]",
	 "apply FILE now and whenever it changes (ConfigMaps too)"},
	{"exporter", cmd_exporter, "[--listen ADDR:PORT] [--max-ports N]",
	 "serve every filter's counters to Prometheus over HTTP"},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: portxdp [--netns NAME] [-v] COMMAND [ARGS]\n\n"
		"A port filter at XDP speed: drops packets to closed ports.\n\n"
		"Commands:\n");
	for (unsigned int i = 0; i < NCMDS; i++)
		fprintf(f, "  %-7s %s\n          %s\n", cmds[i].name,
			cmds[i].usage, cmds[i].summary);
	fprintf(f, "\nGlobal options (before or after the command):\n"
		   "  --netns NAME  work in network namespace NAME (from "
		   "'ip netns list')\n"
		   "  -v, --verbose show libbpf's and the kernel's messages\n"
		   "  -h, --help    this help; 'portxdp COMMAND --help' for a "
		   "command's\n"
		   "  --version     print the version\n\n"
		   "Start with 'portxdp attach eth0' (default policy), then "
		   "'portxdp stats eth0'.\n");
}

/* Exact name, else a unique prefix (as bpftool does). */
static const struct px_cmd *find_cmd(const char *name)
{
	const struct px_cmd *found = NULL;
	size_t len = strlen(name);

	for (unsigned int i = 0; i < NCMDS; i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (len && !strncmp(cmds[i].name, name, len)) {
			if (found)
				return NULL;
			found = &cmds[i];
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	const struct px_cmd *cmd;
	const char *verb = NULL;
	char **args;
	int n = 0;

	args = calloc(argc + 1, sizeof(*args));
	if (!args)
		return PX_EXIT_FAIL;

	/* Take the global options out wherever they stand. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--netns")) {
			if (i + 1 >= argc) {
				px_error("--netns needs a namespace name: see "
					 "'ip netns list'");
				free(args);
				return PX_EXIT_USAGE;
			}
			px_netns_name = argv[++i];
		} else if (!strncmp(a, "--netns=", 8)) {
			px_netns_name = a + 8;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			px_verbose = true;
		} else if (!verb && (!strcmp(a, "-h") || !strcmp(a, "--help") ||
				     !strcmp(a, "help"))) {
			usage(stdout);
			free(args);
			return PX_EXIT_OK;
		} else if (!verb && !strcmp(a, "--version")) {
			printf("portxdp " PX_VERSION "\n");
			free(args);
			return PX_EXIT_OK;
		} else {
			if (!verb)
				verb = a;
			args[n++] = argv[i];
		}
	}
	if (!verb) {
		usage(stderr);
		free(args);
		return PX_EXIT_USAGE;
	}
	cmd = find_cmd(verb);
	if (!cmd) {
		px_error("unknown command '%s': see 'portxdp --help'", verb);
		free(args);
		return PX_EXIT_USAGE;
	}
	args[0] = (char *)cmd->name;
	px_setup_libbpf_print();

	if (px_netns_name && netns_enter(px_netns_name)) {
		free(args);
		return PX_EXIT_FAIL;
	}

	int ret = cmd->run(n, args);

	free(args);
	return ret;
}
