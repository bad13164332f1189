// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp attach IF: load the XDP program from the embedded skeleton,
 * install the policy, attach through a bpf_link and pin the link and maps,
 * so the filter stays after this command exits. Anything that fails before
 * the pins are complete is undone: the interface is left as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "cli.h"
#include "confirm.h"
#include "err.h"
#include "maps.h"
#include "pins.h"
#include "policy.h"
#include "summary.h"
#include "skel.h"
#include "table.h"
#include "xdp.h"

static const char help[] =
	"usage: portxdp attach IF [--policy FILE] [--mode auto|native|generic] "
	"[--force]\n"
	"                      [--confirm SECS]\n"
	"\n"
	"Load portxdp onto interface IF with a policy and leave it running: "
	"the\n"
	"filter stays after this command exits (pinned under " PX_PIN_ROOT
	").\n"
	"\n"
	"  -p, --policy FILE  the policy to start with (default: the shipped\n"
	"                     default.policy; see 'portxdp check FILE')\n"
	"  -m, --mode MODE    auto (native, else generic; the default), "
	"native\n"
	"                     (in the driver, fastest) or generic (any "
	"interface)\n"
	"  -f, --force        replace portxdp or another XDP program already "
	"on\n"
	"                     IF, and attach even if the policy would close "
	"the\n"
	"                     ssh port this command runs over\n"
	"  --confirm SECS     detach again by itself after SECS (1 to 86400)\n"
	"                     unless 'portxdp confirm IF' runs first, even\n"
	"                     when this shell or SSH session is gone\n"
	"\n"
	"Afterwards: 'portxdp status IF', 'portxdp stats IF', 'portxdp apply "
	"IF\n"
	"FILE' to change the policy live, 'portxdp detach IF' to remove it.\n";

static int pin_all(struct portxdp_bpf *skel, int link_fd, const char *dir)
{
	const struct {
		const char *name;
		int fd;
	} pins[] = {
		{PX_PIN_POLICY, bpf_map__fd(skel->maps.px_policy_outer)},
		{PX_PIN_COUNTERS, bpf_map__fd(skel->maps.px_counters)},
		{PX_PIN_TOTALS, bpf_map__fd(skel->maps.px_totals_map)},
		{PX_PIN_EVENTS, bpf_map__fd(skel->maps.px_events)},
		{PX_PIN_LOG_CTL, bpf_map__fd(skel->maps.data_px_log)},
		{PX_PIN_LINK, link_fd}, /* last: its presence means complete */
	};
	char path[PATH_MAX + 32], parent[PATH_MAX];
	int err;

	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	if ((mkdir(parent, 0700) && errno != EEXIST) ||
	    (mkdir(dir, 0700) && errno != EEXIST)) {
		err = -errno;
		px_error("cannot create pin folder %s: %s", dir,
			 strerror(-err));
		return err;
	}
	for (unsigned int i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pins[i].name);
		if (bpf_obj_pin(pins[i].fd, path)) {
			err = -errno;
			px_error("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"mode", required_argument, NULL, 'm'},
		{"force", no_argument, NULL, 'f'},
		{"confirm", required_argument, NULL, 'c'},
		{0},
	};
	unsigned int confirm = 0;
	sigset_t sigs;
	const char *ifname, *policy_path = NULL, *mode_arg = "auto";
	char default_path[PATH_MAX], dir[PATH_MAX], counts[64];
	struct policy_report rep = {0};
	struct portxdp_bpf *skel = NULL;
	enum px_xdp_mode mode;
	struct px_policy *pol;
	unsigned int ifindex;
	bool force = false, held = false;
	int ret = PX_EXIT_FAIL, lock = -1, link_fd = -1, c, err;

	while ((c = cli_getopt(argc, argv, "p:m:f", opts, help)) != -1) {
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
	if (xdp_parse_mode(mode_arg, &mode))
		return cli_usage_error("attach",
				       "unknown --mode '%s', expected "
				       "auto, native or generic",
				       mode_arg);

	/* Everything that can be checked without changing anything first. */
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return PX_EXIT_FAIL;
	if (!policy_path) {
		if (px_default_policy(default_path, sizeof(default_path))) {
			px_error("the shipped default policy was not found: "
				 "give one with --policy FILE (or set "
				 "PORTXDP_DATADIR)");
			goto out;
		}
		policy_path = default_path;
	}
	err = policy_load_file(policy_path, pol, &rep, stderr);
	if (err) {
		ret = err == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
		if (err == -EINVAL)
			px_error("%s has errors: nothing was attached; see "
				 "'portxdp check %s'",
				 policy_path, policy_path);
		goto out;
	}
	if (rep.cuts_ssh && !force) {
		px_error("%s closes the port this SSH session came in on "
			 "(SSH_CONNECTION): you would be cut off; open it in "
			 "the "
			 "policy, or use --force if you have another way in",
			 policy_path);
		goto out;
	}
	ifindex = cli_ifindex(ifname);
	if (!ifindex)
		goto out;
	if (!cli_need_privileges("attach"))
		goto out;
	if (pins_mount_bpffs())
		goto out;
	lock = pins_lock();
	if (lock < 0)
		goto out;
	if (pins_dir(ifname, dir, sizeof(dir)))
		goto out;

	if (confirm_refuse_pending(ifname))
		goto out;
	/* What is on the interface now, ours or another program. */
	if (xdp_clear_for_attach(ifname, ifindex, dir, force))
		goto out;

	skel = px_skel_load();
	if (!skel) {
		err = -errno;
		px_error("the kernel refused to load the XDP program (%s): "
			 "rerun with -v for the verifier's log",
			 strerror(-err));
		goto out;
	}
	err = maps_install_policy(bpf_map__fd(skel->maps.px_policy_outer), pol);
	if (err) {
		px_error("cannot install the policy: %s", strerror(-err));
		goto out;
	}
	held = confirm != 0; /* no way out between attach and its watcher */
	if (held)
		confirm_hold_signals(&sigs);
	link_fd = xdp_attach(bpf_program__fd(skel->progs.portxdp), ifname,
			     ifindex, &mode);
	if (link_fd < 0)
		goto out;
	if (pin_all(skel, link_fd, dir)) {
		pins_remove_dir(dir);
		goto out; /* closing link_fd below detaches again */
	}
	summary_policy(counts, sizeof(counts), pol); /* port 0 not counted */
	printf("portxdp attached to %s (%s mode), policy %s: %s\n", ifname,
	       xdp_mode_name(mode), pol->source, counts);
	ret = PX_EXIT_OK;
	if (confirm) {
		char what[PX_SOURCE_LEN + 16];
		struct confirm_change cc = {.ifname = ifname,
					    .dir = dir,
					    .kind = CONFIRM_ATTACH,
					    .secs = confirm,
					    .change = what};

		snprintf(what, sizeof(what), "attach %s", pol->source);
		if (confirm_arm(&cc))
			ret = PX_EXIT_FAIL;
	}
out:
	if (link_fd >= 0)
		close(link_fd);
	portxdp_bpf__destroy(skel);
	pins_unlock(lock);
	free(pol);
	if (held)
		confirm_release_signals(&sigs);
	return ret;
}
