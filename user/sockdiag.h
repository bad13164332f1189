/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What listens in the current network namespace, read from the kernel's
 * socket diagnostics (NETLINK_SOCK_DIAG, inet_diag) for TCP and UDP over
 * IPv4 and IPv6 (no parsing of ss or /proc/net), with the owning process
 * found through the socket inodes under /proc/PID/fd where visible.
 * Used by audit and suggest (doc/design.md, section 11).
 */
#ifndef PX_SOCKDIAG_H
#define PX_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

/* A TCP socket in LISTEN, or a bound, unconnected UDP socket. */
struct px_sock {
	int proto; /* PX_TCP or PX_UDP */
	unsigned int port;
	int family;	      /* AF_INET or AF_INET6 */
	__u8 addr[16];	      /* IPv4 in the first 4 bytes */
	unsigned int ifindex; /* bound to this device (SO_BINDTODEVICE), or 0 */
	bool loopback;	      /* bound to 127.0.0.0/8 or ::1 only */
	unsigned long inode;
	unsigned int uid;
	int pid;       /* an owning process, 0 when /proc does not show one */
	char comm[16]; /* its name, "" when unknown */
};

struct px_socks {
	struct px_sock *v;
	int n, cap;
};

/*
 * Every TCP listener and bound, unconnected UDP socket of the current
 * network namespace, owners filled in, sorted by protocol and port.
 * 0 or -errno (not printed; -EPROTONOSUPPORT/-ENOENT: no sock_diag).
 */
int sockdiag_listening(struct px_socks *out);

/*
 * How many connected sockets (TCP past LISTEN, connected UDP), not on
 * loopback, have a local port in lo..hi: this host's own flows, whose replies
 * come back to those ports. 0 or -errno.
 */
int sockdiag_flows(unsigned int lo, unsigned int hi, unsigned int *count);

void sockdiag_free(struct px_socks *s);

/* The socket's address as text: 0.0.0.0, ::, 127.0.0.1, ... */
const char *sockdiag_addr(const struct px_sock *s, char *buf, size_t len);

/* Add a socket (tests and the dump). 0 or -ENOMEM. */
int sockdiag_add(struct px_socks *s, const struct px_sock *sk);

#endif
