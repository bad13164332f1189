// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp log IF: a live stream of the packets the filter drops on IF,
 * read from the px_events ring buffer. The XDP program emits an event only
 * while a reader has switched the log on, and only as fast as the reader's
 * --rate allows (a token bucket inside the program, include/portxdp.h), so
 * a flood costs neither the fast path nor this reader; what the rate left
 * out is counted in the program and reported here once a second.
 *
 * The switch lives in px_log (the .data.px_log map, pinned as log_ctl),
 * mapped into this process: on, rate, the lease this reader renews every
 * second (so a reader killed with SIGKILL stops the events by itself), and
 * our pid (so a second reader is told who is reading).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "err.h"
#include "json.h"
#include "filter.h"
#include "log_line.h"
#include "log_pcap.h"
#include "maps.h"
#include "maps_zone.h"
#include "pins.h"
#include "portxdp.h"
#include "proto.h"
#include "text.h"

_Static_assert(sizeof(struct px_event) == 40 + PX_EVENT_SNAPLEN,
	       "px_event: 32 bytes of headers, then the frame");

static const struct px_opt opts[] = {
	PX_OPT("rate", 'r', "N",
	       "log at most N drops a second (default 100, 1-1000000)"),
	PX_OPT("count", 'c', "N", "exit after N events"),
	PX_OPT("json", 'j', NULL,
	       "one object per line: {\"time\", \"src\", \"sport\",\n"
	       "\"dport\", \"proto\", \"reason\"} (ports absent when the\n"
	       "packet has none), and {\"suppressed\": K, \"lost\": L}\n"
	       "for the drops left out"),
	PX_OPTF("syslog", 's', NULL,
		"send each line to syslog (the journal under systemd),\n"
		"facility daemon, ident portxdp, instead of stdout: a\n"
		"drop log kept without a terminal (portxdp-log@.service)",
		PX_OPT_LONG_ONLY),
	PX_OPT("pcap", 'w', "FILE",
	       "write the dropped frames as pcapng to FILE (- for\n"
	       "stdout) instead of lines: the first 128 bytes of\n"
	       "each, its time, and its reason and port as the\n"
	       "packet comment; for tcpdump -r, tshark -r, Wireshark"),
	{0},
};

const struct px_cmd px_cmd_log = {
	.name = "log",
	.run = cmd_log,
	.usage =
		"IF [--rate N] [--count N] [--json | --pcap FILE|- | --syslog]",
	.summary = "stream dropped packets, rate-limited",
	.opts = opts,
	.about =
		"Print the packets portxdp drops on IF as they are dropped, "
		"one "
		"line\n"
		"each, until Ctrl-C: time, interface, source address and "
		"port,\n"
		"destination address, port and protocol, and the reason "
		"(--syslog:\n"
		"the same lines to syslog, without the time):\n"
		"  closed-port   TCP or UDP to a closed port (or to port 0)\n"
		"  ping-closed   an ICMP/ICMPv6 echo request while ping is "
		"closed\n"
		"  malformed     a header cut short or out of bounds "
		"(doc/design.md, section 5); the\n"
		"                source shows as far as it could be read\n"
		"  fragment      a later IP fragment with 'option fragments "
		"drop'\n"
		"  blocked       from a source a 'block' line names\n"
		"and, when a zone's verdicts decided, 'zone NAME'.\n"
		"  banned        any packet from a banned source ('portxdp "
		"bans IF')\n"
		"A closed-port drop that got its source banned by the ban rule "
		"ends in\n"
		"'-> banned' (JSON: \"ban\": true); it is shown whatever the "
		"rate.\n"
		"\n"
		"The XDP program logs at most N drops a second (a token bucket "
		"with a\n"
		"burst of N) and counts the rest, so a flood slows neither the "
		"filter\n"
		"nor this reader; each second with drops left out adds a line\n"
		"'... K more dropped packets not shown'. Every drop is still "
		"counted in\n"
		"'portxdp stats IF'. While no log runs, the filter's cost for "
		"it is one\n"
		"untaken branch per packet. One reader per interface at a "
		"time.\n",
	.more = "Example: portxdp log eth0 --json | jq -r 'select(.reason) | "
		".src' | sort | uniq -c\n",
};

