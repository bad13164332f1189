// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp follow IF FILE: apply FILE to IF's filter now and again whenever
 * it changes, through apply's own code path (apply.h), until SIGINT or
 * SIGTERM, which end it and leave the filter as it is.
 *
 * What "changes" means: inotify on FILE's folder, not on FILE, because
 * the ways a file is replaced in practice do not touch the old inode:
 * editors and `mv` rename a new file over it, and a Kubernetes ConfigMap
 * volume swaps a symlink: FILE -> ..data/FILE, and the kubelet renames a
 * new ..data_tmp -> ..2026_xxx over ..data. Any event in the folder starts
 * a short wait for quiet (a write often comes in several pieces), then
 * FILE is read and applied if its bytes differ from the last version
 * read. A version with errors is refused with one line and the live
 * policy stays; a later good version is applied. The counters are never
 * touched (apply swaps the policy map only).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apply.h"
#include "cli.h"
#include "err.h"
#include "text.h"

#define FOLLOW_QUIET_MS 150
#define FOLLOW_MAX_BYTES (4 << 20)

static const struct px_opt opts[] = {
	PX_OPT("force", 'f', NULL,
	       "apply even a FILE that closes the port of the SSH\n"
	       "session this command runs over (SSH_CONNECTION's\n"
	       "server port)"),
	{0},
};

const struct px_cmd px_cmd_follow = {
	.name = "follow",
	.run = cmd_follow,
	.usage = "IF FILE [--force]",
	.summary = "apply FILE now and whenever it changes (ConfigMaps too)",
	.opts = opts,
	.about =
		"Apply FILE to the portxdp filter on IF now, as 'portxdp "
		"apply' "
		"does,\n"
		"and again each time FILE changes: written in place, replaced "
		"by a\n"
		"rename, or swapped by a Kubernetes ConfigMap volume (the "
		"..data\n"
		"symlink). Runs until SIGINT or SIGTERM, which leave the "
		"filter "
		"and its\n"
		"live policy as they are. Each change prints apply's line; a "
		"version\n"
		"with errors is refused with one line and the last good policy "
		"stays\n"
		"live (see the errors with 'portxdp check FILE'). The counters "
		"keep\n"
		"running. The filter must be attached first ('portxdp attach "
		"IF').\n",
	.more = "Exit status: 0 stopped by a signal, 1 IF has no portxdp "
		"filter "
		"when\n"
		"follow starts, or FILE's folder cannot be watched, 2 bad "
		"usage.\n",
};

struct follow {
	const char *ifname, *file;
	bool force;
	char *last; /* the bytes of the last version read, or NULL */
	size_t last_len;
	bool missing; /* said once that FILE is gone */
};

/* FILE's bytes into *buf (malloc'd). 0 or -errno. */
static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, n = 0;
	char *b;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap || cap >= FOLLOW_MAX_BYTES)
			break;
		cap *= 2;
		char *nb = realloc(b, cap);

		if (!nb)
			free(b);
		b = nb;
	}
	fclose(f);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*len = n;
	return 0;
}

/*
 * Apply FILE if it differs from the last version read. first: at start,
 * when a missing filter is the caller's error. Returns the exit status
 * of the apply, or PX_EXIT_OK when there was nothing to do.
 */
static int sync_file(struct follow *fw, bool first)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *quiet;
	int err, ret;

	err = read_all(fw->file, &buf, &len);
	if (err || !buf) {
		if (!fw->missing)
			px_warn("cannot read %s (%s): the live policy of %s "
				"stays; waiting for the file",
				fw->file, strerror(-err), fw->ifname);
		fw->missing = true;
		return first ? PX_EXIT_FAIL : PX_EXIT_OK;
	}
	fw->missing = false;
	if (fw->last && len == fw->last_len && !memcmp(buf, fw->last, len)) {
		free(buf);
		return PX_EXIT_OK;
	}
	free(fw->last);
	fw->last = buf;
	fw->last_len = len;
	/* The file's own errors are 'portxdp check's to show: one line here. */
	quiet = fopen("/dev/null", "w");
	ret = apply_file(fw->ifname, fw->file, fw->force, 0,
			 quiet ? quiet : stderr);
	if (quiet)
		fclose(quiet);
	fflush(stdout);
	return ret;
}

/* Copy FILE's folder into dir. */
static void folder_of(const char *file, char *dir, size_t len)
{
	const char *slash = strrchr(file, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == file)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - file), file);
}

/* Read every pending inotify event; then wait for FOLLOW_QUIET_MS of quiet. */
static void drain(int in_fd)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = {.fd = in_fd, .events = POLLIN};

	do {
		while (read(in_fd, buf, sizeof(buf)) > 0)
			;
	} while (poll(&p, 1, FOLLOW_QUIET_MS) > 0);
}

static int watch_loop(struct follow *fw, int in_fd, int sig_fd)
{
	struct pollfd p[2] = {{.fd = in_fd, .events = POLLIN},
			      {.fd = sig_fd, .events = POLLIN}};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			px_error("waiting for changes of %s failed: %s",
				 fw->file, strerror(errno));
			return PX_EXIT_FAIL;
		}
		if (p[1].revents)
			return PX_EXIT_OK; /* SIGINT or SIGTERM */
		if (p[0].revents) {
			drain(in_fd);
			sync_file(fw, false);
		}
	}
}

static int parse_opts(int argc, char **argv, struct follow *fw)
{
	int c;

	while ((c = cli_getopt(argc, argv, &px_cmd_follow)) != -1) {
		switch (c) {
		case 'f':
			fw->force = true;
			break;
		case 'h':
			return -1;
		default:
			return PX_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("follow",
				       "follow needs an interface and a policy "
				       "file, e.g. 'portxdp follow eth0 "
				       "/etc/portxdp/eth0.policy'");
	fw->ifname = argv[optind];
	fw->file = argv[optind + 1];
	return 0;
}

int cmd_follow(int argc, char **argv)
{
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
			      IN_CREATE | IN_DELETE | IN_ATTRIB;
	struct follow fw = {0};
	char dir[PATH_MAX];
	int ret, in_fd, sig_fd;
	sigset_t set;

	ret = parse_opts(argc, argv, &fw);
	if (ret || !fw.file)
		return ret < 0 ? PX_EXIT_OK : PX_EXIT_USAGE;
	if (!cli_need_privileges("follow"))
		return PX_EXIT_FAIL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	folder_of(fw.file, dir, sizeof(dir));
	/* Watch before the first read, so no change slips in between. */
	in_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sig_fd < 0 || in_fd < 0 ||
	    inotify_add_watch(in_fd, dir, mask) < 0) {
		px_error("cannot watch %s for changes: %s", dir,
			 strerror(errno));
		ret = PX_EXIT_FAIL;
		goto out;
	}
	ret = sync_file(&fw, true);
	if (ret == PX_EXIT_FAIL)
		goto out; /* not attached, or FILE unreadable at start */
	text_line(stderr,
		  "portxdp: following %s for %s; SIGTERM or Ctrl-C to stop",
		  fw.file, fw.ifname);
	ret = watch_loop(&fw, in_fd, sig_fd);
out:
	free(fw.last);
	if (in_fd >= 0)
		close(in_fd);
	if (sig_fd >= 0)
		close(sig_fd);
	return ret;
}
