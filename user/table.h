/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The port table (SPEC section 4): the ports an administrator most often
 * decides about, loaded from policies/ports.table (or the installed copy),
 * with /etc/services filling in other names.
 */
#ifndef PX_TABLE_H
#define PX_TABLE_H

#include <stdbool.h>

#define PX_PROTO_ICMP 2 /* table-only: the "ping" row */

struct table_entry {
	unsigned int port_lo, port_hi; /* one port, or a range */
	unsigned int protos;           /* bitmask of 1 << PX_TCP/PX_UDP/PX_PROTO_ICMP */
	char name[32];
	char advice[160];
	char description[256];
};

/* Load the table once (later calls return the cached one). 0 or -errno. */
int table_load(void);
int table_count(void);
const struct table_entry *table_entry_at(int i);

/*
 * The name a port has for a protocol: from the table first, then
 * /etc/services; NULL when neither knows it.
 */
const char *table_port_name(int proto, unsigned int port);

/*
 * Where the data files are: $PORTXDP_DATADIR, else policies/ beside the
 * binary's build folder (../policies), else ../share/portxdp beside an
 * installed binary. Writes the folder to buf; 0 or -ENOENT.
 */
int px_datadir(char *buf, unsigned long len);

/* Full path of the shipped default policy. 0 or -ENOENT. */
int px_default_policy(char *buf, unsigned long len);

#endif
