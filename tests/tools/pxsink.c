// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxsink: a listening UDP socket that counts what reaches it, for the
 * tests that prove a port stays closed (nothing may arrive) while the
 * filter is replaced:
 *   pxsink PORT    bind 0.0.0.0:PORT, count datagrams until SIGTERM or
 *                  SIGINT, then print the count (those still queued on
 *                  the socket included: a sink a loaded machine did not
 *                  schedule in time has not read them, yet they reached it)
 * It prints "ready" on stderr once bound, so a test can wait for it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART */
	struct timeval tick = {.tv_usec = 100000};
	unsigned long count = 0;
	char buf[2048];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: pxsink PORT\n");
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("pxsink");
		return 1;
	}
	/* A signal between the loop's check and recv() would leave recv()
	 * waiting for a datagram that never comes: wake up every 100 ms. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "ready\n");
	while (!stop) {
		if (recv(fd, buf, sizeof(buf), 0) >= 0)
			count++;
		else if (errno != EINTR && errno != EAGAIN)
			break;
	}
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		count++;
	printf("%lu\n", count);
	return 0;
}
