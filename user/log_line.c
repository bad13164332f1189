// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A drop-log event in words (log_line.h). The destination address is
 * not in the event's fixed fields: it is read from the first bytes of the
 * frame the event carries, every offset checked against cap_len.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log_line.h"
#include "proto.h"

const char *log_reason_name(__u8 r)
{
	switch (r) {
	case PX_DROP_CLOSED_PORT:
	case PX_DROP_BAN_SCAN: /* cmd_log.c adds '-> banned' */
		return "closed-port";
	case PX_DROP_PING:
		return "ping-closed";
	case PX_DROP_MALFORMED:
		return "malformed";
	case PX_DROP_FRAGMENT:
		return "fragment";
	case PX_DROP_BLOCKED:
		return "blocked";
	case PX_DROP_BANNED:
		return "banned";
	}
	return "unknown";
}

bool log_has_ports(const struct px_event *e)
{
	return (e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP) &&
	       e->reason != PX_DROP_FRAGMENT;
}

int log_event_dst(const struct px_event *e, char *buf, size_t len)
{
	size_t cap =
		e->cap_len < PX_EVENT_SNAPLEN ? e->cap_len : PX_EVENT_SNAPLEN;
	const __u8 *f = e->frame;
	size_t off = 12;
	unsigned int type;

	snprintf(buf, len, "?");
	for (int tags = 0; off + 2 <= cap; tags++) {
		type = (unsigned int)f[off] << 8 | f[off + 1];
		if ((type != 0x8100 && type != 0x88a8) || tags == 2)
			break;
		off += 4;
	}
	if (off + 2 > cap)
		return -ENOENT;
	type = (unsigned int)f[off] << 8 | f[off + 1];
	off += 2;
	if (type == 0x0800 && off + 20 <= cap)
		inet_ntop(AF_INET, f + off + 16, buf, (socklen_t)len);
	else if (type == 0x86dd && off + 40 <= cap)
		inet_ntop(AF_INET6, f + off + 24, buf, (socklen_t)len);
	else
		return -ENOENT;
	return 0;
}

void log_event_ends(const struct px_event *e, char from[LOG_ADDR_LEN],
		    char to[LOG_ADDR_LEN + 16])
{
	const char *proto = px_ipproto_name(e->proto);
	char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN];
	bool v6 = e->family == 6;

	if (e->family == 4)
		inet_ntop(AF_INET, e->saddr, src, sizeof(src));
	else if (v6)
		inet_ntop(AF_INET6, e->saddr, src, sizeof(src));
	log_event_dst(e, dst, sizeof(dst));
	if (log_has_ports(e)) {
		bool dst6 = strchr(dst, ':');

		snprintf(from, LOG_ADDR_LEN, "%s%s%s:%u", v6 ? "[" : "", src,
			 v6 ? "]" : "", e->sport);
		snprintf(to, LOG_ADDR_LEN + 16, "%s%s%s:%u/%s", dst6 ? "[" : "",
			 dst, dst6 ? "]" : "", e->dport, proto);
		return;
	}
	snprintf(from, LOG_ADDR_LEN, "%s", src);
	snprintf(to, LOG_ADDR_LEN + 16, "%s %s", dst,
		 e->reason == PX_DROP_PING ? "ping"
		 : proto		   ? proto
					   : "-");
}
