// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Entering and naming network namespaces; see netns.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "netns.h"

#define NETNS_RUN_DIR "/var/run/netns"

int netns_check_name(const char *name)
{
	if (*name && !strchr(name, '/') && strcmp(name, ".") &&
	    strcmp(name, "..") && strlen(name) < NAME_MAX)
		return 0;
	px_error("--netns: '%.64s' is not a network namespace name: give a "
		 "name from 'ip netns list'",
		 name);
	return -EINVAL;
}

int netns_enter(const char *name)
{
	char path[512];
	int fd, err;

	err = netns_check_name(name);
	if (err)
		return err;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			px_error("network namespace '%s' not found: see 'ip "
				 "netns "
				 "list', or create it with 'ip netns add %s'",
				 name, name);
		else
			px_error("cannot open network namespace '%s': %s", name,
				 strerror(-err));
		return err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(fd);
		if (err == -EPERM)
			px_error("entering network namespace '%s' needs root: "
				 "run with sudo",
				 name);
		else
			px_error("cannot enter network namespace '%s': %s",
				 name, strerror(-err));
		return err;
	}
	close(fd);
	return 0;
}

int netns_inode(unsigned long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return -errno;
	*ino = st.st_ino;
	return 0;
}

const char *netns_name_of(unsigned long ino, char *buf, unsigned long len)
{
	struct stat st;
	struct dirent *de;
	char path[512];
	DIR *d;

	if (stat("/proc/1/ns/net", &st) == 0 && st.st_ino == ino) {
		snprintf(buf, len, "root");
		return buf;
	}
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ino) {
			snprintf(buf, len, "%s", de->d_name);
			closedir(d);
			return buf;
		}
	}
	closedir(d);
	return NULL;
}
