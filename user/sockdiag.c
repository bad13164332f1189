// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Listening sockets through NETLINK_SOCK_DIAG (sockdiag.h). One dump per
 * address family and protocol: TCP in state LISTEN; UDP in state CLOSE
 * with a local port, which is how the kernel shows a bound socket that is
 * not connected (ss's UNCONN). Owners come from /proc/PID/fd, whose links
 * name socket inodes; a process of another PID namespace, or none at all
 * (a kernel socket), leaves the owner unknown.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "portxdp.h"
#include "sockdiag.h"

int sockdiag_add(struct px_socks *s, const struct px_sock *sk)
{
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 32;
		struct px_sock *v = realloc(s->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *sk;
	return 0;
}

void sockdiag_free(struct px_socks *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const char *sockdiag_addr(const struct px_sock *s, char *buf, size_t len)
{
	if (!inet_ntop(s->family, s->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static bool is_loopback(int family, const __u8 *a)
{
	static const __u8 v6lo[16] = {[15] = 1};
	static const __u8 mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (family == AF_INET)
		return a[0] == 127;
	return !memcmp(a, v6lo, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
}

typedef int (*diag_cb)(const struct inet_diag_msg *m, int proto, void *ctx);

/* One SOCK_DIAG_BY_FAMILY dump. 0 or -errno (the kernel's). */
static int dump(int family, int proto, __u32 states, diag_cb cb, void *ctx)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1},
		.r = {.sdiag_family = (__u8)family,
		      .sdiag_protocol = (__u8)proto,
		      .idiag_states = states},
	};
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	static long buf[8192];
	int fd, err = 0, px = proto == IPPROTO_TCP ? PX_TCP : PX_UDP;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0) {
		err = -errno;
		done = true;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error ? e->error : -EIO;
				done = true;
				break;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			err = cb(NLMSG_DATA(h), px, ctx);
			if (err) {
				done = true;
				break;
			}
		}
	}
	close(fd);
	return err;
}

static int add_listener(const struct inet_diag_msg *m, int proto, void *ctx)
{
	struct px_sock sk = {
		.proto = proto,
		.port = ntohs(m->id.idiag_sport),
		.family = m->idiag_family,
		.ifindex = m->id.idiag_if,
		.inode = m->idiag_inode,
		.uid = m->idiag_uid,
	};

	if (!sk.port || (proto == PX_UDP && m->id.idiag_dport))
		return 0; /* unbound, or a connected UDP socket */
	memcpy(sk.addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	sk.loopback = is_loopback(sk.family, sk.addr);
	return sockdiag_add(ctx, &sk);
}

/* Owners: every /proc/PID/fd link "socket:[INODE]" naming one of ours. */
static void find_owners(struct px_socks *s)
{
	char path[320], link[64], comm_path[64];
	struct dirent *pe, *fe;
	DIR *proc, *fds;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((pe = readdir(proc))) {
		int pid = atoi(pe->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			unsigned long ino;
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid,
				 fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1)
				continue;
			for (int i = 0; i < s->n; i++) {
				FILE *f;

				if (s->v[i].inode != ino || s->v[i].pid)
					continue;
				s->v[i].pid = pid;
				snprintf(comm_path, sizeof(comm_path),
					 "/proc/%d/comm", pid);
				f = fopen(comm_path, "r");
				if (f) {
					if (fgets(s->v[i].comm,
						  sizeof(s->v[i].comm), f))
						s->v[i].comm[strcspn(
							s->v[i].comm, "\n")] =
							'\0';
					fclose(f);
				}
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static int by_port(const void *a, const void *b)
{
	const struct px_sock *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto - y->proto;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->family - y->family;
}

int sockdiag_listening(struct px_socks *out)
{
	static const int families[] = {AF_INET, AF_INET6};
	int err = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 2 && !err; i++) {
		err = dump(families[i], IPPROTO_TCP, 1U << TCP_LISTEN,
			   add_listener, out);
		if (!err)
			err = dump(families[i], IPPROTO_UDP, 1U << TCP_CLOSE,
				   add_listener, out);
	}
	if (err) {
		sockdiag_free(out);
		return err;
	}
	find_owners(out);
	if (out->n)
		qsort(out->v, (size_t)out->n, sizeof(*out->v), by_port);
	return 0;
}

struct flows {
	unsigned int lo, hi, count;
};

static int count_flow(const struct inet_diag_msg *m, int proto, void *ctx)
{
	struct flows *f = ctx;
	unsigned int port = ntohs(m->id.idiag_sport);

	if (proto == PX_UDP && !m->id.idiag_dport)
		return 0;
	/* a flow over loopback has its replies on lo, not on the interface */
	if (is_loopback(m->idiag_family, (const __u8 *)m->id.idiag_src))
		return 0;
	if (port >= f->lo && port <= f->hi)
		f->count++;
	return 0;
}

int sockdiag_flows(unsigned int lo, unsigned int hi, unsigned int *count)
{
	static const int families[] = {AF_INET, AF_INET6};
	/* every TCP state but LISTEN and CLOSE; UDP ESTABLISHED (connected) */
	__u32 tcp = 0xfffU & ~((1U << TCP_LISTEN) | (1U << TCP_CLOSE));
	struct flows f = {lo, hi, 0};
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		err = dump(families[i], IPPROTO_TCP, tcp, count_flow, &f);
		if (!err)
			err = dump(families[i], IPPROTO_UDP,
				   1U << TCP_ESTABLISHED, count_flow, &f);
	}
	*count = f.count;
	return err;
}
