// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lab's network (lab.h): the namespace and veth pair made with `ip`,
 * entered by a child for work that must run inside, and removed again,
 * pins of a vanished lab included.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "lab.h"
#include "netns.h"
#include "pins.h"

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
int lab_in(int (*fn)(void *), void *arg)
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
bool lab_teardown(void)
{
	bool had_ns = path_exists(LAB_NETNS_PATH);
	bool had_if = if_nametoindex(LAB_IF_OUT) != 0;

	if (had_ns)
		lab_in(detach_in_lab, NULL);
	if (had_if)
		run_ip(true, (const char *[]){"link", "del", LAB_IF_OUT, NULL});
	if (had_ns)
		run_ip(true, (const char *[]){"netns", "del", LAB_NS, NULL});
	sweep_stale_pins();
	return had_ns || had_if;
}

bool lab_exists(void)
{
	return path_exists(LAB_NETNS_PATH) || if_nametoindex(LAB_IF_OUT);
}

/* --- up --------------------------------------------------------------- */

static const char *const lab_steps[][12] = {
	{"netns", "add", LAB_NS},
	{"link", "add", LAB_IF_OUT, "type", "veth", "peer", "name", LAB_IF_IN,
	 "netns", LAB_NS},
	{"addr", "add", LAB_ADDR_OUT "/30", "dev", LAB_IF_OUT},
	{"-6", "addr", "add", LAB_ADDR6_OUT "/64", "dev", LAB_IF_OUT, "nodad"},
	{"link", "set", LAB_IF_OUT, "up"},
	{"-n", LAB_NS, "addr", "add", LAB_ADDR_IN "/30", "dev", LAB_IF_IN},
	{"-n", LAB_NS, "-6", "addr", "add", LAB_ADDR6_IN "/64", "dev",
	 LAB_IF_IN, "nodad"},
	{"-n", LAB_NS, "link", "set", LAB_IF_IN, "up"},
	{"-n", LAB_NS, "link", "set", "lo", "up"},
};

int lab_nsteps(void)
{
	return sizeof(lab_steps) / sizeof(lab_steps[0]);
}

bool lab_fault_after(int step)
{
	const char *s = getenv("PORTXDP_LAB_FAIL");

	return s && atoi(s) == step;
}

int lab_make(void)
{
	for (int i = 0; i < lab_nsteps(); i++) {
		if (run_ip(false, lab_steps[i]) || lab_fault_after(i + 1)) {
			px_error("lab up: step %d ('ip %s %s %s ...') failed: "
				 "removed what was made",
				 i + 1, lab_steps[i][0], lab_steps[i][1],
				 lab_steps[i][2]);
			return -1;
		}
	}
	return 0;
}

/* --- the filter, from outside ------------------------------------------ */

int lab_peer_mac(unsigned char mac[6])
{
	struct ifreq ifr = {0};
	int self, fd, err = 0;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (netns_enter(LAB_NS)) {
		close(self);
		return -ENOENT;
	}
	/* a socket belongs to the namespace it was made in */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (setns(self, CLONE_NEWNET) < 0)
		err = -errno;
	close(self);
	if (fd < 0)
		return err ? err : -EIO;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", LAB_IF_IN);
	if (!err && ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	close(fd);
	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

/* The lab filter's counters, opened from inside the namespace. */
int lab_open_filter(struct px_filter *a)
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
