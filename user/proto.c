// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Ports and protocols as people write them (proto.h). Policies, the port
 * table and SSH_CONNECTION all hold ports as text; parsing them in one
 * place means "65536", "08" or "1-" are judged the same everywhere, and
 * naming protocols in one place means every output says "tcp" the same.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include <netinet/in.h>

#include <linux/types.h>

#include "portxdp.h"
#include "proto.h"

const char *px_proto_name(int proto)
{
	switch (proto) {
	case PX_TCP:
		return "tcp";
	case PX_UDP:
		return "udp";
	case PX_PROTO_ICMP:
		return "icmp";
	}
	return "?";
}

const char *px_ipproto_name(unsigned int ipproto)
{
	switch (ipproto) {
	case IPPROTO_TCP:
		return px_proto_name(PX_TCP);
	case IPPROTO_UDP:
		return px_proto_name(PX_UDP);
	case IPPROTO_ICMP:
		return px_proto_name(PX_PROTO_ICMP);
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case 0:
		return NULL;
	}
	return "ip";
}

int px_proto_parse(const char *s, size_t len)
{
	for (int proto = PX_TCP; proto < PX_NPROTO; proto++)
		if (len == 3 && !strncasecmp(s, px_proto_name(proto), 3))
			return proto;
	return -1;
}

int px_port_parse(const char *s, size_t len, unsigned int *port)
{
	unsigned long v = 0;
	bool big = false;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535) {
			big = true;
			v = 65536; /* keep going: a later non-digit wins */
		}
	}
	if (big)
		return -ERANGE;
	*port = (unsigned int)v;
	return 0;
}

int px_port_range_parse(const char *s, size_t len, unsigned int *lo,
			unsigned int *hi, struct px_port_error *where)
{
	struct px_port_error local;
	size_t sep = len;

	if (!where)
		where = &local;
	*where = (struct px_port_error){0, len};
	if (!len || !isdigit((unsigned char)s[0]))
		return 1;
	for (size_t i = 0; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			continue;
		if ((s[i] == '-' || s[i] == ':') && sep == len) {
			sep = i;
			continue;
		}
		return 1;
	}
	if (px_port_parse(s, sep, lo)) {
		*where = (struct px_port_error){0, sep};
		return -ERANGE;
	}
	if (sep == len) {
		*hi = *lo;
		return 0;
	}
	if (sep + 1 == len)
		return -ENODATA;
	if (px_port_parse(s + sep + 1, len - sep - 1, hi)) {
		*where = (struct px_port_error){sep + 1, len - sep - 1};
		return -ERANGE;
	}
	return *lo > *hi ? -EDOM : 0;
}
