/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --netns NAME: enter a network namespace made by `ip netns add` for the
 * netlink and sysctl work, keeping the caller's mount namespace (unlike
 * `ip netns exec`) so that pins in /sys/fs/bpf stay visible.
 */
#ifndef PX_NETNS_H
#define PX_NETNS_H

/* Where `ip netns add NAME` puts its namespaces. */
#define NETNS_RUN_DIR "/var/run/netns"

/* Enter /var/run/netns/NAME. 0 or -errno (printed, with the fix). */
int netns_enter(const char *name);

/*
 * Whether NAME can name a namespace at all (as `ip netns add` takes it:
 * not empty, no '/', not "." or "..", shorter than NAME_MAX). 0, or
 * -EINVAL after saying so.
 */
int netns_check_name(const char *name);

/* Inode number of the current network namespace. 0 or -errno. */
int netns_inode(unsigned long *ino);

/* Name under /var/run/netns of the namespace with this inode, "root" for
 * the initial namespace, or NULL. Writes into buf. */
const char *netns_name_of(unsigned long ino, char *buf, unsigned long len);

/* Enter the namespace with this inode (the initial one, or one named
 * under /var/run/netns). 0, -ENOENT when it is gone or unnamed, -errno. */
int netns_enter_inode(unsigned long ino);

#endif
