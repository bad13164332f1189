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
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "json.h"
#include "lab.h"
#include "lab_from.h"
#include "lab_outgoing.h"
#include "maps.h"
#include "maps_zone.h"
#include "policy.h"
#include "table.h"
#include "text.h"

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
	PX_OPT("from", 'f', "ADDR",
	       "send the probes from ADDR, any unicast IPv4 or IPv6\n"
	       "address (an IPv6 one probes " LAB_ADDR6_IN "): which\n"
	       "zone's verdicts it gets; nothing is configured for it"),
	PX_OPT("json", 'j', NULL,
	       "one JSON object: {\"address\":..., \"probes\": [...]}"),
	{0},
};

const struct px_cmd lab_probe_cmd = {
	.name = "probe",
	.run = lab_probe,
	.usage = "SPEC... [--ipv6] [--from ADDR] [--timeout MS] [--outgoing] "
		 "[--json]",
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
		"ephemeral range.\n"
		"With --from ADDR the probes come from ADDR instead "
		"of " LAB_ADDR_OUT ", as\n"
		"frames written onto " LAB_IF_OUT
		" (no address or route is added anywhere),\n"
		"and the output names the zone ADDR falls in: 'lab probe "
		"--from\n"
		"203.0.113.9 ssh' says what a host there would get. A blocked "
		"source\n"
		"prints 'blocked', a banned one 'banned'.\n",
	.parent = &px_cmd_lab,
};

#define PROBE_PING (-1) /* proto of a ping probe */

struct probe {
	int proto; /* PX_TCP, PX_UDP or PROBE_PING */
	unsigned int port;
	const char *result;
};

/* What a probe's verdict moves: its port's counter (ping's in the
 * totals), and the blocked and banned totals, which a source's block or
 * ban moves instead. */
struct reading {
	__u64 dropped, passed, blocked, banned;
};

static int read_counter(const struct px_filter *a, const struct probe *p,
			struct reading *r)
{
	struct px_port_counter v = {0};
	struct px_totals t;
	int err;

	err = maps_read_totals(a->totals_fd, a->ban_cache_fd, NULL, &t);
	r->blocked = t.blocked;
	r->banned = t.banned;
	r->dropped = t.ping_dropped;
	r->passed = t.ping_passed;
	if (err || p->proto == PROBE_PING)
		return err;
	err = maps_read_counter(a->counters_fd, p->proto * PX_PORTS + p->port,
				&v);
	r->dropped = v.dropped;
	r->passed = v.passed;
	return err;
}

