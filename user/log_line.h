/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One drop-log event (include/portxdp.h, struct px_event) in words, the
 * same for the terminal and for syslog: where it came from, where it was
 * going (the destination address read from the frame the event carries),
 * and why it was dropped. Pure logic, unit-tested; cmd_log.c prints it.
 */
#ifndef PX_LOG_LINE_H
#define PX_LOG_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "portxdp.h"

#define LOG_ADDR_LEN 64 /* "[IPv6]:PORT" and some */

/* "closed-port", "ping-closed", "malformed", "fragment" or "unknown". */
const char *log_reason_name(__u8 reason);

/* Whether the event has ports (TCP or UDP, not a later fragment). */
bool log_has_ports(const struct px_event *e);

/*
 * The destination address of the frame in e (after at most two VLAN
 * tags), as text. 0, or -ENOENT when the frame holds no IP header that
 * far (then buf is "?").
 */
int log_event_dst(const struct px_event *e, char *buf, size_t len);

/*
 * The two ends of e: from "SRC:SPORT" ("[SRC]:SPORT" for IPv6, "SRC" with
 * no port, "?" when not read), to "DST:DPORT/PROTO", "DST ping" or
 * "DST PROTO" ("-" when no protocol was read).
 */
void log_event_ends(const struct px_event *e, char from[LOG_ADDR_LEN],
		    char to[LOG_ADDR_LEN + 16]);

#endif
