// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp detach IF: detach the pinned bpf_link and remove the pins, so
 * the interface passes everything again and nothing is left behind. Works
 * also when the interface itself is gone (it then only removes the pins).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "err.h"
#include "pins.h"
#include "portxdp.h"
#include "stale.h"
#include "xdp.h"

static const char help[] =
	"usage: portxdp detach IF\n"
	"       portxdp detach --stale\n"
	"\n"
	"Remove portxdp from interface IF: the program is detached, its pins\n"
	"under " PX_PIN_ROOT " are removed, and IF passes everything again.\n"
	"Counters go with it; save them first with 'portxdp stats IF --json'.\n"
	"If IF was deleted while attached, this removes the leftover pins.\n"
	"\n"
	"  --stale   remove the pins of every filter whose interface or "
	"network\n"
	"            namespace is gone (those 'status' lists as gone), in all\n"
	"            namespaces at once; filters still attached stay\n";

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"stale", no_argument, NULL, 's'},
		{0},
	};
	struct px_attached a;
	bool stale = false;
	const char *ifname;
	int lock, err, c;
	__u32 l_if = 0;

	while ((c = cli_getopt(argc, argv, "", opts, help)) != -1) {
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
	if (!cli_need_privileges("detach"))
		return PX_EXIT_FAIL;
	lock = pins_lock();
	if (lock < 0)
		return PX_EXIT_FAIL;
	err = pins_open(ifname, &a, false);
	if (err) {
		pins_unlock(lock);
		return PX_EXIT_FAIL;
	}
	if (a.link_fd >= 0 && !xdp_link_info(a.link_fd, &l_if, NULL, NULL) &&
	    l_if) {
		if (bpf_link_detach(a.link_fd)) {
			err = -errno;
			px_error("cannot detach portxdp from %s: %s", ifname,
				 strerror(-err));
			pins_close(&a);
			pins_unlock(lock);
			return PX_EXIT_FAIL;
		}
	}
	pins_close(&a);
	err = pins_remove_dir(a.dir);
	pins_unlock(lock);
	if (err)
		return PX_EXIT_FAIL;
	if (l_if)
		printf("portxdp detached from %s\n", ifname);
	else
		printf("%s is gone; removed portxdp's leftover pins\n", ifname);
	return PX_EXIT_OK;
}