/* The verdict between two readings, or NULL: none yet. */
static const char *moved(const struct reading *r0, const struct reading *r1)
{
	if (r1->blocked != r0->blocked)
		return "blocked";
	if (r1->banned != r0->banned)
		return "banned";
	if (r1->dropped != r0->dropped)
		return "dropped";
	return r1->passed != r0->passed ? "passed" : NULL;
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

/* Send p (from f's address when f) and watch its counter until it moves
 * or timeout_ms passes. */
static int run_probe(const struct px_filter *a, struct probe *p, bool v6,
		     int timeout_ms, const struct lab_from *f)
{
	struct reading r0, r1;
	double deadline;
	int fd = -1, err;

	err = read_counter(a, p, &r0);
	if (err)
		return err;
	if (f)
		err = lab_from_send(f, p->proto, p->port);
	else
		fd = send_probe(p, v6);
	if (fd < 0 && !f)
		return fd;
	if (err)
		return err;
	p->result = "no-verdict";
	deadline = now_ms() + timeout_ms;
	do {
		err = read_counter(a, p, &r1);
		if (err)
			break;
		if (moved(&r0, &r1)) {
			p->result = moved(&r0, &r1);
			break;
		}
		poll(NULL, 0, 2);
	} while (now_ms() < deadline);
	if (fd >= 0)
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

/* How the probes ran, for the output. */
struct probe_run {
	bool v6, json, outgoing;
	struct lab_from from; /* family 0: from LAB_IF_OUT's own address */
	char zone[PX_ZONE_NAME_LEN]; /* the source's zone, or "" */
	int timeout;
};

static const char *source_of(const struct probe_run *r)
{
	if (r->from.family)
		return r->from.text;
	return r->v6 ? LAB_ADDR6_OUT : LAB_ADDR_OUT;
}

static void print_json(const struct probe *pr, int n, const struct probe_run *r)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j);
	if (r->outgoing) /* the server's: flows go from the lab to here */
		json_key_str(&j, "address",
			     r->v6 ? LAB_ADDR6_OUT : LAB_ADDR_OUT);
	else
		json_key_str(&j, "address", r->v6 ? LAB_ADDR6_IN : LAB_ADDR_IN);
	json_key_str(&j, "direction", r->outgoing ? "outgoing" : "incoming");
	if (!r->outgoing) {
		json_key_str(&j, "from", source_of(r));
		json_key_str(&j, "zone", r->zone[0] ? r->zone : NULL);
	}
	json_key(&j, "probes");
	json_arr_open(&j);
	for (int i = 0; i < n; i++) {
		const struct probe *p = &pr[i];

		json_obj_open(&j);
		if (p->proto != PROBE_PING)
			json_key_u64(&j, "port", p->port);
		json_key_str(&j, "proto",
			     p->proto == PROBE_PING
				     ? (r->v6 ? "icmpv6" : "icmp")
				     : px_proto_name(p->proto));
		json_key_str(&j, "name",
			     p->proto == PROBE_PING
				     ? "ping"
				     : table_port_name(p->proto, p->port));
		json_key_str(&j, "result", p->result);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
}

static void print_probes(const struct probe *pr, int n,
			 const struct probe_run *r)
{
	char label[16];

	if (r->json) {
		print_json(pr, n, r);
		return;
	}
	if (r->from.family && r->zone[0])
		printf("from %s: zone %s\n", r->from.text, r->zone);
	else if (r->from.family)
		printf("from %s: in no zone (the base verdicts)\n",
		       r->from.text);
	for (int i = 0; i < n; i++) {
		const struct probe *p = &pr[i];
		const char *name = p->proto == PROBE_PING
					   ? "ping"
					   : table_port_name(p->proto, p->port);

		if (p->proto == PROBE_PING)
			snprintf(label, sizeof(label), "ping");
		else
			snprintf(label, sizeof(label), "%u/%s", p->port,
				 px_proto_name(p->proto));
		printf("%-12s %-14s %s\n", label, name ? name : "-", p->result);
	}
}

/* The zone the lab's live policy gives the probes' source. */
static void source_zone(const struct px_filter *a, struct probe_run *r)
{
	struct px_policy *live = malloc(sizeof(*live));
	struct px_zone *z = malloc(sizeof(*z));
	struct px_prefix src = {.family = 4, .len = 32};
	struct px_zone_maps m;

	r->zone[0] = '\0';
	if (r->from.family) {
		src.family = r->from.family;
		memcpy(src.addr, r->from.addr, 16);
	} else {
		inet_pton(r->v6 ? AF_INET6 : AF_INET, source_of(r), src.addr);
		src.family = r->v6 ? 6 : 4;
	}
	src.len = src.family == 4 ? 32 : 128;
	filter_zone_maps(a, &m);
	if (live && z && !maps_read_policy(a->policy_fd, live) &&
	    maps_zone_lookup(&m, live, &src, z) > 0)
		text_copy(r->zone, sizeof(r->zone), z->name);
	free(live);
	free(z);
}

/*
 * One `lab probe` at a time: a verdict is a counter that moved, and two
 * probes of one port at once (from two sources) would read each other's.
 * The lock goes with the process. A lock that cannot be made is no
 * reason to refuse: the probes run, as before, unserialized.
 */
static void one_at_a_time(void)
{
	int fd;

	mkdir("/run/portxdp", 0700);
	fd = open("/run/portxdp/lab-probe.lock",
		  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) {
		fprintf(stderr, "portxdp: waiting for another 'lab probe' to "
				"finish...\n");
		flock(fd, LOCK_EX);
	}
}

/* Every probe, in order; PX_EXIT_OK or PX_EXIT_FAIL, *n cut to the probes
 * that ran. */
static int run_all(const struct px_filter *a, struct probe *probes, int *n,
		   const struct probe_run *r)
{
	const struct lab_from *f = r->from.family ? &r->from : NULL;
	int ret = PX_EXIT_OK, err;

	for (int i = 0; i < *n; i++) {
		if (r->outgoing)
			probes[i].result =
				lab_outgoing(probes[i].proto, probes[i].port,
					     r->v6, r->timeout);
		else if ((err = run_probe(a, &probes[i], r->v6, r->timeout,
					  f))) {
			px_error("probe %d failed: %s: is the lab still up? "
				 "see 'portxdp --netns " LAB_NS " status'",
				 i + 1, strerror(-err));
			*n = i;
			return PX_EXIT_FAIL;
		}
		if (!probes[i].result) {
			*n = i;
			cli_usage_error("lab probe",
					"--outgoing opens TCP and "
					"UDP flows: ping has none");
			return PX_EXIT_USAGE;
		}
		if (!strcmp(probes[i].result, "no-verdict"))
			ret = PX_EXIT_FAIL;
	}
	if (ret)
		px_error("some probes never reached the filter in %d ms: "
			 "is " LAB_IF_OUT " up? see 'ip link show " LAB_IF_OUT
			 "', or raise --timeout",
			 r->timeout);
	return ret;
}

static int parse_args(int argc, char **argv, struct probe_run *r)
{
	const char *from = NULL;
	unsigned long ms;
	int c;

	while ((c = cli_getopt(argc, argv, &lab_probe_cmd)) != -1) {
		switch (c) {
		case '6':
			r->v6 = true;
			break;
		case 'j':
			r->json = true;
			break;
		case 'o':
			r->outgoing = true;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			if (cli_parse_ulong(optarg, 10, 60000, &ms))
				return cli_usage_error(
					"lab probe",
					"--timeout wants milliseconds between "
					"10 and 60000, not '%s'",
					optarg);
			r->timeout = (int)ms;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (from && r->outgoing)
		return cli_usage_error("lab probe",
				       "--from is the source of probes into "
				       "the lab; --outgoing flows start inside "
				       "it: use one of them");
	if (from && lab_from_parse(from, &r->from))
		return PX_EXIT_USAGE;
	if (from && r->v6 && r->from.family == 4)
		return cli_usage_error("lab probe",
				       "--ipv6 with an IPv4 --from %s: drop "
				       "--ipv6, or give an IPv6 address",
				       r->from.text);
	r->v6 |= r->from.family == 6;
	if (optind >= argc)
		return cli_usage_error(
			"lab probe", "what to probe? e.g. "
				     "'portxdp lab probe 22/tcp 53/udp ping'");
	return -1;
}

static int lab_probe(int argc, char **argv)
{
	struct probe_run r = {.timeout = PROBE_DEFAULT_MS};
	struct probe probes[PROBE_MAX];
	struct px_filter a;
	int n = 0, ret, err;

	r.from.fd = -1;
	ret = parse_args(argc, argv, &r);
	if (ret >= 0)
		return ret;
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
	if (r.from.family && (err = lab_from_open(&r.from))) {
		px_error("lab probe: cannot write frames onto " LAB_IF_OUT
			 ": %s: is the lab still up? see 'portxdp lab down' "
			 "and 'portxdp lab up'",
			 strerror(-err));
		filter_close(&a);
		return PX_EXIT_FAIL;
	}
	if (table_load())
		px_debug("no port table: names from /etc/services only");
	one_at_a_time();
	source_zone(&a, &r);
	ret = run_all(&a, probes, &n, &r);
	lab_from_close(&r.from);
	filter_close(&a);
	if (ret != PX_EXIT_USAGE)
		print_probes(probes, n, &r);
	return ret;
}
