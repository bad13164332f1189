// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxstream: steady UDP traffic for the atomicity tests. It sends datagrams
 * round-robin to a list of ports at a fixed rate until SIGTERM/SIGINT (or
 * for SECS seconds), so that while policies are swapped every moment has
 * packets in flight to every port, then prints how many went to each:
 *   pxstream [-s SRC] [-n COUNT] ADDR RATE SECS PORT...
 *       RATE packets/s in all, SECS 0: until signalled; -s sends from
 *       address SRC (one of this host's: several streams from several
 *       sources); -n sends COUNT datagrams to each port at once and
 *       stops (RATE and SECS unused), for a probe of every port's verdict
 * output: one line "PORT SENT" per port, then "total SENT".
 * Pacing is in 1 ms slices (RATE/1000 packets per slice, catching up when
 * a slice was late), so the stream stays even on a busy 2-core machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	unsigned long sent[MAX_PORTS] = {0}, total = 0;
	unsigned short ports[MAX_PORTS];
	struct sigaction sa = {.sa_handler = on_signal};
	double rate, secs, start, due;
	struct sockaddr_storage from = {0};
	socklen_t len;
	int nports, fd, next = 0, opt;
	const char *src = NULL;
	long count = 0;

	while ((opt = getopt(argc, argv, "+s:n:")) != -1) {
		if (opt == 's')
			src = optarg;
		else if (opt == 'n')
			count = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5 || argc - 4 > MAX_PORTS || count < 0) {
		fprintf(stderr,
			"usage: pxstream [-s SRC] [-n COUNT] ADDR RATE SECS "
			"PORT... (at most %d ports)\n",
			MAX_PORTS);
		return 2;
	}
	rate = strtod(argv[2], NULL);
	secs = strtod(argv[3], NULL);
	nports = argc - 4;
	for (int i = 0; i < nports; i++) {
		long p = strtol(argv[4 + i], NULL, 10);

		if (p <= 0 || p > 65535 || rate <= 0) {
			fprintf(stderr, "pxstream: bad port or rate\n");
			return 2;
		}
		ports[i] = (unsigned short)p;
	}
	if (inet_pton(AF_INET, argv[1], &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, argv[1], &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "pxstream: '%s' is not an address\n", argv[1]);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	if (src) {
		struct sockaddr_in *f4 = (struct sockaddr_in *)&from;
		struct sockaddr_in6 *f6 = (struct sockaddr_in6 *)&from;
		int ok = ss.ss_family == AF_INET
				 ? inet_pton(AF_INET, src, &f4->sin_addr)
				 : inet_pton(AF_INET6, src, &f6->sin6_addr);

		from.ss_family = ss.ss_family;
		if (ok != 1 || bind(fd, (struct sockaddr *)&from, len) < 0) {
			fprintf(stderr, "pxstream: cannot send from '%s'\n",
				src);
			return 2;
		}
	}
	if (count) {
		for (long k = 0; k < count; k++)
			for (int i = 0; i < nports; i++) {
				if (ss.ss_family == AF_INET)
					in4->sin_port = htons(ports[i]);
				else
					in6->sin6_port = htons(ports[i]);
				if (sendto(fd, "pxstream", 8, 0,
					   (struct sockaddr *)&ss, len) == 8) {
					sent[i]++;
					total++;
				}
			}
		stop = 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	start = now_s();
	due = 0;
	while (!stop) {
		double t = now_s() - start;
		struct timespec slice = {0, 1000000};

		if (secs > 0 && t >= secs)
			break;
		/* packets owed up to now, sent as a burst, then 1 ms rest */
		due = t * rate;
		while (total < due && !stop) {
			unsigned short p = ports[next];

			if (ss.ss_family == AF_INET)
				in4->sin_port = htons(p);
			else
				in6->sin6_port = htons(p);
			if (sendto(fd, "pxstream", 8, 0, (struct sockaddr *)&ss,
				   len) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == ECONNREFUSED || errno == EINTR)
					break; /* retry in the next slice */
				perror("sendto");
				return 2;
			}
			sent[next]++;
			total++;
			next = (next + 1) % nports;
		}
		nanosleep(&slice, NULL);
	}
	close(fd);
	for (int i = 0; i < nports; i++)
		printf("%u %lu\n", ports[i], sent[i]);
	printf("total %lu\n", total);
	return 0;
}
