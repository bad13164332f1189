// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp detach IF: detach the pinned bpf_link and remove the pins, so
 * the interface passes everything again and nothing is left behind. Works
 * also when the interface itself is gone (it then only removes the pins).
 * --stale removes, in every namespace, the pins whose filter is gone:
 * whether it is gone is asked of its bpf_link, not of the namespace's name
 * (a namespace may be alive but unnamed, a container's, and then its
 * filter still works and stays).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "pins.h"
#include "portxdp.h"

static const struct px_opt opts[] = {
	PX_OPTF("stale", 's', NULL,
		"remove the pins of every filter whose interface or\n"
		"network namespace is gone (those 'status' lists as\n"
		"gone), in all namespaces at once; filters still\n"
		"attached stay",
		PX_OPT_LONG_ONLY),
	{0},
};

const struct px_cmd px_cmd_detach = {
	.name = "detach",
	.run = cmd_detach,
	.usage = "IF\n--stale",
	.summary = "remove the filter from IF; --stale: the pins of filters "
		   "gone",
	.opts = opts,
	.about = "Remove portxdp from interface IF: the program is detached, "
		 "its "
		 "pins\n"
		 "under " PX_PIN_ROOT " are removed, and IF passes everything "
		 "again.\n"
		 "Counters go with it; save them first with 'portxdp stats IF "
		 "--json'.\n"
		 "If IF was deleted while attached, this removes the leftover "
		 "pins.\n",
};

struct stale_walk {
	int removed;
	int failed;
};

static int prune_one(const struct filter_entry *e, void *ctx)
{
	struct stale_walk *w = ctx;

	if (!e->stale)
		return 0;
	if (filter_remove_stale(e)) {
		w->failed++;
		return 0;
	}
	w->removed++;
	if (e->nsname)
		printf("removed stale pins of %s (network namespace %s)\n",
		       e->ifname, e->nsname);
	else
		printf("removed stale pins of %s (a network namespace that is "
		       "gone or unnamed)\n",
		       e->ifname);
	return 0;
}

static int detach_stale(void)
{
	struct stale_walk w = {0};
	int lock, err;

	if (!cli_need_privileges("detach") || filter_bpf_permitted("detach"))
		return PX_EXIT_FAIL;
	if (access(PX_PIN_ROOT, F_OK)) {
		printf("no stale pins: nothing is pinned under " PX_PIN_ROOT
		       "\n");
		return PX_EXIT_OK;
	}
	lock = pins_lock();
	if (lock < 0)
		return PX_EXIT_FAIL;
	err = filter_walk(prune_one, &w);
	pins_unlock(lock);
	if (err) {
		px_error("cannot read " PX_PIN_ROOT ": %s", strerror(-err));
		return PX_EXIT_FAIL;
	}
	if (w.failed) {
		px_error("some stale pins could not be removed (see above): "
			 "remove them by hand under " PX_PIN_ROOT);
		return PX_EXIT_FAIL;
	}
	if (!w.removed)
		printf("no stale pins: every pinned filter is attached\n");
	return PX_EXIT_OK;
}

int cmd_detach(int argc, char **argv)
{
	struct px_filter f;
	bool stale = false;
	const char *ifname;
	int lock, err, c;

	while ((c = cli_getopt(argc, argv, &px_cmd_detach)) != -1) {
		if (c != 's')
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
		stale = true;
	}
	if (stale)
		return optind == argc
			       ? detach_stale()
			       : cli_usage_error("detach",
						 "--stale takes no interface");
	if (optind + 1 != argc)
		return cli_usage_error("detach",
				       optind >= argc
					       ? "detach needs an interface"
					       : "detach takes one interface");
	ifname = argv[optind];
	if (!filter_ifname_ok("detach", ifname))
		return PX_EXIT_USAGE;
	if (!cli_need_privileges("detach") || filter_bpf_permitted("detach"))
		return PX_EXIT_FAIL;
	lock = pins_lock();
	if (lock < 0)
		return PX_EXIT_FAIL;
	filter_tidy(ifname);
	err = filter_open(ifname, &f, FILTER_ANY);
	if (!err)
		err = filter_detach(&f);
	pins_unlock(lock);
	if (err)
		return PX_EXIT_FAIL;
	if (f.state == FILTER_ATTACHED)
		printf("portxdp detached from %s\n", ifname);
	else if (f.state == FILTER_MOVED)
		printf("portxdp detached from the interface %s moved to, and "
		       "its pins here removed\n",
		       ifname);
	else
		printf("%s is gone; removed portxdp's leftover pins\n", ifname);
	return PX_EXIT_OK;
}
