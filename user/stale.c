// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `portxdp detach --stale`: remove the pins that outlived their filter (see
 * stale.h). Whether a folder is stale is asked of its bpf_link, not of the
 * namespace's name: a namespace may be alive but unnamed (a container's),
 * and then its filter is still working and must stay. A link whose
 * interface is gone reports ifindex 0, whichever way it went.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/types.h>

#include "cli.h"
#include "err.h"
#include "netns.h"
#include "pins.h"
#include "portxdp.h"
#include "stale.h"
#include "xdp.h"

/* True when the folder's link is attached to no interface, or missing. */
static bool folder_is_stale(const char *dir)
{
	char path[PATH_MAX + 16];
	__u32 ifindex = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/" PX_PIN_LINK, dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT; /* incomplete pins: nothing runs */
	if (xdp_link_info(fd, &ifindex, NULL, NULL))
		ifindex = 1; /* cannot tell: keep it */
	close(fd);
	return ifindex == 0;
}

/* Remove the stale interface folders of one namespace folder. */
static int prune_ns(const char *nsdir, const char *nsname, int *removed)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d = opendir(nsdir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", nsdir,
				     de->d_name) >= sizeof(dir))
			continue;
		if (!folder_is_stale(dir))
			continue;
		if (pins_remove_dir(dir)) {
			ret = -EIO;
			continue;
		}
		(*removed)++;
		printf("removed stale pins of %s (%s)\n", de->d_name, nsname);
	}
	closedir(d);
	return ret;
}

int detach_stale(void)
{
	char nsdir[PATH_MAX], namebuf[256], label[300];
	struct dirent *de;
	int lock, removed = 0, err = 0;
	DIR *root;

	if (!cli_need_privileges("detach"))
		return PX_EXIT_FAIL;
	if (access(PX_PIN_ROOT, F_OK)) {
		printf("no stale pins: nothing is pinned under " PX_PIN_ROOT
		       "\n");
		return PX_EXIT_OK;
	}
	lock = pins_lock();
	if (lock < 0)
		return PX_EXIT_FAIL;
	root = opendir(PX_PIN_ROOT);
	if (!root) {
		err = -errno;
		px_error("cannot read " PX_PIN_ROOT ": %s", strerror(-err));
		pins_unlock(lock);
		return PX_EXIT_FAIL;
	}
	while ((de = readdir(root))) {
		const char *name;

		if (strncmp(de->d_name, "net-", 4))
			continue;
		name = netns_name_of(strtoul(de->d_name + 4, NULL, 10), namebuf,
				     sizeof(namebuf));
		if (name)
			snprintf(label, sizeof(label), "network namespace %s",
				 name);
		else
			snprintf(label, sizeof(label),
				 "a network namespace that "
				 "is gone or unnamed");
		snprintf(nsdir, sizeof(nsdir), PX_PIN_ROOT "/%s", de->d_name);
		if (prune_ns(nsdir, label, &removed))
			err = -EIO;
	}
	closedir(root);
	pins_unlock(lock);
	if (err) {
		px_error("some stale pins could not be removed (see above): "
			 "remove them by hand under " PX_PIN_ROOT);
		return PX_EXIT_FAIL;
	}
	if (!removed)
		printf("no stale pins: every pinned filter is attached\n");
	return PX_EXIT_OK;
}