struct log_state {
	struct px_log_ctl *ctl;
	char ifname[TEXT_IFNAME_SAFE]; /* control bytes escaped */
	bool json;
	bool syslog; /* --syslog: lines to syslog, nothing on stdout */
	FILE *pcap;  /* --pcap: frames instead of lines */
	__s64 real_minus_mono_ns;
	unsigned long count, seen;
	__u64 start_ns; /* events older than this belong to an earlier reader */
	double real_minus_mono; /* seconds, CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct px_zoneset *zs;	/* the live zones when the log began */
};

/* The name of the zone that decided, or NULL. */
static const char *zone_name(const struct log_state *st, __u8 z)
{
	return z && st->zs && z <= st->zs->nzones && st->zs->zone[z].name[0]
		       ? st->zs->zone[z].name
		       : NULL;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * PX_NSEC + ts.tv_nsec;
}

/* The packet that made its source banned (doc/design.md, section 10). */
static const char *ban_mark(const struct px_event *e)
{
	return e->reason == PX_DROP_BAN_SCAN ? " -> banned" : "";
}

/* A line for people or syslog: "IF  FROM  ->  TO  REASON". */
static void print_line(const struct log_state *st, const struct px_event *e,
		       long long secs, int ms)
{
	char when[TEXT_TIME_LEN], from[LOG_ADDR_LEN], to[LOG_ADDR_LEN + 16];
	const char *zone = zone_name(st, e->zone);

	log_event_ends(e, from, to);
	if (st->syslog) { /* syslog stamps its own time */
		syslog(LOG_NOTICE, "%s  %-24s ->  %-28s %s%s%s%s", st->ifname,
		       from, to, log_reason_name(e->reason),
		       zone ? "  zone " : "", zone ? zone : "", ban_mark(e));
		return;
	}
	text_time_local(when, sizeof(when), secs, ms);
	printf("%s  %s  %-24s ->  %-28s %s%s%s%s\n", when, st->ifname, from, to,
	       log_reason_name(e->reason), zone ? "  zone " : "",
	       zone ? zone : "", ban_mark(e));
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct log_state *st = ctx;
	const struct px_event *e = data;
	char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN];
	const char *proto = px_ipproto_name(e->proto);
	long long secs;
	double t;
	int ms;

	if (size < sizeof(*e) || e->time_ns < st->start_ns)
		return 0;
	if (st->pcap) {
		if (log_pcap_event(st->pcap, e, st->real_minus_mono_ns,
				   log_reason_name(e->reason), proto))
			stop = 1; /* the reader of the pipe is gone */
		goto counted;
	}
	t = e->time_ns / 1e9 + st->real_minus_mono;
	secs = (long long)t;
	ms = (int)((t - (double)secs) * 1000) % 1000;

	if (st->json) {
		struct json j;

		if (e->family == 4)
			inet_ntop(AF_INET, e->saddr, src, sizeof(src));
		else if (e->family == 6)
			inet_ntop(AF_INET6, e->saddr, src, sizeof(src));
		json_init(&j, stdout);
		json_obj_open(&j);
		json_key_time(&j, "time", secs, ms);
		json_key_str(&j, "src", e->family ? src : NULL);
		json_key_str(&j, "dst",
			     log_event_dst(e, dst, sizeof(dst)) ? NULL : dst);
		if (log_has_ports(e)) {
			json_key_u64(&j, "sport", e->sport);
			json_key_u64(&j, "dport", e->dport);
		}
		json_key_str(&j, "proto", proto);
		json_key_str(&j, "reason", log_reason_name(e->reason));
		if (zone_name(st, e->zone))
			json_key_str(&j, "zone", zone_name(st, e->zone));
		if (e->reason == PX_DROP_BAN_SCAN)
			json_key_bool(&j, "ban", true);
		json_obj_close(&j);
		json_end(&j);
	} else {
		print_line(st, e, secs, ms);
	}
