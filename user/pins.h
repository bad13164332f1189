/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where a filter lives between commands: pins under
 * /sys/fs/bpf/portxdp/net-INODE/IFNAME/ (one folder per network namespace,
 * by its inode number, and interface), holding the bpf_link and the maps.
 * Every verb after attach is a stateless edit of these pins: no daemon.
 * Folders are 0700 and pins 0600: root only.
 */
#ifndef PX_PINS_H
#define PX_PINS_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

/* An attached filter, opened from its pins. Unopened fds are -1. */
struct px_attached {
	char ifname[IF_NAMESIZE];
	char dir[PATH_MAX];
	int link_fd;
	int policy_fd;	 /* px_policy_outer: ARRAY_OF_MAPS, 1 slot */
	int counters_fd; /* px_counters: PERCPU_ARRAY of px_port_counter */
	int totals_fd;	 /* px_totals_map: PERCPU_ARRAY, 1 entry */
};

/* Mount bpffs at /sys/fs/bpf when it is missing. 0 or -errno (printed). */
int pins_mount_bpffs(void);

/* The pin folder of ifname in the current network namespace. 0 or -errno. */
int pins_dir(const char *ifname, char *buf, unsigned long len);

/* The folder of the current network namespace: PX_PIN_ROOT/net-INODE. */
int pins_ns_dir(char *buf, unsigned long len);

/*
 * Serialize every command that changes pins or policies: an exclusive
 * flock on PX_PIN_ROOT, held until pins_unlock(). Waits for the holder.
 * Returns the lock fd or -errno (printed).
 */
int pins_lock(void);
void pins_unlock(int fd);

/*
 * Open the pins of ifname in the current namespace. When quiet is false a
 * missing filter is reported as "portxdp is not attached to IF: run
 * 'portxdp attach IF'". Returns 0, -ENOENT when not attached, -errno.
 */
int pins_open(const char *ifname, struct px_attached *a, bool quiet);
void pins_close(struct px_attached *a);

/* Remove ifname's pin folder and everything in it (and the namespace
 * folder when it is left empty). 0 or -errno (printed). */
int pins_remove_dir(const char *dir);

#endif
