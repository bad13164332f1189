// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxlisten: sockets for audit's and suggest's tests to find.
 *   pxlisten PROTO:ADDR:PORT...      e.g. tcp:0.0.0.0:5432 tcp:[::]:22
 * binds every socket (TCP listening, UDP bound), then goes to the
 * background and prints its pid, so the caller knows they all exist when
 * it returns. TCP connections are accepted and closed. Runs until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SOCKS 32

static int open_one(char *spec, bool *tcp)
{
	char *proto = spec, *addr, *port = strrchr(spec, ':');
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	int fd, one = 1;

	addr = strchr(spec, ':');
	if (!addr || !port || port == addr)
		return -1;
	*addr++ = '\0';
	*port++ = '\0';
	*tcp = !strcmp(proto, "tcp");
	if (*addr == '[' && strchr(addr, ']')) { /* tcp:[::]:22 */
		addr++;
		*strchr(addr, ']') = '\0';
	}
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)atoi(port));
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)atoi(port));
	} else {
		return -1;
	}
	fd = socket(ss.ss_family, *tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sizeof(ss)) < 0 ||
	    (*tcp && listen(fd, 16) < 0)) {
		perror("pxlisten: bind");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct pollfd p[MAX_SOCKS];
	bool tcp[MAX_SOCKS];
	int n = 0;
	pid_t pid;

	if (argc < 2 || argc > MAX_SOCKS + 1) {
		fprintf(stderr, "usage: pxlisten PROTO:ADDR:PORT...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		p[n].fd = open_one(argv[i], &tcp[n]);
		if (p[n].fd < 0) {
			fprintf(stderr, "pxlisten: cannot open %s\n", argv[i]);
			return 1;
		}
		p[n++].events = POLLIN;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid) {
		printf("%d\n", (int)pid);
		return 0;
	}
	fclose(stdout);
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			char buf[2048];

			if (!(p[i].revents & POLLIN))
				continue;
			if (tcp[i]) {
				int c = accept(p[i].fd, NULL, NULL);

				if (c >= 0)
					close(c);
			} else if (recv(p[i].fd, buf, sizeof(buf), 0) < 0) {
				continue;
			}
		}
	}
}