counted:
	st->seen++;
	if (st->count && st->seen >= st->count)
		stop = 1;
	return stop ? 1 : 0; /* a positive return ends the poll */
}

static void report_left_out(const struct log_state *st, __u64 sup, __u64 lost,
			    unsigned int rate)
{
	if (!sup && !lost)
		return;
	if (st->pcap) { /* stdout may be the capture */
		fprintf(stderr,
			"portxdp: %llu dropped packets not logged "
			"(--rate %u), %llu (ring buffer full)\n",
			(unsigned long long)sup, rate,
			(unsigned long long)lost);
		return;
	}
	if (st->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j);
		json_key_u64(&j, "suppressed", sup);
		json_key_u64(&j, "lost", lost);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	if (st->syslog) {
		syslog(LOG_NOTICE,
		       "%s  %llu more dropped packets not logged (--rate %u), "
		       "%llu (ring buffer full)",
		       st->ifname, (unsigned long long)sup, rate,
		       (unsigned long long)lost);
		return;
	}
	if (sup)
		printf("... %llu more dropped packets not shown (--rate %u)\n",
		       (unsigned long long)sup, rate);
	if (lost)
		printf("... %llu dropped packets not shown: the ring buffer "
		       "was full\n",
		       (unsigned long long)lost);
}

static struct px_log_ctl *map_ctl(int fd, const char *ifname)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	void *p;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.value_size < sizeof(struct px_log_ctl) ||
	    !(info.map_flags & BPF_F_MMAPABLE)) {
		px_error("the drop log switch of %s is not what this portxdp "
			 "expects: run 'portxdp attach %s --force' to reload "
			 "the filter",
			 ifname, ifname);
		return NULL;
	}
	p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		px_error("cannot map the drop log switch of %s: %s", ifname,
			 strerror(errno));
		return NULL;
	}
	return p;
}

/* The filter being read was detached, or its interface deleted. */
static bool filter_went(const struct px_filter *a)
{
	__u32 ifindex = 0;

	if (access(a->dir, F_OK)) {
		px_error("portxdp was detached from %s: nothing more to log",
			 a->ifname);
		return true;
	}
	/* A tc filter attached by clsact has no link: its pins alone say. */
	if (a->link_fd >= 0 &&
	    (xdp_link_info(a->link_fd, &ifindex, NULL, NULL) || !ifindex)) {
		px_error("the filter on %s is gone (its interface was "
			 "deleted): nothing more to log; 'portxdp detach "
			 "--stale' removes its pins",
			 a->ifname);
		return true;
	}
	return false;
}

/* Another live reader? Its lease runs and its pid exists. */
static bool other_reader(const struct px_log_ctl *c, __u64 now, pid_t *pid)
{
	*pid = (pid_t)__atomic_load_n(&c->reader_pid, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&c->on, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&c->lease_ns, __ATOMIC_ACQUIRE) > now &&
	       *pid > 0 && *pid != getpid() &&
	       (kill(*pid, 0) == 0 || errno == EPERM);
}

/* What the command line asked for. */
struct log_args {
	const char *ifname;
	const char *pcap_path;
	unsigned long rate;
};

/* Parse argv into args and st's options: PX_EXIT_OK to go on, or exit. */
static int parse_args(int argc, char **argv, struct log_args *args,
		      struct log_state *st)
{
	int c;

