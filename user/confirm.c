// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The confirmation record (confirm.h): where it lives, reading and writing
 * it whole, the --confirm value, the refusal while one is pending, and
 * what status shows. The watcher process is confirm_watch.c.
 *
 * A record is one file, CONFIRM_DIR/net-INODE.IFNAME (the network
 * namespace by inode, as the pin folders are named), written to a
 * temporary name and renamed, so a reader sees the old record or the new
 * one, never half. /run is cleared at boot, as are the pins: a record
 * never outlives the filter it is about.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "duration.h"
#include "confirm.h"
#include "err.h"
#include "filter.h"
#include "netns.h"
#include "text.h"
#include "xdp.h"

int confirm_parse_secs(const char *verb, const char *arg, unsigned int *secs)
{
	unsigned long v;

	if (duration_parse(arg, strlen(arg), CONFIRM_MAX_SECS, &v))
		return cli_usage_error(
			verb,
			"--confirm takes a time from 1s to 1d "
			"(%d seconds), not '%s': write " DURATION_FORMS,
			CONFIRM_MAX_SECS, arg);
	*secs = (unsigned int)v;
	return 0;
}

void confirm_hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, old);
}

void confirm_release_signals(const sigset_t *old)
{
	fflush(NULL); /* a closed stdout's SIGPIPE, before the mask goes */
	sigprocmask(SIG_SETMASK, old, NULL);
}

int confirm_path(const char *ifname, char *buf, size_t len)
{
	unsigned long ino;
	int err = netns_inode(&ino);

	if (err)
		return err;
	if ((size_t)snprintf(buf, len, CONFIRM_DIR "/net-%lu.%s", ino,
			     ifname) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int confirm_read_path(const char *path, struct confirm_record *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, r, sizeof(*r));
	close(fd);
	if (n != (ssize_t)sizeof(*r) || r->magic != CONFIRM_MAGIC)
		return -EINVAL;
	r->ifname[sizeof(r->ifname) - 1] = '\0';
	r->dir[sizeof(r->dir) - 1] = '\0';
	r->change[sizeof(r->change) - 1] = '\0';
	r->result[sizeof(r->result) - 1] = '\0';
	return 0;
}

int confirm_write_path(const char *path, const struct confirm_record *r)
{
	char tmp[PATH_MAX + 16];
	int fd, err = 0;

	if ((mkdir("/run/portxdp", 0700) && errno != EEXIST) ||
	    (mkdir(CONFIRM_DIR, 0700) && errno != EEXIST))
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, r, sizeof(*r)) != (ssize_t)sizeof(*r))
		err = errno ? -errno : -EIO;
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int confirm_read(const char *ifname, struct confirm_record *r)
{
	char path[PATH_MAX];
	int err = confirm_path(ifname, path, sizeof(path));

	if (err)
		return err;
	err = confirm_read_path(path, r);
	return err == -EINVAL ? -ENOENT : err;
}

