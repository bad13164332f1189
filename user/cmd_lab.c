// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp lab up|probe|down: a rehearsal space for a policy. `up` makes the
 * network namespace portxdp-lab holding veth pxlab1, peered with pxlab0
 * here, and attaches portxdp to pxlab1 with the policy under test; `probe`
 * sends a TCP connect, a UDP datagram or a ping from pxlab0 to each port
 * asked and reads the verdict from the filter's own counters (a counter that
 * moved, never a timeout guess); `down` removes all of it and is safe to
 * run any number of times.
 *
 * Addresses: 198.51.100.0/30 (TEST-NET-2) and 2001:db8:ff::/64, not
 * 192.0.2.0/24: many hosts and CI machines use TEST-NET-1 for their own
 * network, and a second route to it would cut them off. The e2e tests take
 * /30s from 198.51.100.4 upwards, so the lab's .0/30 never meets them.
 *
 * Links and the namespace are made with iproute2's `ip`, as an
 * administrator would by hand; the filter is attached and detached by this
 * binary's own attach code, run in a child that entered the namespace.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "err.h"
#include "json.h"
#include "maps.h"
#include "netns.h"
#include "filter.h"
#include "pins.h"
#include "policy.h"
#include "table.h"
#include "xdp.h"

#define LAB_NS "portxdp-lab"
#define LAB_IF_OUT "pxlab0"
#define LAB_IF_IN "pxlab1"
#define LAB_ADDR_OUT "198.51.100.1"
#define LAB_ADDR_IN "198.51.100.2"
#define LAB_ADDR6_OUT "2001:db8:ff::1"
#define LAB_ADDR6_IN "2001:db8:ff::2"
#define LAB_NETNS_PATH "/var/run/netns/" LAB_NS

#define PROBE_MAX 64
#define PROBE_DEFAULT_MS 1000

static int lab_up(int argc, char **argv);
static int lab_probe(int argc, char **argv);
static int lab_down(int argc, char **argv);

static const struct px_opt up_opts[] = {
	PX_OPT("policy", 'p', "FILE",
	       "the policy to rehearse (default: the shipped\n"
	       "default.policy)"),
	PX_OPT("mode", 'm', "MODE",
	       "XDP mode, as for attach: auto, native or generic"),
	{0},
};

static const struct px_opt probe_opts[] = {
	PX_OPT("ipv6", '6', NULL,
	       "probe " LAB_ADDR6_IN " instead of " LAB_ADDR_IN),
	PX_OPT("timeout", 't', "MS",
	       "wait this long for the counters to move (default\n"
	       "1000); a probe that never reaches the filter is\n"
	       "reported as 'no-verdict' and the exit status is 1"),
	PX_OPT("json", 'j', NULL,
	       "one JSON object: {\"address\":..., \"probes\": [...]}"),
	{0},
};

static const struct px_cmd lab_up_cmd = {
	.name = "up",
	.run = lab_up,
	.usage = "[--policy FILE] [--mode auto|native|generic]",
	.summary = "make a veth pair and a namespace with the filter on it",
	.opts = up_opts,
	.about = "'lab up' makes network namespace " LAB_NS
		 " with veth " LAB_IF_IN " inside it,\n"
		 "peered with " LAB_IF_OUT
		 " here, and attaches portxdp to " LAB_IF_IN " with FILE\n"
		 "(default: the shipped default.policy):\n"
		 "  " LAB_IF_OUT "  " LAB_ADDR_OUT "/30  " LAB_ADDR6_OUT
		 "/64   (this namespace, sends probes)\n"
		 "  " LAB_IF_IN "  " LAB_ADDR_IN "/30  " LAB_ADDR6_IN
		 "/64   (in " LAB_NS ", filtered)\n"
		 "The addresses come from 198.51.100.0/24 (TEST-NET-2), not "
		 "192.0.2.0/24:\n"
		 "many hosts use TEST-NET-1 for their own network. It refuses "
		 "when a lab\n"
		 "is already up, and removes what it made when a step fails.\n",
	.parent = &px_cmd_lab,
};

static const struct px_cmd lab_probe_cmd = {
	.name = "probe",
	.run = lab_probe,
	.usage = "SPEC... [--ipv6] [--timeout MS] [--json]",
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
		"at once.\n",
	.parent = &px_cmd_lab,
};

static const struct px_cmd lab_down_cmd = {
	.name = "down",
	.run = lab_down,
	.summary = "remove the lab: filter, namespace, veth pair, pins",
	.about =
		"'lab down' detaches the filter and removes the namespace, the "
		"veth pair\n"
		"and the pins; it does nothing when there is nothing to "
		"remove.\n",
	.parent = &px_cmd_lab,
};

static const struct px_cmd *const lab_subs[] = {
	&lab_up_cmd,
	&lab_probe_cmd,
	&lab_down_cmd,
	NULL,
};

