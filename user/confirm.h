/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Changes on probation (`--confirm SECS`, doc/design.md section 11): a
 * change made with --confirm is undone by itself unless `portxdp confirm
 * IF` keeps it within SECS, even when the shell or SSH session that made
 * it is gone.
 *
 * The undo does not depend on that session: a watcher process, forked
 * twice and in a session of its own, deaf to SIGHUP and outside the
 * interface's network namespace, sleeps until the deadline and then puts
 * the previous policy back (or detaches, after attach). Its state, a
 * record holding the previous policy, the deadline, the filter's link id
 * and the watcher's pid, is a file under CONFIRM_DIR that every later
 * command reads: confirm removes it, status shows it, a change refuses
 * while it is pending. SIGTERM makes the watcher undo the change at once
 * (shutdown, a session scope being stopped); SIGKILL leaves the record
 * with a dead watcher, which status reports.
 */
#ifndef PX_CONFIRM_H
#define PX_CONFIRM_H

#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "json.h"
#include "portxdp.h"

#define CONFIRM_DIR "/run/portxdp/confirm"
#define CONFIRM_MAX_SECS 86400

enum confirm_kind {
	CONFIRM_POLICY = 1, /* apply, open, close: undo puts prev back */
	CONFIRM_ATTACH = 2, /* attach: undo detaches */
};

enum confirm_state {
	CONFIRM_PENDING = 1,
	CONFIRM_ROLLED_BACK = 2,
	CONFIRM_FAILED = 3, /* the undo was tried and failed: see result */
};

struct confirm_record {
	__u32 magic;
	__u32 kind;
	__u32 state;
	__s32 watcher_pid;
	__u64 watcher_start; /* /proc/PID/stat starttime: pid reuse guard */
	__u32 link_id;	     /* the filter the change was made on */
	__u32 secs;
	__u64 made_at, deadline, done_at; /* CLOCK_REALTIME seconds */
	char ifname[IF_NAMESIZE];
	char dir[PATH_MAX]; /* the filter's pin folder */
	char change[PX_SOURCE_LEN];
	char result[192];      /* what the undo did, or why it failed */
	struct px_policy prev; /* CONFIRM_POLICY: the policy to put back */
};

/*
 * The value of --confirm: a duration (duration.h: 120, 2m, 1h30m) from
 * 1 to CONFIRM_MAX_SECS seconds.
 * 0 or PX_EXIT_USAGE (printed with verb's usage).
 */
int confirm_parse_secs(const char *verb, const char *arg, unsigned int *secs);

/*
 * Under the pins lock, before a change to ifname: refuse (-EBUSY, printed,
 * naming 'portxdp confirm IF') while a change made with --confirm is
 * pending on it. Records of finished or superseded confirmations are
 * removed. 0 when the change may go ahead.
 */
int confirm_refuse_pending(const char *ifname);

/* What confirm_arm() needs; prev for CONFIRM_POLICY only. */
struct confirm_change {
	const char *ifname;
	const char *dir; /* the filter's pin folder */
	enum confirm_kind kind;
	unsigned int secs;
	const char *change; /* "applied FILE", "open 8080/tcp", "attached" */
	const struct px_policy *prev;
};

/*
 * Under the pins lock, right after the change was made: write the record
 * and start the watcher, then print when the change will be undone. When
 * that fails, the change is undone now. 0 or -errno (printed).
 */
int confirm_arm(const struct confirm_change *c);

/*
 * Hold back SIGHUP, SIGINT, SIGQUIT, SIGTERM and SIGPIPE (old gets the mask
 * to restore) from just before a change made with --confirm until its
 * watcher runs, then confirm_release_signals(): a hangup, Ctrl-C or a
 * closed stdout in between would otherwise end the command with the
 * change made and nothing to undo it. One held back ends the command
 * once released, as it would have.
 */
void confirm_hold_signals(sigset_t *old);
void confirm_release_signals(const sigset_t *old);

/* The record of ifname in the current network namespace. 0 or -ENOENT. */
int confirm_read(const char *ifname, struct confirm_record *r);
int confirm_remove(const char *ifname);

/* Whether the record's watcher still runs (same pid, same start time). */
bool confirm_watcher_alive(const struct confirm_record *r);

/* Tell a pending record's watcher that the change is kept. */
void confirm_release_watcher(const struct confirm_record *r);

/*
 * Put the state before r's change back now: the previous policy, or
 * detach after attach. Under the pins lock. Fills r->state, r->result.
 * Returns 0, -ENOLINK when the filter is gone or replaced (nothing to
 * undo), or -errno when the undo failed.
 */
int confirm_undo(struct confirm_record *r);

/* Shared by confirm*.c and cmd_confirm.c. */
#define CONFIRM_MAGIC 0x70786331U /* "pxc1" */
int confirm_path(const char *ifname, char *buf, size_t len);
int confirm_read_path(const char *path, struct confirm_record *r);
int confirm_write_path(const char *path, const struct confirm_record *r);
/* The id of the link pinned in dir; -ENOLINK when it runs nowhere. */
int confirm_link_id(const char *dir, __u32 *link_id);
/* /proc/PID/stat's start time (field 22), or 0. */
unsigned long long confirm_proc_start(int pid);

/* status: lines about ifname's confirmation (nothing when none). */
void confirm_print_text(const char *ifname);
/* status --json: "confirm": {...} or null. */
void confirm_print_json(struct json *j, const char *ifname);

#endif