int confirm_remove(const char *ifname)
{
	char path[PATH_MAX];
	int err = confirm_path(ifname, path, sizeof(path));

	if (err)
		return err;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

unsigned long long confirm_proc_start(int pid)
{
	char path[64], buf[1024], *p, *save = NULL;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field = 3;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the name in parentheses may hold spaces: count from the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (p = strtok_r(p + 1, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (field == 3 && *p == 'Z')
			break; /* a zombie watcher is a dead one */
		else if (field++ == 22) {
			start = strtoull(p, NULL, 10);
			break;
		}
	return start;
}

bool confirm_watcher_alive(const struct confirm_record *r)
{
	return r->watcher_pid > 0 && r->watcher_start &&
	       confirm_proc_start(r->watcher_pid) == r->watcher_start;
}

void confirm_release_watcher(const struct confirm_record *r)
{
	if (confirm_watcher_alive(r))
		kill(r->watcher_pid, SIGUSR1);
}

int confirm_link_id(const char *dir, __u32 *link_id)
{
	__u32 ifindex = 0;
	int err = filter_dir_link(dir, &ifindex, link_id);

	if (err)
		return err;
	return ifindex ? 0 : -ENOLINK;
}

/* A pending record whose filter was detached or replaced is history. */
static bool is_pending(const struct confirm_record *r)
{
	__u32 id = 0;

	return r->state == CONFIRM_PENDING && !confirm_link_id(r->dir, &id) &&
	       id == r->link_id;
}

int confirm_refuse_pending(const char *ifname)
{
	struct confirm_record *r = calloc(1, sizeof(*r));
	char when[TEXT_TIME_LEN];
	int err = 0;

	if (!r)
		return -ENOMEM;
	if (confirm_read(ifname, r))
		goto out;
	if (!is_pending(r)) {
		confirm_remove(ifname);
		goto out;
	}
	err = -EBUSY;
	px_error(
		"%s has a change made with --confirm waiting (%s, undone at "
		"%s%s): run 'portxdp confirm %s' to keep it first, or wait "
		"for it to be undone",
		ifname, r->change,
		text_time_local(when, sizeof(when), (long long)r->deadline, -1),
		confirm_watcher_alive(r) ? ""
					 : "; its watcher is gone, so it will "
					   "not be undone by itself",
		ifname);
out:
	free(r);
	return err;
}

static const char *state_word(const struct confirm_record *r)
{
	if (r->state == CONFIRM_ROLLED_BACK)
		return "rolled back";
	if (r->state == CONFIRM_FAILED)
		return "rollback failed";
	return confirm_watcher_alive(r) ? "pending" : "watcher gone";
}

void confirm_print_text(const char *ifname)
{
	struct confirm_record *r = calloc(1, sizeof(*r));
	char when[TEXT_TIME_LEN], done[TEXT_TIME_LEN];
	long left;

	if (!r || confirm_read(ifname, r)) {
		free(r);
		return;
	}
	text_time_local(when, sizeof(when), (long long)r->deadline, -1);
	left = (long)r->deadline - (long)time(NULL);
	if (r->state != CONFIRM_PENDING)
		text_line(stdout,
			  "  confirm    %s at %s: '%s' was not confirmed "
			  "within %u s; %s",
			  state_word(r),
			  text_time_local(done, sizeof(done),
					  (long long)r->done_at, -1),
			  r->change, r->secs, r->result);
	else if (!is_pending(r))
		; /* superseded: the next change removes it */
	else if (confirm_watcher_alive(r))
		text_line(stdout,
			  "  confirm    pending: '%s' is undone at %s (in %ld "
			  "s) unless 'portxdp confirm %s' runs first",
			  r->change, when, left > 0 ? left : 0, ifname);
	else
		text_line(stdout,
			  "  confirm    watcher gone: '%s' was to be undone at "
			  "%s, but its watcher (pid %d) was killed, so it will "
			  "not be undone by itself; 'portxdp confirm %s' keeps "
			  "it",
			  r->change, when, r->watcher_pid, ifname);
	free(r);
}

void confirm_print_json(struct json *j, const char *ifname)
{
	struct confirm_record *r = calloc(1, sizeof(*r));

	json_key(j, "confirm");
	if (!r || confirm_read(ifname, r) ||
	    (r->state == CONFIRM_PENDING && !is_pending(r))) {
		json_null(j);
		free(r);
		return;
	}
	json_obj_open(j);
	json_key_str(j, "state", state_word(r));
	json_key_str(j, "change", r->change);
	json_key_u64(j, "seconds", r->secs);
	json_key_time(j, "made_at", (long long)r->made_at, -1);
	json_key_time(j, "deadline", (long long)r->deadline, -1);
	if (r->state == CONFIRM_PENDING) {
		json_key_i64(j, "watcher_pid", r->watcher_pid);
		json_key_bool(j, "watcher_running", confirm_watcher_alive(r));
	} else {
		json_key_time(j, "done_at", (long long)r->done_at, -1);
		json_key_str(j, "result", r->result);
	}
	json_obj_close(j);
	free(r);
}
