/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bans of an attached filter (doc/design.md, section 10): reading,
 * adding and lifting entries of its ban map (struct px_ban, keyed by
 * struct px_ban_key: include/portxdp.h), and keeping PX_F_BANS in the live
 * policy true to "a ban rule, or a ban": set while either exists, so a
 * policy without both costs nothing per packet. Callers hold the pins lock
 * and an open filter (filter.h); the map's fd is px_filter.bans_fd.
 */
#ifndef PX_BANS_H
#define PX_BANS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "filter.h"
#include "portxdp.h"

/* `ban` without --for and without a rule: an hour. */
#define BANS_DEFAULT_SECS 3600

struct ban_entry {
	struct px_ban_key src;
	struct px_ban ban;
	long long start;	 /* CLOCK_REALTIME seconds */
	unsigned long long left; /* seconds, rounded up */
};

/*
 * Every ban in force, oldest first, into a malloc'ed *out (*n entries);
 * bans found over are deleted. 0 or -errno.
 */
int bans_read(int bans_fd, struct ban_entry **out, size_t *n);

/*
 * Add to each of the n bans e (from bans_read) the drops f's ban cache
 * still holds for it (every CPU's slot of its source, filled for that
 * ban; an older portxdp's cache too), which the program adds to the
 * ban's own count only when it fills the slot again: what `bans` shows
 * as dropped. 0 or -errno.
 */
int bans_cached_drops(const struct px_filter *f, struct ban_entry *e, size_t n);

/*
 * Every drop the ban cache cache_fd counted (include/portxdp.h, "The ban
 * cache"), per CPU: cpu[c] for c below maps_ncpus(). The program counts
 * a banned source's drop there only, not in the totals map, so these are
 * the totals' banned (maps_read_totals adds them up). Each slot's count
 * only grows, so two readings never go down. 0 or -errno.
 */
int bans_cache_dropped(int cache_fd, __u64 *cpu);

/*
 * attach --force: the new totals map totals_fd starts at minus what the
 * carried ban cache cache_fd counted on each CPU, so the totals, which
 * add the cache's counts, start again at 0 as every other counter does.
 * Before the new program runs. 0 or -errno.
 */
int bans_totals_start(int cache_fd, int totals_fd);

/*
 * attach --force and apply's reload over a filter an older portxdp
 * attached, whose ban cache old_fd has the older slots (user/bans.c) and
 * so is not carried (filter_carry.c): the drops its slots hold that are
 * not yet in their ban's count go to the new cache new_fd, before the
 * new program runs, so `bans` still counts them. Nothing for a cache of
 * this build's layout. 0 or -errno.
 */
int bans_cache_carry(int old_fd, int new_fd);

/* Ban src for secs from now, whatever ban it had (the tests; commands
 * use bans_extend()). 0 or -errno. */
int bans_add(const struct px_filter *f, const struct px_ban_key *src,
	     unsigned long secs, enum px_ban_reason reason);

/*
 * What every command's ban goes through (`ban`, so fail2ban, and the
 * CrowdSec bouncer): ban src for secs from now, with who asked in words
 * (note, or NULL: none; bans_note()), unless its ban in force already
 * lasts as long or longer: a ban is never shortened, and the longer one
 * keeps its reason and note. 0, 1 when the ban in force stays (*left,
 * unless NULL, gets its seconds left, rounded up), or -errno.
 */
int bans_extend(const struct px_filter *f, const struct px_ban_key *src,
		unsigned long secs, enum px_ban_reason reason, const char *note,
		unsigned long long *left);

/* text as a ban's note: its first PX_BAN_NOTE_LEN - 1 bytes, anything
 * but printable ASCII as '_', NUL-padded (NULL: empty). */
void bans_note(char note[PX_BAN_NOTE_LEN], const char *text);

/* Why b bans, in the two words of doc/design.md section 10: scan (the
 * ban rule) or manual (a command: `ban`, fail2ban, the CrowdSec bouncer). */
const char *bans_reason(const struct px_ban *b);

/* Who asked, in words: the note (`ban --reason TEXT`, fail2ban:JAIL,
 * crowdsec:SCENARIO), "crowdsec" for a decision without one, else NULL. */
const char *bans_by(const struct px_ban *b);

/*
 * Whether the n sources srcs fit beside the bans in force (*in_force of
 * them; a source banned already takes no room): 0, -ENOSPC when they
 * would pass PX_BANS_MAX (the kernel would then push out a ban in force),
 * or -errno.
 */
int bans_room(int bans_fd, const struct px_ban_key *srcs, size_t n,
	      size_t *in_force);

/* Lift src's ban if reason made it: 0, -ENOENT when it had none (or
 * another reason's), or -errno. */
int bans_lift_reason(const struct px_filter *f, const struct px_ban_key *src,
		     enum px_ban_reason reason);

/*
 * Lift src's ban if who asked for it (its BY, bans_by()) is by, as
 * bans_note() keeps it: 0, -ENOENT when it had none, -EBUSY when the ban
 * in force was asked for by another or made by the scan rule (*b, unless
 * NULL, gets that ban), or -errno. fail2ban's unban: a ban it did not
 * make stays (doc/design.md, section 10).
 */
int bans_lift_by(const struct px_filter *f, const struct px_ban_key *src,
		 const char *by, struct px_ban *b);

/* Lift src's ban: 0, -ENOENT when it had none, or -errno. */
int bans_lift(const struct px_filter *f, const struct px_ban_key *src);

/* Lift every ban; *n gets how many there were. 0 or -errno. */
int bans_lift_all(const struct px_filter *f, size_t *n);

/*
 * After a write to f's ban map that adds or lifts a ban: bump the ban
 * cache's generation (include/portxdp.h, "The ban cache"), so every CPU's
 * slots filled before are stale and the next packet asks the map. The
 * writers above call it; a test that writes the map itself must too.
 * 0 or -errno.
 */
int bans_changed(const struct px_filter *f);

/* Whether the map holds any ban in force. */
bool bans_any(int bans_fd);

/*
 * For a policy about to be installed on f: set PX_F_BANS when it has a
 * ban rule or f has a ban, clear it otherwise.
 */
void bans_policy_flag(const struct px_filter *f, struct px_policy *pol);

/*
 * Make the live policy's PX_F_BANS true again after bans changed (the
 * policy swapped only when the bit changes). 0 or -errno (printed).
 */
int bans_sync_live(const struct px_filter *f);

/*
 * For the ban verbs: check privileges, take the pins lock and open IF's
 * filter with its ban map. The lock fd (>= 0, pins_unlock() it and
 * filter_close(f) after), or -1 (printed).
 */
int bans_open(const char *verb, const char *ifname, struct px_filter *f);

/* CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns. */
long long bans_real_minus_mono(void);

#endif
