// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp lab up|probe|down: a rehearsal space for a policy. `up` makes the
 * network namespace portxdp-lab holding veth pxlab1, peered with pxlab0
 * here, and attaches portxdp to pxlab1 with the policy under test; `probe`
 * sends a TCP connect, a UDP datagram or a ping from pxlab0 to each port
 * asked and reads the verdict from the filter's own counters (a counter that
 * moved, never a timeout guess); `down` removes all of it and is safe to
 * run any number of times.
 *
 * This file holds the verb, `up` and `down`; the network itself (namespace,
 * veth pair, addresses) is lab_net.c's, the probes lab_probe.c's. The
 * filter is attached by the filter module, in a child that entered the
 * namespace.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "lab.h"
#include "policy.h"
#include "policy_zone.h"
#include "table.h"
#include "xdp.h"

static int lab_up(int argc, char **argv);
static int lab_down(int argc, char **argv);

static const struct px_opt up_opts[] = {
	PX_OPT("policy", 'p', "FILE",
	       "the policy to rehearse (default: the shipped\n"
	       "default.policy)"),
	PX_OPT("mode", 'm', "MODE",
	       "the hook, as for attach: auto, native, generic or tc"),
	{0},
};

static const struct px_cmd lab_up_cmd = {
	.name = "up",
	.run = lab_up,
	.usage = "[--policy FILE] [--mode auto|native|generic|tc]",
	.summary = "make a veth pair and a namespace with the filter on it",
	.opts = up_opts,
	.about = "'lab up' makes network namespace " LAB_NS
		 " with veth " LAB_IF_IN " inside it,\n"
		 "peered with " LAB_IF_OUT
		 " here, and attaches portxdp to " LAB_IF_IN " with FILE\n"
		 "(default: the shipped default.policy):\n"
		 "  " LAB_IF_OUT "  " LAB_ADDR_OUT "/30  " LAB_ADDR6_OUT
		 "/64   (this namespace, sends probes)\n"
		 "  " LAB_IF_IN "  " LAB_ADDR_IN "/30  " LAB_ADDR6_IN
		 "/64   (in " LAB_NS ", filtered)\n"
		 "The addresses come from 198.51.100.0/24 (TEST-NET-2), not "
		 "192.0.2.0/24:\n"
		 "many hosts use TEST-NET-1 for their own network. It refuses "
		 "when a lab\n"
		 "is already up, and removes what it made when a step fails.\n",
	.parent = &px_cmd_lab,
};

static const struct px_cmd lab_down_cmd = {
	.name = "down",
	.run = lab_down,
	.summary = "remove the lab: filter, namespace, veth pair, pins",
	.about =
		"'lab down' detaches the filter and removes the namespace, the "
		"veth pair\n"
		"and the pins; it does nothing when there is nothing to "
		"remove.\n",
	.parent = &px_cmd_lab,
};

static const struct px_cmd *const lab_subs[] = {
	&lab_up_cmd,
	&lab_probe_cmd,
	&lab_down_cmd,
	NULL,
};

const struct px_cmd px_cmd_lab = {
	.name = "lab",
	.run = cmd_lab,
	.usage = "up|probe|down ...",
	.summary = "rehearse a policy on a veth pair in a namespace",
	.about = "Rehearse a policy before trusting it on a real interface.\n",
	.more = "While the lab is up, every verb works on it with "
		"--netns " LAB_NS ":\n"
		"  portxdp --netns " LAB_NS " stats " LAB_IF_IN "\n"
		"  portxdp --netns " LAB_NS " apply " LAB_IF_IN
		" other.policy\n"
		"  portxdp --netns " LAB_NS " log " LAB_IF_IN "\n"
		"\n"
		"Example (from the source tree; installed, the shipped "
		"policies are\n"
		"in /usr/local/share/portxdp/):\n"
		"  portxdp lab up --policy policies/web-server.policy\n"
		"  portxdp lab probe ssh 80,443/tcp 3306/tcp ping\n"
		"  portxdp lab down\n"
		"\n"
		"Needs root and iproute2 ('ip').\n",
	.subs = lab_subs,
};

/* --- down ----------------------------------------------------------------- */
static int lab_down(int argc, char **argv)
{
	int c;

	while ((c = cli_getopt(argc, argv, &lab_down_cmd)) != -1)
		return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	if (optind != argc)
		return cli_usage_error("lab down",
				       "'lab down' takes no arguments");
	if (!cli_need_privileges("lab down"))
		return PX_EXIT_FAIL;
	if (!lab_teardown()) {
		printf("the lab was not up; nothing to remove\n");
		return PX_EXIT_OK;
	}
	if (lab_exists()) {
		px_error("could not remove the lab completely: remove it by "
			 "hand with 'ip netns del " LAB_NS
			 "' and 'ip link del " LAB_IF_OUT "'");
		return PX_EXIT_FAIL;
	}
	printf("lab down: namespace " LAB_NS ", veth " LAB_IF_OUT "/" LAB_IF_IN
	       " and the filter's pins removed\n");
	return PX_EXIT_OK;
}

/* --- up ---------------------------------------------------------------------
 */

