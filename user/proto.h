/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ports and protocols as people write them: the one port parser (policy
 * SPECs, the port table, SSH_CONNECTION) and the one place protocol names
 * come from (doc/design.md, sections 3 and 4).
 */
#ifndef PX_PROTO_H
#define PX_PROTO_H

#include <stddef.h>

#define PX_PROTO_ICMP 2 /* table-only: the "ping" row */

/* "tcp", "udp", "icmp" for PX_TCP, PX_UDP, PX_PROTO_ICMP; "?" otherwise. */
const char *px_proto_name(int proto);

/*
 * The name of an IP protocol number as the drop log shows it: "tcp",
 * "udp", "icmp", "icmpv6"; NULL for 0 (no protocol), "ip" for others.
 */
const char *px_ipproto_name(unsigned int ipproto);

/* PX_TCP or PX_UDP for "tcp"/"udp" (any case, len bytes), else -1. */
int px_proto_parse(const char *s, size_t len);

/*
 * A decimal port of len bytes, digits only. 0, -EINVAL (empty or not
 * digits) or -ERANGE (over 65535).
 */
int px_port_parse(const char *s, size_t len, unsigned int *port);

/* Where px_port_range_parse found a problem. */
struct px_port_error {
	size_t at, len; /* the offending part of the text */
};

/*
 * A port or a range of len bytes: N, LO-HI or LO:HI. Returns 0 with *lo
 * and *hi set, or: 1 when the text is not of that shape at all (no error:
 * the caller judges it, e.g. as a name), -ERANGE a number over 65535,
 * -ENODATA a range with no upper end ("137-"), -EDOM a reversed range
 * (*lo and *hi are then set as written). *where (may be NULL) gets the
 * offending number (-ERANGE) or the whole text.
 */
int px_port_range_parse(const char *s, size_t len, unsigned int *lo,
			unsigned int *hi, struct px_port_error *where);

#endif
