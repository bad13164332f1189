// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp lab probe: send, from pxlab0 to pxlab1, a TCP connect, a UDP
 * datagram or a ping for each port asked, and read the verdict from the
 * lab filter's own counters (a counter that moved, never a timeout guess).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "json.h"
#include "lab.h"
#include "lab_outgoing.h"
#include "maps.h"
#include "policy.h"
#include "table.h"

#define PROBE_MAX 64
#define PROBE_DEFAULT_MS 1000

static int lab_probe(int argc, char **argv);

static const struct px_opt probe_opts[] = {
	PX_OPT("ipv6", '6', NULL,
	       "probe " LAB_ADDR6_IN " instead of " LAB_ADDR_IN),
	PX_OPT("timeout", 't', "MS",
	       "wait this long for the counters to move (default\n"
	       "1000); a probe that never reaches the filter is\n"
	       "reported as 'no-verdict' and the exit status is 1"),
	PX_OPT("outgoing", 'o', NULL,
	       "the other way: open a flow from inside the lab to\n"
	       "each TCP/UDP port here and say whether its answer\n"
	       "came back (reply-passed or reply-dropped): a\n"
	       "rehearsal of 'option replies'"),
	PX_OPT("json", 'j', NULL,
	       "one JSON object: {\"address\":..., \"probes\": [...]}"),
	{0},
};

const struct px_cmd lab_probe_cmd = {
	.name = "probe",
	.run = lab_probe,
	.usage = "SPEC... [--ipv6] [--timeout MS] [--outgoing] [--json]",
	.summary = "probe the lab's filter: which ports pass, which drop",
	.opts = probe_opts,
	.about =
		"'lab probe' sends, from " LAB_IF_OUT " to " LAB_IF_IN
		", a TCP connect for each TCP port\n"
		"of each SPEC, a UDP datagram for each UDP port, an ICMP echo "
		"request for\n"
		"'ping', and prints per port whether the filter passed or "
		"dropped it, as\n"
		"its counters say. SPEC is as in the policy language: 22/tcp, "
		"53/udp,\n"
		"ssh, 80 (tcp and udp), 8000-8003/tcp, ping; at most 64 probes "
		"at once.\n"
		"With --outgoing the flows go the other way, from inside the "
		"lab to each\n"
		"port on " LAB_ADDR_OUT " here, as the host's own DNS lookups "
		"and downloads\n"
		"do: 'lab probe --outgoing 53/udp 443/tcp' says whether their "
		"answers\n"
		"come back through a policy with 'option replies on' and no "
		"open\n"
		"ephemeral range.\n",
	.parent = &px_cmd_lab,
};

#define PROBE_PING (-1) /* proto of a ping probe */

struct probe {
	int proto; /* PX_TCP, PX_UDP or PROBE_PING */
	unsigned int port;
	const char *result;
};

/* One counter: dropped + passed of a (proto, port), or ping's from the totals.
 */
static int read_counter(const struct px_filter *a, const struct probe *p,
			__u64 *dropped, __u64 *passed)
{
	struct px_port_counter v;
	struct px_totals t;
	int err;

	if (p->proto == PROBE_PING) {
		err = maps_read_totals(a->totals_fd, NULL, &t);
		*dropped = t.ping_dropped;
		*passed = t.ping_passed;
		return err;
	}
	err = maps_read_counter(a->counters_fd, p->proto * PX_PORTS + p->port,
				&v);
	*dropped = v.dropped;
	*passed = v.passed;
	return err;
}

static unsigned short icmp_sum(const void *data, size_t len)
{
	const unsigned short *w = data;
	unsigned long sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const unsigned char *)w;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* Send one probe; returns the socket to close after the verdict, or -errno. */
