// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxflow: flows opened from the filtered side, for the replies tests
 * (doc/design.md, section 9). The server runs outside the filter, the
 * client behind it:
 *   pxflow tcp-serve ADDR PORT BYTES     accept one connection, send BYTES,
 *                                        close; prints "ready" on stderr
 *   pxflow tcp-get ADDR PORT MS          connect, read to the end; prints
 *                                        "got N" (or "timeout" when the
 *                                        connection was not made in MS)
 *   pxflow udp-serve ADDR PORT DELAY_MS  answer each datagram after
 *                                        DELAY_MS, from PORT and from
 *                                        PORT+1; prints "ready" on stderr
 *   pxflow udp-ask ADDR PORT MS          send one datagram, print
 *                                        "reply from P" for each answer in MS
 *   pxflow raw SADDR SPORT DADDR DPORT FLAGS
 *                                        one raw TCP segment (IPv4) with
 *                                        FLAGS (hex: 02 SYN, 10 ACK), as if
 *                                        from SADDR:SPORT
 * ADDR is IPv4 or IPv6. Servers run until killed (tcp-serve: one client).
 * The clients bind local port $PXFLOW_LPORT when it is set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sockaddr_arg.h"

static void set_port(struct sockaddr_storage *ss, unsigned short port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static unsigned short get_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET
			     ? ((const struct sockaddr_in *)ss)->sin_port
			     : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bound(struct sockaddr_storage *ss, socklen_t len, int type)
{
	int one = 1, fd = socket(ss->ss_family, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, len)) {
		perror("bind");
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_serve(struct sockaddr_storage *ss, socklen_t len, long bytes)
{
	static char buf[65536];
	int fd = bound(ss, len, SOCK_STREAM), c;

	if (fd < 0 || listen(fd, 1))
		return 2;
	fprintf(stderr, "ready\n");
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return 2;
	memset(buf, 'x', sizeof(buf));
	while (bytes > 0) {
		ssize_t n = send(c, buf,
				 bytes < (long)sizeof(buf) ? (size_t)bytes
							   : sizeof(buf),
				 MSG_NOSIGNAL);
		if (n <= 0)
			break;
		bytes -= n;
	}
	close(c);
	close(fd);
	return 0;
}

/* Bind fd to $PXFLOW_LPORT, when set. */
static int bind_local(int fd, int family)
{
	const char *lport = getenv("PXFLOW_LPORT");
	struct sockaddr_storage me;
	int one = 1;

	if (!lport)
		return 0;
	memset(&me, 0, sizeof(me));
	me.ss_family = (sa_family_t)family;
	set_port(&me, (unsigned short)atoi(lport));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&me,
		    family == AF_INET ? sizeof(struct sockaddr_in)
				      : sizeof(struct sockaddr_in6));
}

static int tcp_get(struct sockaddr_storage *ss, socklen_t len, int ms)
{
	static char buf[65536];
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	socklen_t elen = sizeof(err);
	double end = now_ms() + ms;
	long got = 0;
	ssize_t n;

	if (fd < 0 || bind_local(fd, ss->ss_family))
		return 2;
	if (connect(fd, (struct sockaddr *)ss, len) && errno != EINPROGRESS)
		return 2;
	if (poll(&pfd, 1, ms) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err) {
		puts("timeout");
		return 1;
	}
	pfd.events = POLLIN;
	while (now_ms() < end && poll(&pfd, 1, (int)(end - now_ms())) == 1) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		got += n;
	}
	printf("got %ld\n", got);
	close(fd);
	return 0;
}

