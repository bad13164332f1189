// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp: dispatch. Global options (--netns NAME, -v) may stand before or
 * after the verb; they are taken out here, the verb is found in the
 * command table (commands.c) by its name or a unique prefix, the namespace
 * is entered, and the verb's handler gets the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "netns.h"

#define PX_VERSION "0.1.0"

/* The verb called verb, or NULL after saying why not. */
static const struct px_cmd *find_cmd(const char *verb)
{
	const struct px_cmd *cmd;
	char names[128];
	int err = px_cmd_find(verb, &cmd, names, sizeof(names));

	if (err == -EEXIST)
		px_error("command '%s' is ambiguous: %s: say which", verb,
			 names);
	else if (err)
		px_error("unknown command '%s': see 'portxdp --help'", verb);
	return cmd;
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
			px_usage(stdout);
			free(args);
			return PX_EXIT_OK;
		} else if (!verb && !strcmp(a, "help-dump")) {
			px_help_dump(stdout); /* hidden: tests/e2e/help.sh */
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
		px_usage(stderr);
		free(args);
		return PX_EXIT_USAGE;
	}
	if (px_netns_name && netns_check_name(px_netns_name)) {
		free(args);
		return PX_EXIT_USAGE;
	}
	cmd = find_cmd(verb);
	if (!cmd) {
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
