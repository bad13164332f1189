// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp lab probe --outgoing: rehearse `option replies` (doc/design.md,
 * section 9). For a TCP or UDP port, a client inside the lab (behind the
 * filter on pxlab1) opens a flow to that port on pxlab0's address here,
 * and the result says whether the answer came back through the filter:
 * TCP connects (or is refused: a reset answers too), a UDP datagram is
 * echoed back to the client's port.
 *
 * The server side is a socket made here before the child enters the lab's
 * namespace (a socket stays in the namespace it was made in), so one
 * process plays both ends without threads: it sends the request from
 * inside, echoes it from outside, and waits for the answer inside. When
 * something here already serves the port, that server answers instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab.h"
#include "lab_outgoing.h"

enum { OUT_ANSWERED = 0, OUT_NO_ANSWER = 1, OUT_NOT_SENT = 2 };

struct outgoing {
	int proto; /* PX_TCP or PX_UDP */
	unsigned int port;
	bool v6;
	int timeout_ms;
	int server_fd; /* here, outside the lab; -1 when another serves */
};

static socklen_t lab_addr(struct sockaddr_storage *ss, bool v6,
			  unsigned int port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (v6) {
		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, LAB_ADDR6_OUT, &in6->sin6_addr);
		in6->sin6_port = htons((unsigned short)port);
		return sizeof(*in6);
	}
	in4->sin_family = AF_INET;
	inet_pton(AF_INET, LAB_ADDR_OUT, &in4->sin_addr);
	in4->sin_port = htons((unsigned short)port);
	return sizeof(*in4);
}

/* The server here: -1 when the port is taken (whoever has it answers). */
static int make_server(const struct outgoing *o)
{
	struct sockaddr_storage ss;
	socklen_t len = lab_addr(&ss, o->v6, o->port);
	int fd = socket(ss.ss_family,
			(o->proto == PX_TCP ? SOCK_STREAM : SOCK_DGRAM) |
				SOCK_CLOEXEC,
			0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) ||
	    (o->proto == PX_TCP && listen(fd, 4))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool wait_in(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	return poll(&p, 1, ms) == 1 && (p.revents & events);
}

/* TCP: the SYN-ACK (or a reset) is the answer. */
static int tcp_flow(const struct outgoing *o, int fd,
		    const struct sockaddr_storage *ss, socklen_t len)
{
	int err = 0;
	socklen_t elen = sizeof(err);

	if (connect(fd, (const struct sockaddr *)ss, len) &&
	    errno != EINPROGRESS)
		return OUT_NOT_SENT;
	if (!wait_in(fd, POLLOUT, o->timeout_ms) ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		return OUT_NO_ANSWER;
	return !err || err == ECONNREFUSED ? OUT_ANSWERED : OUT_NO_ANSWER;
}

/* UDP: echo the request from the server here, wait for it inside. */
static int udp_flow(const struct outgoing *o, int fd,
		    const struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[64];
	ssize_t n;

	if (sendto(fd, "portxdp lab", 11, 0, (const struct sockaddr *)ss, len) <
	    0)
		return OUT_NOT_SENT;
	if (o->server_fd >= 0) {
		if (!wait_in(o->server_fd, POLLIN, o->timeout_ms))
			return OUT_NOT_SENT;
		n = recvfrom(o->server_fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&peer, &plen);
		if (n < 0 || sendto(o->server_fd, buf, (size_t)n, 0,
				    (struct sockaddr *)&peer, plen) < 0)
			return OUT_NOT_SENT;
	}
	/* an ICMP error instead of an answer fails the recv: no answer */
	if (!wait_in(fd, POLLIN, o->timeout_ms) ||
	    recv(fd, buf, sizeof(buf), 0) < 0)
		return OUT_NO_ANSWER;
	return OUT_ANSWERED;
}

/* In the lab's namespace: the client. */
static int client(void *arg)
{
	const struct outgoing *o = arg;
	struct sockaddr_storage ss;
	socklen_t len = lab_addr(&ss, o->v6, o->port);
	int fd = socket(ss.ss_family,
			(o->proto == PX_TCP ? SOCK_STREAM : SOCK_DGRAM) |
				SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	int ret;

	if (fd < 0)
		return OUT_NOT_SENT;
	ret = o->proto == PX_TCP ? tcp_flow(o, fd, &ss, len)
				 : udp_flow(o, fd, &ss, len);
	close(fd);
	return ret;
}

const char *lab_outgoing(int proto, unsigned int port, bool v6, int timeout_ms)
{
	struct outgoing o = {.proto = proto,
			     .port = port,
			     .v6 = v6,
			     .timeout_ms = timeout_ms};
	int ret;

	if (proto != PX_TCP && proto != PX_UDP)
		return NULL;
	o.server_fd = make_server(&o);
	ret = lab_in(client, &o);
	if (o.server_fd >= 0)
		close(o.server_fd);
	switch (ret) {
	case OUT_ANSWERED:
		return "reply-passed";
	case OUT_NO_ANSWER:
		return "reply-dropped";
	default:
		return "no-verdict";
	}
}