struct attach_args {
	const char *policy;
	enum px_xdp_mode mode;
};

/* In the namespace: the policy is read there (its ephemeral range is the
 * lab's, `zone NAME local` is pxlab1's prefixes), then attached with its
 * zones the way 'portxdp attach' attaches. */
static int attach_in_lab(void *arg)
{
	const struct attach_args *aa = arg;
	/* force: the lab's own veth never carries this command's ssh */
	struct filter_attach_opts fo = {
		.ifname = LAB_IF_IN, .mode = aa->mode, .force = true};
	struct policy_report rep;
	struct px_policy *pol = calloc(1, sizeof(*pol));
	struct px_zoneset *zs = NULL;
	int err = -ENOMEM;

	if (pol)
		err = policy_load_zoned(aa->policy, LAB_IF_IN, false, pol, &zs,
					&rep, stderr);
	if (!err) {
		fo.policy = pol;
		fo.zones = zs;
		err = filter_attach(&fo);
	}
	if (!err)
		printf("portxdp attached to " LAB_IF_IN
		       " (%s mode), policy %s\n",
		       xdp_mode_name(fo.mode), pol->source);
	zoneset_free(zs);
	free(pol);
	return err ? PX_EXIT_FAIL : PX_EXIT_OK;
}

static int lab_up(int argc, char **argv)
{
	struct attach_args aa = {0};
	const char *mode_arg = "auto";
	char default_path[PATH_MAX];
	struct policy_report rep;
	struct px_policy *pol;
	sigset_t block, old;
	int c, err;

	while ((c = cli_getopt(argc, argv, &lab_up_cmd)) != -1) {
		switch (c) {
		case 'p':
			aa.policy = optarg;
			break;
		case 'm':
			mode_arg = optarg;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("lab up",
				       "unexpected '%s' (the policy "
				       "goes after --policy)",
				       argv[optind]);
	if (xdp_parse_mode(mode_arg, &aa.mode))
		return cli_usage_error("lab up",
				       "unknown --mode '%s', expected "
				       "auto, native or generic",
				       mode_arg);
	if (!aa.policy) {
		if (px_default_policy(default_path, sizeof(default_path))) {
			px_error("the shipped default policy was not found: "
				 "give one with --policy FILE (or set "
				 "PORTXDP_DATADIR)");
			return PX_EXIT_FAIL;
		}
		aa.policy = default_path;
	}
	/* A bad policy is found before anything is made. */
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return PX_EXIT_FAIL;
	err = policy_load_file(aa.policy, pol, &rep, stderr);
	free(pol);
	if (err) {
		if (err == -EINVAL)
			px_error("%s has errors: the lab was not made; see "
				 "'portxdp check %s'",
				 aa.policy, aa.policy);
		return err == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
	}
	if (!cli_need_privileges("lab up") || filter_bpf_permitted("lab up"))
		return PX_EXIT_FAIL;
	if (lab_exists()) {
		px_error("the lab is already up (namespace " LAB_NS
			 " or veth " LAB_IF_OUT
			 " exists): run 'portxdp lab down' first");
		return PX_EXIT_FAIL;
	}
	if (filter_bpffs_ready("lab up", LAB_IF_IN))
		return PX_EXIT_FAIL;

	/* Ctrl-C waits until the lab is whole or removed again. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);

	if (lab_make())
		goto fail;
	if (lab_in(attach_in_lab, &aa) != PX_EXIT_OK ||
	    lab_fault_after(lab_nsteps() + 1)) {
		px_error("lab up: attaching portxdp to " LAB_IF_IN
			 " failed: removed what was made");
		goto fail;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("lab up: " LAB_IF_OUT " " LAB_ADDR_OUT " " LAB_ADDR6_OUT
	       " (here) -> " LAB_IF_IN " " LAB_ADDR_IN " " LAB_ADDR6_IN
	       " (namespace " LAB_NS ", filtered)\n"
	       "next: 'portxdp lab probe ssh 80/tcp ping', "
	       "'portxdp --netns " LAB_NS " stats " LAB_IF_IN "', "
	       "'portxdp lab down'\n");
	return PX_EXIT_OK;
fail:
	lab_teardown();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return PX_EXIT_FAIL;
}

/* --- dispatch ---------------------------------------------------------------
 */

int cmd_lab(int argc, char **argv)
{
	static char *const full[] = {"lab up", "lab probe", "lab down"};

	if (argc < 2)
		return cli_usage_error("lab",
				       "say 'lab up', 'lab probe SPEC...' "
				       "or 'lab down'");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_help(stdout, &px_cmd_lab);
		return PX_EXIT_OK;
	}
	if (px_netns_name)
		return cli_usage_error("lab", "the lab makes its own namespace "
					      "(" LAB_NS "): drop --netns");
	for (unsigned int i = 0; lab_subs[i]; i++) {
		if (!strcmp(argv[1], lab_subs[i]->name)) {
			argv[1] = full[i]; /* "lab up" in its messages */
			return lab_subs[i]->run(argc - 1, argv + 1);
		}
	}
	return cli_usage_error("lab",
			       "unknown lab command '%s': up, probe or "
			       "down",
			       argv[1]);
}
