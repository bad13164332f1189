/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The test tools' one reading of "ADDR PORT" from their command line into
 * a socket address, IPv4 or IPv6.
 */
#ifndef PX_TOOLS_SOCKADDR_ARG_H
#define PX_TOOLS_SOCKADDR_ARG_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* host and port into *ss and *len: 0, or -1 for a bad address or port. */
static inline int sockaddr_arg(const char *host, const char *port,
			       struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char *end;
	long p = strtol(port, &end, 10);

	memset(ss, 0, sizeof(*ss));
	if (*end || end == port || p < 0 || p > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)p);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

#endif
