// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pin folders under /sys/fs/bpf/portxdp: where a filter lives between
 * commands, the bpffs mount, and the lock that serializes changes.
 * See pins.h for the layout; filter.c decides what goes in a folder.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "err.h"
#include "netns.h"
#include "pins.h"
#include "portxdp.h"

#define BPFFS "/sys/fs/bpf"

bool pins_bpffs_mounted(void)
{
	struct statfs sfs;

	return statfs(BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

int pins_mount_bpffs(void)
{
	if (pins_bpffs_mounted())
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
	return 1;
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

int pins_make_dir(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	if ((mkdir(PX_PIN_ROOT, 0700) && errno != EEXIST) ||
	    (mkdir(parent, 0700) && errno != EEXIST) ||
	    (mkdir(dir, 0700) && errno != EEXIST)) {
		int err = -errno;

		px_error("cannot create pin folder %s: %s", dir,
			 strerror(-err));
		return err;
	}
	return 0;
}

int pins_remove_dir(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	char *slash;
	int err;
	DIR *d = opendir(dir);

	/* Every pin, also those of a newer or older portxdp. */
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno != ENOENT) {
			err = -errno;
			px_error("cannot remove pin %s: %s", path,
				 strerror(-err));
			closedir(d);
			return err;
		}
	}
	if (d)
		closedir(d);
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
