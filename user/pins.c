// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pin folders under /sys/fs/bpf/portxdp: where a filter lives between
 * commands, the bpffs mount, and the lock that serializes changes.
 * See pins.h for the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/types.h>

#include "err.h"
#include "netns.h"
#include "pins.h"
#include "portxdp.h"

#define BPFFS "/sys/fs/bpf"
#define BPF_FS_MAGIC_ 0xcafe4a11

static const char *const pin_names[] = {
	PX_PIN_LINK,   PX_PIN_POLICY, PX_PIN_COUNTERS,
	PX_PIN_TOTALS, PX_PIN_EVENTS, PX_PIN_LOG_CTL,
};

int pins_mount_bpffs(void)
{
	struct statfs sfs;

	if (statfs(BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC_)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700") < 0) {
		int err = -errno;

		px_error("bpffs is not mounted at " BPFFS " and mounting it "
			 "failed (%s): mount it with 'mount -t bpf bpf " BPFFS
			 "' as root",
			 strerror(-err));
		return err;
	}
	px_debug("mounted bpffs at " BPFFS);
	return 0;
}

int pins_ns_dir(char *buf, unsigned long len)
{
	unsigned long ino;
	int err = netns_inode(&ino);

	if (err)
		return err;
	snprintf(buf, len, PX_PIN_ROOT "/net-%lu", ino);
	return 0;
}

int pins_dir(const char *ifname, char *buf, unsigned long len)
{
	char ns[PATH_MAX - IF_NAMESIZE - 2];
	int err = pins_ns_dir(ns, sizeof(ns));

	if (err)
		return err;
	snprintf(buf, len, "%s/%s", ns, ifname);
	return 0;
}

int pins_lock(void)
{
	int fd, err;

	if (mkdir(PX_PIN_ROOT, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		px_error("cannot create " PX_PIN_ROOT ": %s", strerror(-err));
		return err;
	}
	fd = open(PX_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		px_error("cannot open " PX_PIN_ROOT ": %s", strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		px_info("waiting for another portxdp command to finish...");
		if (flock(fd, LOCK_EX) < 0) {
			err = -errno;
			close(fd);
			px_error("cannot lock " PX_PIN_ROOT ": %s",
				 strerror(-err));
			return err;
		}
	}
	return fd;
}

void pins_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

static int open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

void pins_close(struct px_attached *a)
{
	int *fds[] = {&a->link_fd, &a->policy_fd, &a->counters_fd,
		      &a->totals_fd};

	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int pins_open(const char *ifname, struct px_attached *a, bool quiet)
{
	struct statfs sfs;
	struct stat st;
	int err;

	memset(a, 0, sizeof(*a));
	a->link_fd = a->policy_fd = a->counters_fd = a->totals_fd = -1;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	err = pins_dir(ifname, a->dir, sizeof(a->dir));
	if (err)
		return err;
	if (stat(a->dir, &st) < 0) {
		err = -errno;
		if (err == -EACCES || err == -EPERM) {
			if (!quiet)
				px_error("cannot read portxdp's pins (%s): "
					 "run as root",
					 strerror(-err));
			return err;
		}
		if (!quiet) {
			if (statfs(BPFFS, &sfs) == 0 &&
			    sfs.f_type != BPF_FS_MAGIC_)
				px_error(
					"portxdp is not attached to %s: bpffs "
					"is not mounted, so nothing is pinned; "
					"run 'portxdp attach %s'",
					ifname, ifname);
			else
				px_error(
					"portxdp is not attached to %s in this "
					"network namespace: run 'portxdp "
					"attach "
					"%s' (or add --netns NAME)",
					ifname, ifname);
		}
		return -ENOENT;
	}
	a->link_fd = open_pin(a->dir, PX_PIN_LINK);
	a->policy_fd = open_pin(a->dir, PX_PIN_POLICY);
	a->counters_fd = open_pin(a->dir, PX_PIN_COUNTERS);
	a->totals_fd = open_pin(a->dir, PX_PIN_TOTALS);
	if (a->policy_fd < 0 || a->counters_fd < 0 || a->totals_fd < 0) {
		err = -errno;
		if (!quiet)
			px_error("the pins of %s in %s are incomplete or "
				 "unreadable (%s): run 'portxdp detach %s' to "
				 "remove them, then attach again",
				 ifname, a->dir, strerror(-err), ifname);
		pins_close(a);
		return err ? err : -EIO;
	}
	return 0;
}

int pins_remove_dir(const char *dir)
{
	char path[PATH_MAX + 32];
	char *slash;
	int err;

	for (unsigned int i = 0; i < sizeof(pin_names) / sizeof(pin_names[0]);
	     i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin_names[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			err = -errno;
			px_error("cannot remove pin %s: %s", path,
				 strerror(-err));
			return err;
		}
	}
	if (rmdir(dir) < 0 && errno != ENOENT) {
		err = -errno;
		px_error("cannot remove %s: %s (remove what is left in it by "
			 "hand)",
			 dir, strerror(-err));
		return err;
	}
	/* The namespace folder goes when its last interface goes. */
	snprintf(path, sizeof(path), "%s", dir);
	slash = strrchr(path, '/');
	if (slash && slash != path) {
		*slash = '\0';
		if (strcmp(path, PX_PIN_ROOT))
			rmdir(path); /* ENOTEMPTY is fine */
	}
	return 0;
}