const struct px_cmd px_cmd_lab = {
	.name = "lab",
	.run = cmd_lab,
	.usage = "up|probe|down ...",
	.summary = "rehearse a policy on a veth pair in a namespace",
	.about = "Rehearse a policy before trusting it on a real interface.\n",
	.more = "While the lab is up, every verb works on it with "
		"--netns " LAB_NS ":\n"
		"  portxdp --netns " LAB_NS " stats " LAB_IF_IN "\n"
		"  portxdp --netns " LAB_NS " apply " LAB_IF_IN
		" other.policy\n"
		"  portxdp --netns " LAB_NS " log " LAB_IF_IN "\n"
		"\n"
		"Example:\n"
		"  portxdp lab up --policy web-server.policy\n"
		"  portxdp lab probe ssh 80,443/tcp 3306/tcp ping\n"
		"  portxdp lab down\n"
		"\n"
		"Needs root and iproute2 ('ip').\n",
	.subs = lab_subs,
};

/* --- running things ----------------------------------------------------- */

/*
 * Run `ip ARGS...`; its own messages go to stderr unless quiet. Returns its
 * exit status, or -errno when it could not be run.
 */
static int run_ip(bool quiet, const char *const args[])
{
	const char *argv[16] = {"ip"};
	int n = 1, status;
	pid_t pid;

	while (args[n - 1] && n < 15) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	if (px_verbose) {
		fprintf(stderr, "portxdp: debug: ");
		for (int i = 0; argv[i]; i++)
			fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
		fputc('\n', stderr);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
			}
		}
		execvp("ip", (char *const *)argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		if (!quiet)
			px_error("'ip' was not found: install iproute2 "
				 "(apt-get install iproute2)");
		return 127;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/*
 * Run fn in a child that entered the lab's namespace (keeping this mount
 * namespace, so the pins stay visible). Returns fn's result, or -1 when
 * the namespace cannot be entered.
 */
static int in_lab(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int ret = 1;

		if (!netns_enter(LAB_NS)) {
			px_netns_name = LAB_NS;
			ret = fn(arg);
		}
		fflush(NULL);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* --- down ----------------------------------------------------------------- */

/* In the namespace: detach pxlab1's filter and remove its pins, quietly. */
static int detach_in_lab(void *arg)
{
	struct px_filter f;
	int lock;

	(void)arg;
	if (!path_exists(PX_PIN_ROOT))
		return 0;
	lock = pins_lock();
	if (lock < 0)
		return 1;
	filter_tidy(LAB_IF_IN);
	/* incomplete pins (an attach that died half-way) go too */
	if (!filter_open(LAB_IF_IN, &f, FILTER_ANY | FILTER_QUIET))
		filter_detach(&f);
	else if (!pins_dir(LAB_IF_IN, f.dir, sizeof(f.dir)) &&
		 path_exists(f.dir))
		pins_remove_dir(f.dir);
	pins_unlock(lock);
	return 0;
}

static int sweep_one(const struct filter_entry *e, void *ctx)
{
	(void)ctx;
	if (e->stale && !strcmp(e->ifname, LAB_IF_IN)) {
		px_debug("removing stale lab pins %s", e->dir);
		filter_remove_stale(e);
	}
	return 0;
}

/*
 * Pins of a lab whose namespace vanished without 'lab down' (deleted by
 * hand, or a crash): their filter is gone. Remove every stale LAB_IF_IN.
 */
static void sweep_stale_pins(void)
{
	int lock;

	if (!path_exists(PX_PIN_ROOT))
		return;
	lock = pins_lock();
	if (lock < 0)
		return;
	filter_walk(sweep_one, NULL);
	pins_unlock(lock);
}

/* Remove whatever of the lab exists. Returns true when something did. */
static bool lab_teardown(void)
{
	bool had_ns = path_exists(LAB_NETNS_PATH);
	bool had_if = if_nametoindex(LAB_IF_OUT) != 0;

	if (had_ns)
		in_lab(detach_in_lab, NULL);
	if (had_if)
		run_ip(true, (const char *[]){"link", "del", LAB_IF_OUT, NULL});
	if (had_ns)
		run_ip(true, (const char *[]){"netns", "del", LAB_NS, NULL});
	sweep_stale_pins();
	return had_ns || had_if;
}

static int lab_down(int argc, char **argv)
{
	int c;

	while ((c = cli_getopt(argc, argv, &lab_down_cmd)) != -1)
		return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	if (optind != argc)
		return cli_usage_error("lab down",
				       "'lab down' takes no arguments");
	if (!cli_need_privileges("lab down"))
		return PX_EXIT_FAIL;
	if (!lab_teardown()) {
		printf("the lab was not up; nothing to remove\n");
		return PX_EXIT_OK;
	}
	if (path_exists(LAB_NETNS_PATH) || if_nametoindex(LAB_IF_OUT)) {
		px_error("could not remove the lab completely: remove it by "
			 "hand with 'ip netns del " LAB_NS
			 "' and 'ip link del " LAB_IF_OUT "'");
		return PX_EXIT_FAIL;
	}
	printf("lab down: namespace " LAB_NS ", veth " LAB_IF_OUT "/" LAB_IF_IN
	       " and the filter's pins removed\n");
	return PX_EXIT_OK;
}

/* --- up ---------------------------------------------------------------------
 */

struct attach_args {
	const char *policy;
	enum px_xdp_mode mode;
};

/* In the namespace: the policy is read there (its ephemeral range is the
 * lab's), then attached the way 'portxdp attach' attaches. */
static int attach_in_lab(void *arg)
{
	const struct attach_args *aa = arg;
	/* force: the lab's own veth never carries this command's ssh */
	struct filter_attach_opts fo = {
		.ifname = LAB_IF_IN, .mode = aa->mode, .force = true};
	struct policy_report rep;
	struct px_policy *pol = calloc(1, sizeof(*pol));
	int err = -ENOMEM;

	if (pol)
		err = policy_load_file(aa->policy, pol, &rep, stderr);
	if (!err) {
		fo.policy = pol;
		err = filter_attach(&fo);
	}
	if (!err)
		printf("portxdp attached to " LAB_IF_IN
		       " (%s mode), policy %s\n",
		       xdp_mode_name(fo.mode), pol->source);
	free(pol);
	return err ? PX_EXIT_FAIL : PX_EXIT_OK;
}

/*
 * A test hook: PORTXDP_LAB_FAIL=N makes 'lab up' fail after its Nth step,
 * so the tests can prove that a half-made lab is removed.
 */
static bool fault_after(int step)
{
	const char *s = getenv("PORTXDP_LAB_FAIL");

	return s && atoi(s) == step;
}

static int lab_up(int argc, char **argv)
{
	const char *const steps[][12] = {
		{"netns", "add", LAB_NS},
		{"link", "add", LAB_IF_OUT, "type", "veth", "peer", "name",
		 LAB_IF_IN, "netns", LAB_NS},
		{"addr", "add", LAB_ADDR_OUT "/30", "dev", LAB_IF_OUT},
		{"-6", "addr", "add", LAB_ADDR6_OUT "/64", "dev", LAB_IF_OUT,
		 "nodad"},
		{"link", "set", LAB_IF_OUT, "up"},
		{"-n", LAB_NS, "addr", "add", LAB_ADDR_IN "/30", "dev",
		 LAB_IF_IN},
		{"-n", LAB_NS, "-6", "addr", "add", LAB_ADDR6_IN "/64", "dev",
		 LAB_IF_IN, "nodad"},
		{"-n", LAB_NS, "link", "set", LAB_IF_IN, "up"},
		{"-n", LAB_NS, "link", "set", "lo", "up"},
	};
	const int nsteps = sizeof(steps) / sizeof(steps[0]);
	struct attach_args aa = {0};
	const char *mode_arg = "auto";
	char default_path[PATH_MAX];
	struct policy_report rep;
	struct px_policy *pol;
	sigset_t block, old;
	int c, err, i;

	while ((c = cli_getopt(argc, argv, &lab_up_cmd)) != -1) {
		switch (c) {
		case 'p':
			aa.policy = optarg;
			break;
		case 'm':
			mode_arg = optarg;
			break;
		case 'h':
			return PX_EXIT_OK;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("lab up",
				       "unexpected '%s' (the policy "
				       "goes after --policy)",
				       argv[optind]);
	if (xdp_parse_mode(mode_arg, &aa.mode))
		return cli_usage_error("lab up",
				       "unknown --mode '%s', expected "
				       "auto, native or generic",
				       mode_arg);
	if (!aa.policy) {
		if (px_default_policy(default_path, sizeof(default_path))) {
			px_error("the shipped default policy was not found: "
				 "give one with --policy FILE (or set "
				 "PORTXDP_DATADIR)");
			return PX_EXIT_FAIL;
		}
		aa.policy = default_path;
	}
	/* A bad policy is found before anything is made. */
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return PX_EXIT_FAIL;
	err = policy_load_file(aa.policy, pol, &rep, stderr);
	free(pol);
	if (err) {
		if (err == -EINVAL)
			px_error("%s has errors: the lab was not made; see "
				 "'portxdp check %s'",
				 aa.policy, aa.policy);
		return err == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
	}
	if (!cli_need_privileges("lab up") || filter_bpf_permitted("lab up"))
		return PX_EXIT_FAIL;
	if (path_exists(LAB_NETNS_PATH) || if_nametoindex(LAB_IF_OUT)) {
		px_error("the lab is already up (namespace " LAB_NS
			 " or veth " LAB_IF_OUT
			 " exists): run 'portxdp lab down' first");
		return PX_EXIT_FAIL;
	}
	if (filter_bpffs_ready("lab up", LAB_IF_IN))
		return PX_EXIT_FAIL;

	/* Ctrl-C waits until the lab is whole or removed again. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);

	for (i = 0; i < nsteps; i++) {
		if (run_ip(false, steps[i]) || fault_after(i + 1)) {
			px_error("lab up: step %d ('ip %s %s %s ...') failed: "
				 "removed what was made",
				 i + 1, steps[i][0], steps[i][1], steps[i][2]);
			goto fail;
		}
	}
	if (in_lab(attach_in_lab, &aa) != PX_EXIT_OK ||
	    fault_after(nsteps + 1)) {
		px_error("lab up: attaching portxdp to " LAB_IF_IN
			 " failed: removed what was made");
		goto fail;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("lab up: " LAB_IF_OUT " " LAB_ADDR_OUT " " LAB_ADDR6_OUT
	       " (here) -> " LAB_IF_IN " " LAB_ADDR_IN " " LAB_ADDR6_IN
	       " (namespace " LAB_NS ", filtered)\n"
	       "next: 'portxdp lab probe ssh 80/tcp ping', "
	       "'portxdp --netns " LAB_NS " stats " LAB_IF_IN "', "
	       "'portxdp lab down'\n");
	return PX_EXIT_OK;
fail:
	lab_teardown();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return PX_EXIT_FAIL;
}

/* --- probe ---------------------------------------------------------------- */

#define PROBE_PING (-1) /* proto of a ping probe */

struct probe {
	int proto; /* PX_TCP, PX_UDP or PROBE_PING */
	unsigned int port;
	const char *result;
};

/* The lab filter's counters, opened from inside the namespace. */
static int open_lab_pins(struct px_filter *a)
{
	int self, err = -ENOENT;

	filter_init(a, LAB_IF_IN);
	if (!path_exists(LAB_NETNS_PATH))
		return -ENOENT;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (!netns_enter(LAB_NS)) {
		err = filter_open(LAB_IF_IN, a, FILTER_QUIET);
		if (setns(self, CLONE_NEWNET) < 0) {
			err = -errno; /* before px_error's stdio can change it
				       */
			px_error("cannot return to this network namespace: %s",
				 strerror(-err));
			filter_close(a);
		}
	}
	close(self);
	return err;
}

/* One counter: dropped + passed of a (proto, port), or ping's from the totals.
 */
static int read_counter(const struct px_filter *a, const struct probe *p,
			__u64 *dropped, __u64 *passed)
{
	struct px_port_counter v;
	struct px_totals t;
	int err;

	if (p->proto == PROBE_PING) {
		err = maps_read_totals(a->totals_fd, &t);
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

static void print_probes(const struct probe *pr, int n, bool v6, bool json)
{
	char label[16];
	struct json j;

	if (json) {
		json_init(&j, stdout);
		json_obj_open(&j);
		json_key_str(&j, "address", v6 ? LAB_ADDR6_IN : LAB_ADDR_IN);
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
	bool v6 = false, json = false;
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
	if (open_lab_pins(&a)) {
		px_error("the lab is not up (no portxdp on " LAB_IF_IN
			 " in namespace " LAB_NS "): run 'portxdp lab up'");
		return PX_EXIT_FAIL;
	}
	if (table_load())
		px_debug("no port table: names from /etc/services only");
	for (int i = 0; i < n; i++) {
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
	print_probes(probes, n, v6, json);
	if (ret && !err)
		px_error("some probes never reached the filter in %d ms: "
			 "is " LAB_IF_OUT " up? see 'ip link show " LAB_IF_OUT
			 "', or raise --timeout",
			 timeout);
	return ret;
}

/* --- dispatch ---------------------------------------------------------------
 */

int cmd_lab(int argc, char **argv)
{
	static char *const full[] = {"lab up", "lab probe", "lab down"};

	if (argc < 2)
		return cli_usage_error("lab",
				       "say 'lab up', 'lab probe SPEC...' "
				       "or 'lab down'");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_help(stdout, &px_cmd_lab);
		return PX_EXIT_OK;
	}
	if (px_netns_name)
		return cli_usage_error("lab", "the lab makes its own namespace "
					      "(" LAB_NS "): drop --netns");
	for (unsigned int i = 0; lab_subs[i]; i++) {
		if (!strcmp(argv[1], lab_subs[i]->name)) {
			argv[1] = full[i]; /* "lab up" in its messages */
			return lab_subs[i]->run(argc - 1, argv + 1);
		}
	}
	return cli_usage_error("lab",
			       "unknown lab command '%s': up, probe or "
			       "down",
			       argv[1]);
}
