/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `lab probe --from ADDR` (lab_from.c): probe frames from a chosen source
 * address, written onto the lab's outer veth.
 */
#ifndef PX_LAB_FROM_H
#define PX_LAB_FROM_H

#include <stdbool.h>

#include <linux/types.h>

#include "portxdp.h"

struct lab_from {
	__u8 family; /* 4 or 6 */
	__u8 addr[16];
	char text[64]; /* the address as given, canonical */
	int fd, ifindex;
	__u8 src_mac[6], dst_mac[6];
};

/*
 * ADDR into *f: one IPv4 or IPv6 address that a packet on a link can come
 * from, not the lab's own. 0, or -EINVAL with the one-line error printed.
 */
int lab_from_parse(const char *s, struct lab_from *f);

/* The packet socket on the lab's outer veth, and both MACs. 0 or -errno. */
int lab_from_open(struct lab_from *f);

/* One probe (PX_TCP SYN, PX_UDP datagram, else an echo request) to the
 * lab's inner address and port, from f's address. 0 or -errno. */
int lab_from_send(const struct lab_from *f, int proto, unsigned int port);

void lab_from_close(struct lab_from *f);

#endif
