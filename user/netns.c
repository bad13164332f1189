// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Entering and naming network namespaces; see netns.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "netns.h"

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
		else if (err == -EINVAL)
			px_error("'%s' is not a network namespace "
				 "(" NETNS_RUN_DIR
				 "/%s is some other file): see 'ip netns list'",
				 name, name);
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

/*
 * Where the namespace with this inode can be opened: /proc/1/ns/net for
 * the initial one, else its /var/run/netns entry. Writes into path;
 * false when neither holds it.
 */
static bool netns_path_of(unsigned long ino, char *path, unsigned long len,
			  const char **name)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (stat("/proc/1/ns/net", &st) == 0 && st.st_ino == ino) {
		snprintf(path, len, "/proc/1/ns/net");
		*name = "root";
		return true;
	}
	d = opendir(NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, len, NETNS_RUN_DIR "/%s", de->d_name);
		if (stat(path, &st) == 0 && st.st_ino == ino) {
			*name = path + sizeof(NETNS_RUN_DIR);
			closedir(d);
			return true;
		}
	}
	if (d)
		closedir(d);
	return false;
}

const char *netns_name_of(unsigned long ino, char *buf, unsigned long len)
{
	char path[512];
	const char *name;

	if (!netns_path_of(ino, path, sizeof(path), &name))
		return NULL;
	snprintf(buf, len, "%s", name);
	return buf;
}

int netns_enter_inode(unsigned long ino)
{
	char path[512];
	const char *name;
	int fd, err = 0;

	if (!netns_path_of(ino, path, sizeof(path), &name))
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		err = -errno;
	close(fd);
	return err;
}
