// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The watcher behind --confirm (confirm.h): started by confirm_arm()
 * right after a change, it undoes the change at the deadline unless
 * `portxdp confirm IF` removed its record first.
 *
 * Why it survives the session that made the change: it is forked twice,
 * the middle process calls setsid() and exits, so the watcher has no
 * controlling terminal, is in no session or process group of the caller,
 * and is reparented to init; a hangup of the terminal or SSH connection
 * (SIGHUP to the session) and a kill of the caller's process group cannot
 * reach it, and it ignores SIGHUP anyway. It closes every descriptor it
 * inherited (the pins lock above all) and leaves the interface's network
 * namespace, so a namespace deleted meanwhile is not kept alive by it:
 * at the deadline it enters the namespace again by the pin folder's
 * inode, or, when that is gone, removes the record and the pins left.
 *
 * SIGUSR1 (from confirm) ends it quietly; SIGTERM (shutdown, a login
 * session being torn down) undoes the change at once: an unconfirmed
 * change does not outlive the watcher that was to judge it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "bans.h"
#include "confirm.h"
#include "err.h"
#include "filter.h"
#include "maps.h"
#include "netns.h"
#include "pins.h"
#include "text.h"

static volatile sig_atomic_t got_term, got_keep;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_keep = 1;
	else
		got_term = 1;
}

int confirm_undo(struct confirm_record *r)
{
	struct px_filter f;
	__u32 id = 0;
	int err;

	r->done_at = (__u64)time(NULL);
	r->state = CONFIRM_FAILED;
	if (confirm_link_id(r->dir, &id) || id != r->link_id) {
		r->state = CONFIRM_ROLLED_BACK;
		snprintf(r->result, sizeof(r->result),
			 "nothing to undo: the filter was detached or "
			 "replaced meanwhile");
		return -ENOLINK;
	}
	/* the same filter, through its owner: its egress side included */
	err = filter_open(r->ifname, &f, FILTER_QUIET | FILTER_ANY);
	if (!err && strcmp(f.dir, r->dir)) {
		filter_close(&f);
		err = -ESTALE;
	}
	if (err) {
		snprintf(r->result, sizeof(r->result),
			 "cannot open the filter (%s): see 'portxdp status %s'",
			 strerror(-err), r->ifname);
		return err;
	}
	if (r->kind == CONFIRM_ATTACH) {
		err = filter_detach(&f);
		if (err) {
			snprintf(r->result, sizeof(r->result),
				 "detaching failed (%s): run 'portxdp detach "
				 "%s'",
				 strerror(-err), r->ifname);
			return err;
		}
		snprintf(r->result, sizeof(r->result),
			 "portxdp was detached from %s", r->ifname);
	} else {
		/* bans made meanwhile (by hand, or by the rule being
		 * undone) stay enforced: PX_F_BANS as the bans are now */
		bans_policy_flag(&f, &r->prev);
		err = maps_install_policy(f.policy_fd, &r->prev);
		filter_close(&f);
		if (err) {
			snprintf(r->result, sizeof(r->result),
				 "putting the previous policy back failed "
				 "(%s): apply it by hand",
				 strerror(-err));
			return err;
		}
		snprintf(r->result, sizeof(r->result),
			 "the previous policy is back (%.120s)",
			 r->prev.source);
	}
	r->state = CONFIRM_ROLLED_BACK;
	return 0;
}

/*
 * Back into the network namespace of the filter's pins (r->dir is
 * PX_PIN_ROOT/net-INODE/IF), which the watcher left so as not to keep it
 * alive. 0, or -ENOENT when the namespace is gone: its filter went with it.
 */
static int enter_netns_of(const struct confirm_record *r)
{
	const char *p = strstr(r->dir, "/net-");
	unsigned long ino;

	if (!p || sscanf(p + 5, "%lu", &ino) != 1)
		return -EINVAL;
	return netns_enter_inode(ino);
}

/* Is path still the record this watcher was started for? */
static bool still_mine(const char *path, struct confirm_record *cur)
{
	return !confirm_read_path(path, cur) &&
	       cur->watcher_pid == (__s32)getpid() &&
	       cur->state == CONFIRM_PENDING;
}

static void quiet_process(int keep_fd)
{
	struct sigaction sa = {.sa_handler = on_signal};
	int null;

	if (keep_fd > 3)
		close_range(3, (unsigned int)keep_fd - 1, 0);
	close_range((unsigned int)keep_fd + 1, ~0U, 0);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (chdir("/")) {
		/* nothing depends on the folder */
	}
	umask(077);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	/* the caller holds signals back until this runs: not for the watcher */
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);
}

static void leave_netns(void)
{
	int fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (setns(fd, CLONE_NEWNET)) {
			/* staying is harmless: it only keeps the ns alive */
		}
		close(fd);
	}
}

/*
 * Whether the deadline is still ahead; *nap is how long to sleep before
 * looking again: at most a second, so a confirm is noticed soon, and no
 * more than what is left, so the undo comes on time.
 */
