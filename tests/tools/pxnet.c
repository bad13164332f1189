// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxnet: the traffic the end-to-end tests send, with an answer a script
 * can test. A probe says whether the packet reached the far host (a TCP
 * answer of any kind, or an ICMP port-unreachable for UDP) or got no
 * answer in time (dropped on the way):
 *   pxnet tcp  ADDR PORT [TIMEOUT_MS]   exit 0 "reached", 1 "timeout"
 *   pxnet udp  ADDR PORT [TIMEOUT_MS [SIZE]]
 *                                       exit 0 "reached", 1 "timeout";
 *                                       SIZE bytes of payload (default 5)
 *   pxnet send ADDR PORT COUNT          COUNT UDP datagrams, no waiting
 * ADDR is IPv4 or IPv6. UDP probes rely on the far side answering closed
 * UDP ports with ICMP errors (the tests turn off ICMP rate limits there).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockaddr_arg.h"

static int verdict(int reached)
{
	puts(reached ? "reached" : "timeout");
	return reached ? 0 : 1;
}

static int probe_tcp(struct sockaddr_storage *ss, socklen_t len, int ms)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return 2;
	/* No SYN leaves after the verdict: one retransmitted after "timeout"
	 * (this process held up past the first RTO on a loaded machine) would
	 * meet the filter again, a drop counted or logged that the test never
	 * sent. */
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
	if (connect(fd, (struct sockaddr *)ss, len) == 0)
		return verdict(1);
	if (errno != EINPROGRESS)
		return verdict(errno == ECONNREFUSED);
	if (poll(&pfd, 1, ms) <= 0)
		return verdict(0);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	close(fd);
	return verdict(err == 0 || err == ECONNREFUSED);
}

static int probe_udp(struct sockaddr_storage *ss, socklen_t len, int ms,
		     size_t size)
{
	static char payload[65507] = "pxnet";
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char buf[64];

	if (fd < 0 || connect(fd, (struct sockaddr *)ss, len) < 0)
		return 2;
	if (size > sizeof(payload))
		size = sizeof(payload);
	if (send(fd, payload, size, 0) < 0)
		return 2;
	if (poll(&pfd, 1, ms) <= 0)
		return verdict(0);
	/* An answer, or ECONNREFUSED from an ICMP port unreachable. */
	if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		return verdict(1);
	return verdict(errno == ECONNREFUSED);
}

static int send_udp(struct sockaddr_storage *ss, socklen_t len, long count)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	long sent = 0;

	if (fd < 0)
		return 2;
	while (sent < count) {
		if (sendto(fd, "pxnet", 5, 0, (struct sockaddr *)ss, len) < 0) {
			if (errno == ECONNREFUSED || errno == ENOBUFS ||
			    errno == EAGAIN)
				continue; /* an earlier ICMP error, or a full
					     queue */
			perror("sendto");
			return 2;
		}
		sent++;
	}
	close(fd);
	printf("sent %ld\n", sent);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long n;

	if (argc < 4 || sockaddr_arg(argv[2], argv[3], &ss, &len)) {
		fprintf(stderr, "usage: pxnet tcp|udp ADDR PORT [TIMEOUT_MS] | "
				"pxnet udp ADDR PORT TIMEOUT_MS SIZE | "
				"pxnet send ADDR PORT COUNT\n");
		return 2;
	}
	n = argc > 4 ? strtol(argv[4], NULL, 10) : 1000;
	if (!strcmp(argv[1], "tcp"))
		return probe_tcp(&ss, len, (int)n);
	if (!strcmp(argv[1], "udp"))
		return probe_udp(&ss, len, (int)n,
				 argc > 5 ? strtoul(argv[5], NULL, 10) : 5);
	if (!strcmp(argv[1], "send"))
		return send_udp(&ss, len, n);
	fprintf(stderr, "pxnet: unknown mode '%s'\n", argv[1]);
	return 2;
}
