// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp crowdsec IF --api URL --key-file FILE [--interval SECS]: a
 * CrowdSec bouncer. It follows the local API's decision stream (GET
 * /v1/decisions/stream, ?startup=true first, with the bouncer's key in
 * X-Api-Key), bans each ban decision's sources (scope Ip or Range) for the
 * decision's time left with reason crowdsec, and lifts them when the
 * decision is deleted. Bans it made stay when it stops: they are decisions
 * with durations. A startup list also lifts the crowdsec bans it no longer
 * holds (deleted while no bouncer listened). One bouncer per interface.
 * doc/design.md, section 10.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "bans.h"
#include "cli.h"
#include "crowdsec.h"
#include "crowdsec_http.h"
#include "duration.h"
#include "err.h"
#include "filter.h"
#include "netns.h"
#include "pins.h"
#include "source.h"

#define CS_INTERVAL 10
#define CS_INTERVAL_MAX 3600
#define CS_LINES_MAX 50 /* more changes in one answer: one line for all */
#define CS_LOCK_DIR "/run/portxdp"

static const struct px_opt opts[] = {
	PX_OPT("api", 'a', "URL",
	       "the CrowdSec local API, e.g. http://127.0.0.1:8080/\n"
	       "(crowdsec's api.server.listen_uri)"),
	PX_OPT("key-file", 'k', "FILE",
	       "the file holding the bouncer's key, as printed by\n"
	       "'cscli bouncers add NAME -o raw'"),
	PX_OPT("interval", 'i', "SECS",
	       "ask for new decisions every SECS seconds\n"
	       "(1 to 3600; default 10)"),
	{0},
};