static bool until_deadline(const struct confirm_record *r, struct timespec *nap)
{
	struct timespec now;
	long long left_ns;

	clock_gettime(CLOCK_REALTIME, &now);
	left_ns = ((long long)r->deadline - now.tv_sec) * 1000000000LL -
		  now.tv_nsec;
	if (left_ns <= 0)
		return false;
	if (left_ns > 1000000000LL)
		left_ns = 1000000000LL;
	nap->tv_sec = left_ns / 1000000000LL;
	nap->tv_nsec = left_ns % 1000000000LL;
	return true;
}

static void __attribute__((noreturn))
watcher(struct confirm_record *r, const char *path, int ready_fd)
{
	struct confirm_record *cur = calloc(1, sizeof(*cur));
	struct timespec second;
	int err, lock;

	quiet_process(ready_fd);
	prctl(PR_SET_NAME, "portxdp-confirm");
	r->watcher_pid = getpid();
	r->watcher_start = confirm_proc_start(getpid());
	err = cur ? confirm_write_path(path, r) : -ENOMEM;
	/* A caller gone meanwhile (SIGKILL) cannot read this; the record is
	 * written, so the watch goes on without it. */
	if (write(ready_fd, &err, sizeof(err)) != sizeof(err)) {
		/* nobody to tell */
	}
	close(ready_fd);
	if (err)
		_exit(1);
	leave_netns();
	while (!got_term && !got_keep && until_deadline(r, &second)) {
		nanosleep(&second, NULL);
		if (!still_mine(path, cur))
			_exit(0); /* confirmed, or superseded */
	}
	if (got_keep)
		_exit(0);
	lock = pins_lock();
	if (lock >= 0 && still_mine(path, cur)) {
		err = enter_netns_of(cur);
		if (err) { /* nothing left to undo, nor to keep a record of */
			pins_remove_dir(cur->dir);
			unlink(path);
			pins_unlock(lock);
			_exit(0);
		}
		err = confirm_undo(cur);
		if (got_term && !err)
			strncat(cur->result,
				" (early: the watcher got SIGTERM)",
				sizeof(cur->result) - strlen(cur->result) - 1);
		/* a detached filter leaves nothing to tell */
		if (err == -ENOLINK)
			unlink(path);
		else
			confirm_write_path(path, cur);
		openlog("portxdp", LOG_PID, LOG_DAEMON);
		syslog(LOG_WARNING, "%s: '%s' was not confirmed: %s",
		       cur->ifname, cur->change, cur->result);
		closelog();
	}
	pins_unlock(lock);
	_exit(0);
}

/* Fork the watcher; 0 once it has written its record, or -errno. */
static int start_watcher(struct confirm_record *r, const char *path)
{
	int pfd[2], err = 0, status;
	pid_t pid, g;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (!pid) {
		close(pfd[0]);
		if (setsid() < 0)
			_exit(1);
		g = fork();
		if (g < 0) {
			err = -errno;
			if (write(pfd[1], &err, sizeof(err)) < 0)
				_exit(1);
		}
		if (g)
			_exit(0);
		watcher(r, path, pfd[1]);
	}
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = -ECHILD;
	close(pfd[0]);
	return err;
}

int confirm_arm(const struct confirm_change *c)
{
	struct confirm_record *r = calloc(1, sizeof(*r));
	char path[PATH_MAX], when[TEXT_TIME_LEN];
	struct timespec now;
	int err;

	if (!r)
		return -ENOMEM;
	r->magic = CONFIRM_MAGIC;
	r->kind = c->kind;
	r->state = CONFIRM_PENDING;
	r->secs = c->secs;
	clock_gettime(CLOCK_REALTIME, &now);
	r->made_at = (__u64)now.tv_sec;
	/* a whole second on the clock, never less than secs from now */
	r->deadline = r->made_at + c->secs + (now.tv_nsec ? 1 : 0);
	snprintf(r->ifname, sizeof(r->ifname), "%s", c->ifname);
	snprintf(r->dir, sizeof(r->dir), "%s", c->dir);
	snprintf(r->change, sizeof(r->change), "%s", c->change);
	if (c->prev)
		r->prev = *c->prev;
	err = confirm_link_id(c->dir, &r->link_id);
	if (!err)
		err = confirm_path(c->ifname, path, sizeof(path));
	if (!err)
		err = start_watcher(r, path);
	if (err) {
		confirm_undo(r);
		px_error("cannot start the watcher that undoes this change "
			 "unless confirmed (%s), so the change was undone: %s",
			 strerror(-err), r->result);
		free(r);
		return err;
	}
	text_time_local(when, sizeof(when), (long long)r->deadline, -1);
	printf("%s: run 'portxdp confirm %s' within %u s to keep this "
	       "change; otherwise it is undone at %s\n",
	       c->ifname, c->ifname, c->secs, when);
	free(r);
	return 0;
}