static int udp_serve(struct sockaddr_storage *ss, socklen_t len, int delay_ms)
{
	struct sockaddr_storage peer, other = *ss;
	socklen_t plen;
	char buf[512];
	int fd = bound(ss, len, SOCK_DGRAM), fd2;
	ssize_t n;

	set_port(&other, get_port(ss) + 1);
	fd2 = bound(&other, len, SOCK_DGRAM);
	if (fd < 0 || fd2 < 0)
		return 2;
	fprintf(stderr, "ready\n");
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			     &plen);
		if (n < 0)
			return 2;
		if (delay_ms)
			usleep((useconds_t)delay_ms * 1000);
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
		sendto(fd2, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
	}
}

static int udp_ask(struct sockaddr_storage *ss, socklen_t len, int ms)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct sockaddr_storage from;
	double end = now_ms() + ms;
	socklen_t flen;
	char buf[512];

	if (fd < 0 || bind_local(fd, ss->ss_family) ||
	    sendto(fd, "ask", 3, 0, (struct sockaddr *)ss, len) < 0)
		return 2;
	while (now_ms() < end && poll(&pfd, 1, (int)(end - now_ms())) == 1) {
		flen = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen) < 0)
			continue; /* an ICMP error: no answer */
		printf("reply from %u\n", get_port(&from));
	}
	close(fd);
	return 0;
}

static unsigned short csum(const void *p, size_t n, unsigned int sum)
{
	const unsigned char *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (unsigned int)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (unsigned int)(b[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* A TCP segment from saddr:sport: with IP_HDRINCL the source is ours to
 * set. */
static int raw(const char *saddr, const char *sport, const char *daddr,
	       const char *dport, const char *flags)
{
	unsigned char pkt[40] = {0}, pseudo[12 + 20];
	struct sockaddr_in dst = {.sin_family = AF_INET};
	int one = 1, fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	unsigned short c;

	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, 4) ||
	    inet_pton(AF_INET, saddr, pkt + 12) != 1 ||
	    inet_pton(AF_INET, daddr, pkt + 16) != 1)
		return 2;
	pkt[0] = 0x45, pkt[3] = 40, pkt[8] = 64, pkt[9] = IPPROTO_TCP;
	pkt[20] = (unsigned char)(atoi(sport) >> 8);
	pkt[21] = (unsigned char)atoi(sport);
	pkt[22] = (unsigned char)(atoi(dport) >> 8);
	pkt[23] = (unsigned char)atoi(dport);
	pkt[27] = 1;	  /* sequence */
	pkt[32] = 5 << 4; /* data offset */
	pkt[33] = (unsigned char)strtoul(flags, NULL, 16);
	pkt[34] = 0xff, pkt[35] = 0xff;
	memcpy(pseudo, pkt + 12, 8);
	pseudo[9] = IPPROTO_TCP, pseudo[11] = 20;
	memcpy(pseudo + 12, pkt + 20, 20);
	c = csum(pseudo, sizeof(pseudo), 0);
	pkt[36] = (unsigned char)(c >> 8), pkt[37] = (unsigned char)c;
	c = csum(pkt, 20, 0);
	pkt[10] = (unsigned char)(c >> 8), pkt[11] = (unsigned char)c;
	memcpy(&dst.sin_addr, pkt + 16, 4);
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) < 0) {
		perror("sendto");
		return 2;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc == 7 && !strcmp(argv[1], "raw"))
		return raw(argv[2], argv[3], argv[4], argv[5], argv[6]);
	if (argc != 5 || sockaddr_arg(argv[2], argv[3], &ss, &len)) {
		fprintf(stderr, "usage: see tests/tools/pxflow.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "tcp-serve"))
		return tcp_serve(&ss, len, atol(argv[4]));
	if (!strcmp(argv[1], "tcp-get"))
		return tcp_get(&ss, len, atoi(argv[4]));
	if (!strcmp(argv[1], "udp-serve"))
		return udp_serve(&ss, len, atoi(argv[4]));
	if (!strcmp(argv[1], "udp-ask"))
		return udp_ask(&ss, len, atoi(argv[4]));
	fprintf(stderr, "usage: see tests/tools/pxflow.c\n");
	return 2;
}
