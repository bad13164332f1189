// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp attach IF: check the policy, then hand it to filter_attach()
 * (filter_attach.c), which loads the program, attaches it through a
 * bpf_link (or replaces the filter there without a gap) and pins it, so
 * the filter stays after this command exits.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "confirm.h"
#include "err.h"
#include "filter.h"
#include "policy.h"
#include "policy_zone.h"
#include "summary.h"
#include "table.h"
#include "text.h"

static const struct px_opt opts[] = {
	PX_OPT("policy", 'p', "FILE",
	       "the policy to start with (default: the shipped\n"
	       "default.policy; see 'portxdp check FILE')"),
	PX_OPT("mode", 'm', "MODE",
	       "auto (the default: tc on veth and other virtual\n"
	       "devices, else native XDP, else generic), native\n"
	       "(XDP in the driver: fastest drops on a physical NIC),\n"
	       "generic (XDP on any interface) or tc (ingress, TCX:\n"
	       "cheapest for the traffic it lets through on veth)"),
	PX_OPT("force", 'f', NULL,
	       "replace portxdp (in any mode) or another XDP program\n"
	       "already on IF, and attach even if the policy would\n"
	       "close the port of the SSH session this command runs over"),
	PX_OPTF("confirm", 'c', "SECS",
		"detach again by itself after SECS (60, 5m: at most 1d)\n"
		"unless 'portxdp confirm IF' runs first, even\n"
		"when this shell or SSH session is gone",
		PX_OPT_LONG_ONLY),
	{0},
};

const struct px_cmd px_cmd_attach = {
	.name = "attach",
	.run = cmd_attach,
	.usage = "IF [--policy FILE] [--mode auto|native|generic|tc] [--force] "
		 "[--confirm SECS]",
	.summary = "load the filter onto IF with a policy and leave it running",
	.opts = opts,
	.about = "Load portxdp onto interface IF with a policy and leave it "
		 "running: the\n"
		 "filter stays after this command exits (pinned "
		 "under " PX_PIN_ROOT ").\n",
	.more = "Afterwards: 'portxdp status IF', 'portxdp stats IF', "
		"'portxdp apply IF\n"
		"FILE' to change the policy live, 'portxdp detach IF' to "
		"remove "
		"it.\n",
};

/* The policy to attach (FILE, or the shipped default), checked: a file
 * with errors, or one that cuts this SSH session off, attaches nothing.
 * PX_EXIT_OK, or the exit status (printed). */
static int load_policy(const char *path, const char *ifname, bool force,
		       struct px_policy *pol, struct px_zoneset **zs)
{
	struct policy_report rep = {0};
	struct session_check sc = {0};
	char default_path[PATH_MAX];
	int err;

	if (!path) {
		if (px_default_policy(default_path, sizeof(default_path))) {
			px_error("the shipped default policy was not found: "
				 "give one with --policy FILE (or set "
				 "PORTXDP_DATADIR)");
			return PX_EXIT_FAIL;
		}
		path = default_path;
	}
	err = policy_load_zoned(path, ifname, false, pol, zs, &rep, stderr);
	if (err) {
		if (err == -EINVAL)
			px_error("%s has errors: nothing was attached; see "
				 "'portxdp check %s'",
				 path, path);
		return err == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
	}
	sc.next = pol;
	sc.zs = *zs;
	if (!force && policy_session_cut(&sc, path, ifname))
		return PX_EXIT_FAIL;
	return PX_EXIT_OK;
}

/* --confirm: the watcher that detaches again unless confirmed. */
static int arm_attach(const char *ifname, const char *dir, unsigned int secs,
		      const struct px_policy *pol)
{
	char what[PX_SOURCE_LEN + 16];
	struct confirm_change cc = {.ifname = ifname,
				    .dir = dir,
				    .kind = CONFIRM_ATTACH,
				    .secs = secs,
				    .change = what};

	snprintf(what, sizeof(what), "attach %s", pol->source);
	return confirm_arm(&cc) ? PX_EXIT_FAIL : PX_EXIT_OK;
}

int cmd_attach(int argc, char **argv)
{
	unsigned int confirm = 0;
	sigset_t sigs;
	const char *ifname, *policy_path = NULL, *mode_arg = "auto";
	struct filter_attach_opts fo = {0};
	enum px_xdp_mode mode;
	struct px_policy *pol;
	struct px_zoneset *zs = NULL;
	bool force = false, held = false;
	char counts[64];
	int ret = PX_EXIT_FAIL, c;

	while ((c = cli_getopt(argc, argv, &px_cmd_attach)) != -1) {
		switch (c) {
		case 'p':
			policy_path = optarg;
			break;
		case 'm':
			mode_arg = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'c':
			if (confirm_parse_secs("attach", optarg, &confirm))
				return PX_EXIT_USAGE;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("attach",
				       optind >= argc
					       ? "attach needs an interface"
					       : "attach takes one interface");
	ifname = argv[optind];
	if (!filter_ifname_ok("attach", ifname))
		return PX_EXIT_USAGE;
	/* The undo of an attach is a detach: it cannot bring back a filter
	 * that --force replaced, so the two are not taken together. */
	if (force && confirm)
		return cli_usage_error(
			"attach",
			"--confirm cannot undo --force (its rollback detaches, "
			"it cannot bring back what was replaced): to try a "
			"policy on an attached filter, use 'portxdp apply %s "
			"FILE --confirm SECS'",
			ifname);
	if (xdp_parse_mode(mode_arg, &mode))
		return cli_usage_error("attach",
				       "unknown --mode '%s', expected "
				       "auto, native, generic or tc",
				       mode_arg);

	/* Everything that can be checked without changing anything first. */
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return PX_EXIT_FAIL;
	ret = load_policy(policy_path, ifname, force, pol, &zs);
	if (ret)
		goto out;
	ret = PX_EXIT_FAIL;
	if (!cli_need_privileges("attach"))
		goto out;
	fo = (struct filter_attach_opts){.ifname = ifname,
					 .policy = pol,
					 .zones = zs,
					 .mode = mode,
					 .force = force,
					 .under_lock = confirm_refuse_pending};
	/* with --confirm, no way out between the attach and its watcher */
	held = confirm != 0;
	if (held)
		confirm_hold_signals(&sigs);
	if (filter_attach(&fo))
		goto out;
	summary_policy(counts, sizeof(counts), pol); /* port 0 not counted */
	text_line(stdout, "portxdp attached to %s (%s mode%s), policy %s: %s",
		  ifname, xdp_mode_name(fo.mode), fo.clsact ? ", clsact" : "",
		  pol->source, counts);
	ret = confirm ? arm_attach(ifname, fo.dir, confirm, pol) : PX_EXIT_OK;
out:
	zoneset_free(zs);
	free(pol);
	if (held)
		confirm_release_signals(&sigs);
	return ret;
}
