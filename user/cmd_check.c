// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp check FILE...: validate policies without touching any interface.
 * Errors (exit 2) and warnings (exit 0) come from the one policy parser
 * (policy_grammar.c), so a file that passes here is exactly what attach and
 * apply accept; a one-line summary per file tells scripts and people the
 * result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/types.h>

#include "cli.h"
#include "err.h"
#include "policy.h"
#include "table.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("strict", 's', NULL,
	       "warnings fail the check too (exit 2), e.g. in CI"),
	{0},
};

const struct px_cmd px_cmd_check = {
	.name = "check",
	.run = cmd_check,
	.usage = "FILE... [--strict]",
	.summary = "validate policy files: errors and warnings",
	.opts = opts,
	.about = "Validate policy files (doc/design.md, section 3) without "
		 "changing anything.\n"
		 "\n"
		 "Errors, printed as FILE:LINE:COL: error: ... with a hint, "
		 "make "
		 "the\n"
		 "exit status 2: such a file would be refused by attach and "
		 "apply.\n"
		 "A policy with no rule line (empty, or only comments) is an "
		 "error:\n"
		 "write 'default open' to pass everything on purpose. A file "
		 "that is\n"
		 "not a policy at all (binary, or mostly foreign lines) is "
		 "refused\n"
		 "without quoting it. FILE '-' is stdin.\n"
		 "Warnings, FILE:LINE:COL: warning: ..., do not fail the check "
		 "unless\n"
		 "--strict is given; they point at policies that work but will "
		 "hurt:\n"
		 "  - ftp-data (20/tcp) open without ftp (21/tcp)\n"
		 "  - the ephemeral range (net.ipv4.ip_local_port_range) not "
		 "open:\n"
		 "    replies to this host's own connections and DNS lookups "
		 "dropped\n"
		 "  - the SSH session's port (SSH_CONNECTION) closed while the "
		 "command\n"
		 "    runs over SSH: attach and apply refuse that without "
		 "--force\n"
		 "  - bootpc (68/udp) closed: a DHCP lease can no longer be "
		 "renewed\n"
		 "  - port 0 named: it is never a valid TCP or UDP port\n"
		 "  - 'option fragments drop': large UDP (EDNS DNS, NFS, IKE) "
		 "breaks\n"
		 "  - a name given a protocol it does not use: 'ssh/udp' opens "
		 "22/udp\n",
	.more = "The ephemeral class is read in the current network namespace "
		"(or the\n"
		"one given with --netns). Each file ends with a summary line "
		"on\n"
		"stdout: 'FILE: ok, N warnings' or 'FILE: N errors, N "
		"warnings'; after\n"
		"the first 20 errors the rest are only counted ('20 of 31 "
		"errors\n"
		"shown').\n"
		"\n"
		"Exit status: 0 every file is valid, 2 some file has errors "
		"(or\n"
		"warnings, with --strict), 1 some file cannot be read (and "
		"none "
		"has\n"
		"errors).\n",
};

static const char *plural(unsigned int n, const char *word, char buf[32])
{
	snprintf(buf, 32, "%u %s%s", n, word, n == 1 ? "" : "s");
	return buf;
}

/* "3 errors", or "20 of 31 errors shown" when only the first were. */
static const char *errors(const struct policy_report *rep, char buf[48])
{
	if (rep->shown_errors < rep->errors)
		snprintf(buf, 48, "%u of %u errors shown", rep->shown_errors,
			 rep->errors);
	else
		plural(rep->errors, "error", buf);
	return buf;
}

int cmd_check(int argc, char **argv)
{
	int c, ret = PX_EXIT_OK;
	bool strict = false;
	char a[48], b[32];

	while ((c = cli_getopt(argc, argv, &px_cmd_check)) != -1) {
		switch (c) {
		case 's':
			strict = true;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("check", "check needs a policy file");
	/* A broken table is reported with its line; names then fail too. */
	if (table_load() == -EINVAL)
		return PX_EXIT_USAGE;

	for (int i = optind; i < argc; i++) {
		struct policy_report rep = {0};
		struct px_policy *pol = calloc(1, sizeof(*pol));
		int err;

		if (!pol)
			return PX_EXIT_FAIL;
		err = policy_check_file(argv[i], pol, &rep, stderr);
		free(pol);
		fflush(stderr);
		if (err && err != -EINVAL) {
			text_line(stdout, "%s: cannot be read", argv[i]);
			/* A failed operation (doc/design.md, section 2), unless
			 * a policy was bad. */
			if (ret != PX_EXIT_USAGE)
				ret = PX_EXIT_FAIL;
		} else if (err) {
			text_line(stdout, "%s: %s, %s", argv[i],
				  errors(&rep, a),
				  plural(rep.warnings, "warning", b));
			ret = PX_EXIT_USAGE;
		} else if (rep.warnings) {
			text_line(stdout, "%s: %s%s", argv[i],
				  plural(rep.warnings, "warning", b),
				  strict ? ", which fail --strict" : "");
			if (strict)
				ret = PX_EXIT_USAGE;
		} else if (rep.intended) {
			text_line(stdout, "%s: ok (%s marked intended)",
				  argv[i], plural(rep.intended, "warning", b));
		} else {
			text_line(stdout, "%s: ok", argv[i]);
		}
	}
	return ret;
}