static int send_probe(const struct probe *p, bool v6)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fam = v6 ? AF_INET6 : AF_INET, fd;

	if (v6) {
		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, LAB_ADDR6_IN, &in6->sin6_addr);
		in6->sin6_port = htons(p->port);
		len = sizeof(*in6);
	} else {
		in4->sin_family = AF_INET;
		inet_pton(AF_INET, LAB_ADDR_IN, &in4->sin_addr);
		in4->sin_port = htons(p->port);
		len = sizeof(*in4);
	}
	if (p->proto == PX_TCP) {
		fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
		    errno != EINPROGRESS) {
			close(fd);
			return -errno;
		}
		return fd;
	}
	if (p->proto == PX_UDP) {
		fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (sendto(fd, "portxdp lab", 11, 0, (struct sockaddr *)&ss,
			   len) < 0) {
			close(fd);
			return -errno;
		}
		return fd;
	}
	/* ping: an echo request on a raw socket (the kernel sums ICMPv6) */
	struct icmphdr echo;

	memset(&echo, 0, sizeof(echo)); /* every byte is summed and sent */
	echo.type = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	echo.un.echo.id = htons((unsigned short)getpid());
	echo.un.echo.sequence = htons(1);
	if (!v6)
		echo.checksum = icmp_sum(&echo, sizeof(echo));
	in4->sin_port = 0;
	in6->sin6_port = 0;
	fd = socket(fam, SOCK_RAW | SOCK_CLOEXEC,
		    v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &echo, sizeof(echo), 0, (struct sockaddr *)&ss, len) <
	    0) {
		close(fd);
		return -errno;
	}
	return fd;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Send p and watch its counter until it moves or timeout_ms passes. */
static int run_probe(const struct px_filter *a, struct probe *p, bool v6,
		     int timeout_ms)
{
	__u64 d0, p0, d1, p1;
	double deadline;
	int fd, err;

	err = read_counter(a, p, &d0, &p0);
	if (err)
		return err;
	fd = send_probe(p, v6);
	if (fd < 0)
		return fd;
	p->result = "no-verdict";
	deadline = now_ms() + timeout_ms;
	do {
		err = read_counter(a, p, &d1, &p1);
		if (err)
			break;
		if (d1 != d0 || p1 != p0) {
			p->result = d1 != d0 ? "dropped" : "passed";
			break;
		}
		poll(NULL, 0, 2);
	} while (now_ms() < deadline);
	close(fd);
	return err;
}

/* Expand the SPECs through the policy parser, in order, TCP before UDP. */
static int collect_probes(int n, char **specs, struct probe *out, int *count)
{
	struct px_policy *one = calloc(1, sizeof(*one));
	int k = 0, i;

	if (!one)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memset(one, 0, sizeof(*one));
		if (policy_apply_specs(one, true, 1, &specs[i], NULL, stderr)) {
			free(one);
			return -EINVAL;
		}
		if (one->flags & PX_F_PING_OPEN) {
			if (k == PROBE_MAX)
				goto too_many;
			out[k++] = (struct probe){.proto = PROBE_PING};
		}
		for (unsigned int port = 0; port < PX_PORTS; port++) {
			for (int proto = PX_TCP; proto <= PX_UDP; proto++) {
				if (!policy_port_open(one, proto, port))
					continue;
				if (k == PROBE_MAX)
					goto too_many;
				out[k++] = (struct probe){.proto = proto,
							  .port = port};
			}
		}
	}
	free(one);
	*count = k;
	return 0;
too_many:
	free(one);
	cli_usage_error("lab probe",
			"'%s' takes the probes past %d at once: "
			"probe a smaller range at a time",
			specs[i], PROBE_MAX);
	return -E2BIG;
}

