/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The port table (doc/design.md, section 4): the ports an administrator most
 * often decides about, loaded from policies/ports.table (or the installed
 * copy), with /etc/services filling in other names.
 */
#ifndef PX_TABLE_H
#define PX_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "proto.h"

struct table_entry {
	unsigned int port_lo, port_hi; /* one port, or a range */
	unsigned int protos; /* bitmask of 1 << PX_TCP/PX_UDP/PX_PROTO_ICMP */
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

/* The names (table_port_name) of the ports lo..hi of proto, in port order,
 * at most max of them, into names[]. Returns how many. */
int table_names_of(int proto, unsigned int lo, unsigned int hi,
		   const char **names, int max);

/*
 * Where the data files are: $PORTXDP_DATADIR, else policies/ beside the
 * binary's build folder (../policies), else ../share/portxdp beside an
 * installed binary. Writes the folder to buf; 0 or -ENOENT.
 */
int px_datadir(char *buf, unsigned long len);

/* Full path of the shipped default policy. 0 or -ENOENT. */
int px_default_policy(char *buf, unsigned long len);

/*
 * Load the table from one file, replacing any loaded table (tests, and
 * table_load() itself). Malformed rows are reported to stderr as
 * FILE:LINE: error: ... and make it fail. 0, -EINVAL or -errno.
 */
int table_load_path(const char *path);

/*
 * The same for text in memory; name is what messages call the file.
 * Errors go to err (NULL: stderr).
 */
int table_load_text(const char *name, const char *text, FILE *err);

/* Forget the loaded table and /etc/services names (tests). */
void table_unload(void);

/* The row named name (case-insensitive), or NULL. Loads the table. */
const struct table_entry *table_find_name(const char *name);

/*
 * A name's ports from /etc/services (case-insensitive, aliases too):
 * ports[PX_TCP] and ports[PX_UDP] get the port or -1. Returns the
 * bitmask of protocols found (0: unknown name).
 */
unsigned int table_services_lookup(const char *name, int ports[2]);

/*
 * The table name closest to word (edit distance), among the table's names
 * and the words in extra (NULL-terminated, may be NULL), or NULL when
 * nothing is close enough to be a plausible typo.
 */
const char *table_suggest(const char *word, const char *const *extra);

/* Levenshtein distance, case-insensitive (1000 for words over 63 bytes). */
unsigned int px_edit_distance(const char *a, const char *b);

/*
 * Names of the ports lo..hi of a protocol, ", "-separated into buf, at
 * most max names, then ", ..." when more have one. Returns the number of
 * names written (0: buf is "").
 */
int table_range_names(int proto, unsigned int lo, unsigned int hi, char *buf,
		      unsigned long len, int max);

#endif