const struct px_cmd px_cmd_crowdsec = {
	.name = "crowdsec",
	.run = cmd_crowdsec,
	.usage = "IF --api URL --key-file FILE [--interval SECS]",
	.summary = "ban on IF what CrowdSec decides (a bouncer)",
	.opts = opts,
	.about =
		"Follow the decisions of a CrowdSec local API and ban on IF "
		"the sources\n"
		"of each ban decision (scope Ip; scope Range up to an IPv4 /24 "
		"or an\n"
		"IPv6 /56) for the decision's time left, as 'portxdp ban' "
		"does, with\n"
		"reason crowdsec; a deleted decision lifts them. Other "
		"decisions\n"
		"(captcha, scope Country) are counted as skipped. Runs until "
		"SIGINT or\n"
		"SIGTERM; the bans stay, each until its decision's time ends. "
		"When the\n"
		"API goes away it says so once and asks again every SECS. The "
		"filter\n"
		"must be attached first. One bouncer per interface.\n",
	.more = "Example: cscli bouncers add portxdp-eth0 -o raw > "
		"/etc/portxdp/crowdsec.key\n"
		"         portxdp crowdsec eth0 --api http://127.0.0.1:8080/ "
		"--key-file /etc/portxdp/crowdsec.key\n"
		"Exit status: 0 stopped by a signal, 1 IF has no filter, the "
		"API cannot\n"
		"be reached at start or refuses the key, 2 bad usage.\n",
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct bouncer {
	const char *ifname, *api;
	unsigned long interval;
	struct cs_http http;
	bool first; /* no answer read yet: trouble is fatal */
	bool startup, down;
	char last_why[768]; /* the trouble last said */
};

/* The key: the file's first line, blanks around it trimmed. */
static int read_key(const char *path, char *key, size_t size)
{
	struct stat st;
	ssize_t n;
	int fd;
	char *p;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		px_error("cannot read the key file %s: %s: write the bouncer's "
			 "key there ('cscli bouncers add NAME -o raw > %s')",
			 path, fd < 0 ? strerror(errno) : "not a regular file",
			 path);
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	n = read(fd, key, size - 1);
	close(fd);
	if (n < 0) {
		px_error("cannot read the key file %s: %s: check its "
			 "permissions",
			 path, strerror(errno));
		return -EINVAL;
	}
	key[n] = '\0';
	p = key + strspn(key, " \t\r\n");
	memmove(key, p, strlen(p) + 1);
	key[strcspn(key, "\r\n")] = '\0';
	for (n = (ssize_t)strlen(key); n > 0 && strchr(" \t", key[n - 1]); n--)
		key[n - 1] = '\0';
	return 0;
}

/*
 * One bouncer per interface (and namespace): an flock held for life on
 * path, removed at exit by its holder. A lock taken on a file its holder
 * has just removed is taken again on the new one.
 */
static int single(const char *ifname, char *path, size_t size)
{
	struct stat a, b;
	unsigned long ino = 0;
	int fd, tries;

	if ((mkdir(CS_LOCK_DIR, 0700) && errno != EEXIST) ||
	    netns_inode(&ino)) {
		px_error("cannot create %s: %s", CS_LOCK_DIR, strerror(errno));
		return -1;
	}
	snprintf(path, size, CS_LOCK_DIR "/crowdsec.net-%lu.%s.lock", ino,
		 ifname);
	for (tries = 0; tries < 10; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			px_error("cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			px_error("another 'portxdp crowdsec' follows %s "
				 "already: "
				 "one bouncer per interface (stop the other "
				 "first)",
				 ifname);
			close(fd);
			return -1;
		}
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	px_error("cannot take the lock %s: it keeps being removed", path);
	return -1;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(&((const struct cs_change *)a)->src,
		      &((const struct cs_change *)b)->src,
		      sizeof(struct px_ban_key));
}

/* After a startup list: lift the crowdsec bans it does not hold. */
static size_t reconcile(const struct px_filter *f, struct cs_stream *s)
{
	struct ban_entry *e;
	struct cs_change k;
	size_t n = 0, lifted = 0;

	if (bans_read(f->bans_fd, &e, &n))
		return 0;
	qsort(s->bans, s->nbans, sizeof(*s->bans), by_key);
	for (size_t i = 0; i < n; i++) {
		k.src = e[i].src;
		if (e[i].ban.reason == PX_BAN_CROWDSEC &&
		    !bsearch(&k, s->bans, s->nbans, sizeof(*s->bans), by_key) &&
		    !bans_lift(f, &e[i].src))
			lifted++;
	}
	free(e);
	return lifted;
}

static void say_changes(const struct bouncer *b, const struct cs_stream *s)
{
	char src[SOURCE_LEN], d[32];
	size_t i;

	if (s->nbans + s->nunbans > CS_LINES_MAX) {
		printf("%s: crowdsec: %zu sources banned, %zu unbanned\n",
		       b->ifname, s->nbans, s->nunbans);
		return;
	}
	for (i = 0; i < s->nunbans; i++)
		printf("%s: crowdsec: unbanned %s\n", b->ifname,
		       source_format(src, sizeof(src), &s->unbans[i].src));
	for (i = 0; i < s->nbans; i++)
		printf("%s: crowdsec: banned %s for %s\n", b->ifname,
		       source_format(src, sizeof(src), &s->bans[i].src),
		       duration_format(d, sizeof(d), s->bans[i].secs));
}

static void say_skipped(const struct bouncer *b, const struct cs_stream *s)
{
	size_t n = s->not_ban + s->other_scope + s->wide_range + s->malformed;

	if (!n)
		return;
	printf("%s: crowdsec: skipped %zu decision%s portxdp cannot enforce "
	       "(%zu not bans, %zu of another scope than Ip or Range, %zu "
	       "ranges wider than an IPv4 /24 or IPv6 /56, %zu unreadable; "
	       "e.g. '%s')\n",
	       b->ifname, n, n == 1 ? "" : "s", s->not_ban, s->other_scope,
	       s->wide_range, s->malformed, s->example);
}

/* Apply one answer under the pins lock. 0, or -1 (printed): stop. */
static int apply(struct bouncer *b, struct cs_stream *s)
{
	struct px_filter f;
	size_t i, lifted = 0;
	int lock, err = 0;

	lock = bans_open("crowdsec", b->ifname, &f);
	if (lock < 0)
		return -1;
	for (i = 0; i < s->nunbans; i++)
		bans_lift_reason(&f, &s->unbans[i].src, PX_BAN_CROWDSEC);
	for (i = 0; i < s->nbans && !err; i++)
		err = bans_extend(&f, &s->bans[i].src, s->bans[i].secs,
				  PX_BAN_CROWDSEC, s->bans[i].note, NULL);
	if (err < 0)
		px_error("cannot ban on %s: %s", b->ifname, strerror(-err));
	if (err >= 0 && b->startup)
		lifted = reconcile(&f, s);
	if (bans_sync_live(&f))
		err = -EIO;
	filter_close(&f);
	pins_unlock(lock);
	if (err < 0)
		return -1;
	if (s->nbans > PX_BANS_MAX)
		px_warn("%zu sources to ban on %s, more than the %d a filter "
			"holds: the bans whose sources sent nothing for the "
			"longest go first",
			s->nbans, b->ifname, PX_BANS_MAX);
	if (b->startup)
		printf("%s: following the CrowdSec local API at %s every "
		       "%lus: %zu decision%s, %zu sources banned, %zu crowdsec "
		       "bans it no longer holds lifted\n",
		       b->ifname, b->api, b->interval, s->decisions,
		       s->decisions == 1 ? "" : "s", s->nbans, lifted);
	say_changes(b, s);
	say_skipped(b, s);
	return 0;
}

/* A poll that failed: fatal before the first answer, else said once. */
static int trouble(struct bouncer *b, const char *why)
{
	if (b->first) {
		px_error("%s", why);
		return -1;
	}
	/* said once, and again only when the trouble changes */
	if (!b->down || strcmp(b->last_why, why))
		px_warn("%s; asking again every %lus", why, b->interval);
	snprintf(b->last_why, sizeof(b->last_why), "%s", why);
	b->down = true;
	b->startup = true; /* what was missed comes with the whole list */
	return 0;
}

/* One GET and its bans. 0, or -1: stop with exit 1. */
static int poll_once(struct bouncer *b)
{
	char why[768], what[600];
	sigset_t mask, old;
	struct cs_stream s;
	int err;

	err = cs_http_get(&b->http, b->startup, why, sizeof(why));
	if (err == -EINTR)
		return 0;
	if (err == -EACCES) {
		px_error("%s", why);
		return -1;
	}
	if (err)
		return trouble(b, why);
	err = cs_stream_parse(b->http.body, b->http.len, &s, what,
			      sizeof(what));
	if (err) {
		snprintf(why, sizeof(why),
			 "the answer of %s is not a CrowdSec decision stream: "
			 "%s: is --api a CrowdSec local API?",
			 b->api, what);
		cs_stream_free(&s);
		return trouble(b, why);
	}
	if (!b->startup && !s.nbans && !s.nunbans) {
		say_skipped(b, &s); /* nothing to change: no lock taken */
		cs_stream_free(&s);
		goto answered;
	}
	/* the bans of one answer go in whole: a signal waits for them (and
	 * does not cut the wait for the pins lock short) */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	err = apply(b, &s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	cs_stream_free(&s);
	if (err)
		return -1;
answered:
	if (b->down)
		printf("%s: the CrowdSec local API at %s answers again\n",
		       b->ifname, b->api);
	b->first = b->down = b->startup = false;
	return 0;
}

static void wait_interval(unsigned long secs)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};

	for (unsigned long i = 0; i < secs * 10 && !stop; i++)
		nanosleep(&ts, NULL);
}