static void print_probes(const struct probe *pr, int n, bool v6, bool json,
			 bool outgoing)
{
	char label[16];
	struct json j;

	if (json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		if (outgoing) /* the server's: flows go from the lab to here */
			json_key_str(&j, "address",
				     v6 ? LAB_ADDR6_OUT : LAB_ADDR_OUT);
		else
			json_key_str(&j, "address",
				     v6 ? LAB_ADDR6_IN : LAB_ADDR_IN);
		json_key_str(&j, "direction",
			     outgoing ? "outgoing" : "incoming");
		json_key(&j, "probes");
		json_arr_open(&j);
	}
	for (int i = 0; i < n; i++) {
		const struct probe *p = &pr[i];
		const char *name = p->proto == PROBE_PING
					   ? "ping"
					   : table_port_name(p->proto, p->port);

		if (json) {
			json_obj_open(&j);
			if (p->proto != PROBE_PING)
				json_key_u64(&j, "port", p->port);
			json_key_str(&j, "proto",
				     p->proto == PROBE_PING
					     ? (v6 ? "icmpv6" : "icmp")
					     : px_proto_name(p->proto));
			json_key_str(&j, "name", name);
			json_key_str(&j, "result", p->result);
			json_obj_close(&j);
			continue;
		}
		if (p->proto == PROBE_PING)
			snprintf(label, sizeof(label), "ping");
		else
			snprintf(label, sizeof(label), "%u/%s", p->port,
				 px_proto_name(p->proto));
		printf("%-12s %-14s %s\n", label, name ? name : "-", p->result);
	}
	if (json) {
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
}

static int lab_probe(int argc, char **argv)
{
	struct probe probes[PROBE_MAX];
	int n = 0, timeout = PROBE_DEFAULT_MS, c, err;
	int ret = PX_EXIT_OK;
	bool v6 = false, json = false, outgoing = false;
	struct px_filter a;
	unsigned long ms;

	while ((c = cli_getopt(argc, argv, &lab_probe_cmd)) != -1) {
		switch (c) {
		case '6':
			v6 = true;
			break;
		case 'j':
			json = true;
			break;
		case 'o':
			outgoing = true;
			break;
		case 't':
			if (cli_parse_ulong(optarg, 10, 60000, &ms))
				return cli_usage_error(
					"lab probe",
					"--timeout wants milliseconds between "
					"10 and 60000, not '%s'",
					optarg);
			timeout = (int)ms;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(
			"lab probe", "what to probe? e.g. "
				     "'portxdp lab probe 22/tcp 53/udp ping'");
	err = collect_probes(argc - optind, argv + optind, probes, &n);
	if (err)
		return err == -ENOMEM ? PX_EXIT_FAIL : PX_EXIT_USAGE;
	if (!cli_need_privileges("lab probe"))
		return PX_EXIT_FAIL;
	if (lab_open_filter(&a)) {
		px_error("the lab is not up (no portxdp on " LAB_IF_IN
			 " in namespace " LAB_NS "): run 'portxdp lab up'");
		return PX_EXIT_FAIL;
	}
	if (table_load())
		px_debug("no port table: names from /etc/services only");
	for (int i = 0; i < n && outgoing; i++) {
		probes[i].result = lab_outgoing(probes[i].proto, probes[i].port,
						v6, timeout);
		if (!probes[i].result) {
			filter_close(&a);
			return cli_usage_error("lab probe",
					       "--outgoing opens TCP and UDP "
					       "flows: ping has none");
		}
		if (!strcmp(probes[i].result, "no-verdict"))
			ret = PX_EXIT_FAIL;
	}
	for (int i = 0; i < n && !outgoing; i++) {
		err = run_probe(&a, &probes[i], v6, timeout);
		if (err) {
			px_error("probe %d failed: %s: is the lab still up? "
				 "see 'portxdp --netns " LAB_NS " status'",
				 i + 1, strerror(-err));
			ret = PX_EXIT_FAIL;
			n = i;
			break;
		}
		if (!strcmp(probes[i].result, "no-verdict"))
			ret = PX_EXIT_FAIL;
	}
	filter_close(&a);
	print_probes(probes, n, v6, json, outgoing);
	if (ret && !err)
		px_error("some probes never reached the filter in %d ms: "
			 "is " LAB_IF_OUT " up? see 'ip link show " LAB_IF_OUT
			 "', or raise --timeout",
			 timeout);
	return ret;
}
