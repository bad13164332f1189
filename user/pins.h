/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bpffs side of a filter (filter.h owns the filter itself): pins under
 * /sys/fs/bpf/portxdp/net-INODE/IFNAME/ (one folder per network namespace,
 * by its inode number, and interface), the bpffs mount, and the lock that
 * serializes changes. Every verb after attach is a stateless edit of these
 * pins: no daemon. Folders are 0700 and pins 0600: root only.
 */
#ifndef PX_PINS_H
#define PX_PINS_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

/* Mount bpffs at /sys/fs/bpf when it is missing. 1 when this call
 * mounted it, 0 when it was there, or -errno (printed). */
int pins_mount_bpffs(void);

/* True when /sys/fs/bpf is a bpffs. */
bool pins_bpffs_mounted(void);

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

/* Remove a pin folder and every pin in it (and the namespace folder when
 * it is left empty). Unpinning never detaches: a link runs as long as
 * another pin or fd holds it. 0 or -errno (printed). */
int pins_remove_dir(const char *dir);

/* Create dir and its namespace folder (0700) when missing. 0 or -errno. */
int pins_make_dir(const char *dir);

#endif