	args->rate = PX_LOG_RATE_DEFAULT;
	while ((c = cli_getopt(argc, argv, &px_cmd_log)) != -1) {
		switch (c) {
		case 'r':
			if (cli_parse_ulong(optarg, 1, PX_LOG_RATE_MAX,
					    &args->rate))
				return cli_usage_error(
					"log",
					"--rate wants events a second from 1 "
					"to %d, not '%s'",
					PX_LOG_RATE_MAX, optarg);
			break;
		case 'c':
			if (cli_parse_ulong(optarg, 1, ~0UL, &st->count))
				return cli_usage_error("log",
						       "--count wants a whole "
						       "number >= 1, not '%s'",
						       optarg);
			break;
		case 'j':
			st->json = true;
			break;
		case 'w':
			args->pcap_path = optarg;
			break;
		case 's':
			st->syslog = true;
			break;
		case 'h':
			return -1;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(
			"log", "which interface? e.g. 'portxdp log eth0'");
	if (optind + 1 < argc)
		return cli_usage_error("log",
				       "one interface only, got '%s' too",
				       argv[optind + 1]);
	args->ifname = argv[optind];
	if (st->json + !!args->pcap_path + st->syslog > 1)
		return cli_usage_error("log", "--json, --pcap and --syslog "
					      "exclude each other: pick one");
	if (!filter_ifname_ok("log", args->ifname))
		return PX_EXIT_USAGE;
	return PX_EXIT_OK;
}

/*
 * Under the pins lock (the caller's): open IF's filter and map its log
 * switch, refusing when another reader holds it. 0, or -1 after saying why.
 */
static int claim_log(const char *ifname, struct px_filter *a,
		     struct px_log_ctl **ctl)
{
	pid_t pid;

	if (filter_open(ifname, a, 0))
		return -1;
	if (a->events_fd < 0 || a->log_ctl_fd < 0) {
		px_error("%s has no drop log pins: it was attached by an "
			 "older portxdp; run 'portxdp attach %s --force' to "
			 "reload it (counters restart)",
			 ifname, ifname);
		return -1;
	}
	*ctl = map_ctl(a->log_ctl_fd, ifname);
	if (!*ctl)
		return -1;
	if (other_reader(*ctl, mono_ns(), &pid)) {
		px_error("'portxdp log' (pid %d) is already reading %s: one "
			 "reader at a time; stop it first",
			 (int)pid, ifname);
		return -1;
	}
	return 0;
}

/* Switch the log on at rate; everything is set before `on`, which the
 * program reads first. */
static void switch_on(struct px_log_ctl *ctl, unsigned long rate, __u64 now)
{
	ctl->rate = (__u32)rate;
	ctl->tokens = (__s64)rate * PX_NSEC;
	ctl->last_ns = now;
	ctl->reader_pid = (__u32)getpid();
	__atomic_store_n(&ctl->lease_ns, now + PX_LOG_LEASE_NS,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&ctl->on, 1, __ATOMIC_RELEASE);
}

/*
 * Read events until a signal, --count, or the filter goes; once a second
 * renew the lease and report what the rate left out. The exit status.
 */
static int read_loop(struct ring_buffer *rb, struct log_state *st,
		     const struct px_filter *a, unsigned long rate)
{
	struct px_log_ctl *ctl = st->ctl;
	__u64 sup0 = __atomic_load_n(&ctl->suppressed, __ATOMIC_RELAXED);
	__u64 lost0 = __atomic_load_n(&ctl->lost, __ATOMIC_RELAXED);
	__u64 next_tick = st->start_ns + PX_NSEC, now, sup, lost;
	int err;

	while (!stop) {
		err = ring_buffer__poll(rb, 200);
		if (err < 0 && err != -EINTR) {
			px_error("reading the drop log of %s failed: %s",
				 a->ifname, strerror(-err));
			return PX_EXIT_FAIL;
		}
		now = mono_ns();
		if (now < next_tick || stop)
			continue;
		next_tick = now + PX_NSEC;
		__atomic_store_n(&ctl->lease_ns, now + PX_LOG_LEASE_NS,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&ctl->on, 1, __ATOMIC_RELEASE);
		sup = __atomic_load_n(&ctl->suppressed, __ATOMIC_RELAXED);
		lost = __atomic_load_n(&ctl->lost, __ATOMIC_RELAXED);
		report_left_out(st, sup - sup0, lost - lost0,
				(unsigned int)rate);
		sup0 = sup;
		lost0 = lost;
		if (filter_went(a))
			return PX_EXIT_FAIL;
	}
	return PX_EXIT_OK;
}

/* The live zones, to name the one of each event. */
static struct px_zoneset *read_zones(const struct px_filter *a)
{
	struct px_zoneset *zs = zoneset_new();
	struct px_policy *pol = malloc(sizeof(*pol));
	struct px_zone_maps m;

	filter_zone_maps(a, &m);
	if (!zs || !pol || maps_read_policy(a->policy_fd, pol) ||
	    maps_read_zones(&m, pol, zs)) {
		zoneset_free(zs);
		zs = NULL;
	}
	free(pol);
	return zs;
}

int cmd_log(int argc, char **argv)
{
	struct log_state st = {0};
	struct log_args args = {0};
	struct ring_buffer *rb = NULL;
	struct sigaction sa = {.sa_handler = on_signal};
	struct px_log_ctl *ctl = NULL;
	int ret = PX_EXIT_FAIL, lock;
	struct timespec rt;
	struct px_filter a;

	ret = parse_args(argc, argv, &args, &st);
	if (ret != PX_EXIT_OK)
		return ret < 0 ? PX_EXIT_OK : ret;
	text_safe(st.ifname, sizeof(st.ifname), args.ifname);
	ret = PX_EXIT_FAIL;
	if (!cli_need_privileges("log"))
		return PX_EXIT_FAIL;

	/* Claim the switch under the pins lock: one reader at a time. */
	filter_init(&a, args.ifname);
	lock = pins_lock();
	if (lock < 0)
		return PX_EXIT_FAIL;
	if (claim_log(args.ifname, &a, &ctl))
		goto out;
	st.ctl = ctl;
	st.zs = read_zones(&a);
	st.start_ns = mono_ns();
	clock_gettime(CLOCK_REALTIME, &rt);
	st.real_minus_mono = rt.tv_sec + rt.tv_nsec / 1e9 - st.start_ns / 1e9;
	rb = ring_buffer__new(a.events_fd, on_event, &st, NULL);
	if (!rb) {
		px_error("cannot read the drop log of %s: %s", args.ifname,
			 strerror(errno));
		goto out;
	}
	if (args.pcap_path) {
		st.pcap = log_pcap_open(args.pcap_path, args.ifname);
		if (!st.pcap)
			goto out;
		st.real_minus_mono_ns = (__s64)rt.tv_sec * PX_NSEC +
					rt.tv_nsec - (__s64)st.start_ns;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	switch_on(ctl, args.rate, st.start_ns);
	pins_unlock(lock);
	lock = -1;
	if (st.syslog) {
		openlog("portxdp", LOG_PID, LOG_DAEMON);
		syslog(LOG_INFO, "logging drops on %s, at most %lu a second",
		       args.ifname, args.rate);
	}
	/* on stderr, with --json too: a script knows when it reads */
	fprintf(stderr,
		"portxdp: logging drops on %s, at most %lu a "
		"second; Ctrl-C to stop\n",
		args.ifname, args.rate);
	ret = read_loop(rb, &st, &a, args.rate);
	/* Off first, so the program stops emitting before we stop reading. */
	if ((pid_t)ctl->reader_pid == getpid()) {
		__atomic_store_n(&ctl->on, 0, __ATOMIC_RELEASE);
		ctl->reader_pid = 0;
		ctl->lease_ns = 0;
	}
out:
	if (st.pcap && log_pcap_close(st.pcap, args.pcap_path))
		ret = PX_EXIT_FAIL;
	ring_buffer__free(rb);
	if (ctl)
		munmap(ctl, sysconf(_SC_PAGESIZE));
	filter_close(&a);
	pins_unlock(lock);
	zoneset_free(st.zs);
	return ret;
}