static int follow(struct bouncer *b)
{
	struct sigaction sa = {.sa_handler = on_signal};
	int err = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	b->first = b->startup = true;
	while (!stop && !err) {
		err = poll_once(b);
		if (!err)
			wait_interval(b->interval);
	}
	if (!err)
		printf("%s: stopped following CrowdSec; its bans stay until "
		       "their decisions end\n",
		       b->ifname);
	return err ? PX_EXIT_FAIL : PX_EXIT_OK;
}

/* Checks before following: the key, the API's form, the filter, the lock. */
static int start(struct bouncer *b, const char *keyfile)
{
	char key[4096], why[768], path[128];
	struct px_filter f;
	int lock, ret;

	if (read_key(keyfile, key, sizeof(key)))
		return PX_EXIT_FAIL;
	ret = cs_http_init(&b->http, b->api, key, keyfile, &stop, why,
			   sizeof(why));
	explicit_bzero(key, sizeof(key));
	if (ret) {
		px_error("%s", why);
		return ret == -EINVAL ? PX_EXIT_USAGE : PX_EXIT_FAIL;
	}
	lock = bans_open("crowdsec", b->ifname, &f);
	if (lock < 0)
		return PX_EXIT_FAIL;
	filter_close(&f);
	pins_unlock(lock);
	lock = single(b->ifname, path, sizeof(path));
	if (lock < 0)
		return PX_EXIT_FAIL;
	ret = follow(b);
	unlink(path);
	close(lock);
	return ret;
}

int cmd_crowdsec(int argc, char **argv)
{
	struct bouncer b = {.interval = CS_INTERVAL};
	const char *keyfile = NULL;
	int c, ret;

	while ((c = cli_getopt(argc, argv, &px_cmd_crowdsec)) != -1) {
		if (c == 'a')
			b.api = optarg;
		else if (c == 'k')
			keyfile = optarg;
		else if (c == 'i') {
			if (cli_parse_ulong(optarg, 1, CS_INTERVAL_MAX,
					    &b.interval))
				return cli_usage_error(
					"crowdsec",
					"--interval '%s' is not a number of "
					"seconds from 1 to %d",
					optarg, CS_INTERVAL_MAX);
		} else
			return c == 'h' ? PX_EXIT_OK : PX_EXIT_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage_error("crowdsec",
				       argc - optind ? "crowdsec takes one "
						       "interface"
						     : "crowdsec needs an "
						       "interface");
	if (!b.api || !keyfile)
		return cli_usage_error(
			"crowdsec", "crowdsec needs --api URL and --key-file "
				    "FILE");
	b.ifname = argv[optind];
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		px_error("cannot initialise libcurl");
		return PX_EXIT_FAIL;
	}
	ret = start(&b, keyfile);
	cs_http_free(&b.http);
	curl_global_cleanup();
	return ret;
}
