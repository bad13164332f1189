// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ban map of an attached filter, and PX_F_BANS kept true to it. See
 * bans.h; the program's side is bpf/bans.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bans.h"
#include "cli.h"
#include "err.h"
#include "maps.h"
#include "pins.h"

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * PX_NSEC + (__u64)ts.tv_nsec;
}

long long bans_real_minus_mono(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (r.tv_sec - m.tv_sec) * PX_NSEC + (r.tv_nsec - m.tv_nsec);
}

static int by_start(const void *a, const void *b)
{
	const struct ban_entry *x = a, *y = b;

	return x->ban.start_ns < y->ban.start_ns   ? -1
	       : x->ban.start_ns > y->ban.start_ns ? 1
						   : 0;
}

static int by_key(const void *a, const void *b)
{
	const struct ban_entry *x = a, *y = b;

	return memcmp(&x->src, &y->src, sizeof(x->src));
}

/* Grow *out to hold one more. */
static int grow(struct ban_entry **out, size_t n, size_t *cap)
{
	struct ban_entry *p;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(*out, *cap * sizeof(**out));
	if (!p)
		return -ENOMEM;
	*out = p;
	return 0;
}

int bans_read(int bans_fd, struct ban_entry **out, size_t *n)
{
	long long off = bans_real_minus_mono();
	struct px_ban_key key, next, *prev = NULL;
	__u64 now = mono_ns();
	size_t cap = 0, kept = 0;
	struct px_ban b;

	*out = NULL;
	*n = 0;
	/* Bans over are deleted after the walk: deleting the key the walk
	 * stands on would start it again from the first key. */
	while (!bpf_map_get_next_key(bans_fd, prev, &next)) {
		key = next;
		prev = &key;
		memset(&b, 0, sizeof(b)); /* a map of an older, shorter ban */
		if (bpf_map_lookup_elem(bans_fd, &key, &b))
			continue; /* gone meanwhile */
		if (grow(out, *n, &cap)) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
		(*out)[*n] = (struct ban_entry){
			.src = key,
			.ban = b,
			.start = (long long)((b.start_ns + off) / PX_NSEC),
			.left = (b.expires_ns - now + PX_NSEC - 1) / PX_NSEC,
		};
		(*n)++;
	}
	/* A key the program deleted meanwhile restarts the walk too: each
	 * source once. */
	if (*n)
		qsort(*out, *n, sizeof(**out), by_key);
	for (size_t i = 0; i < *n; i++) {
		if (kept && !by_key(&(*out)[kept - 1], &(*out)[i]))
			continue;
		if ((*out)[i].ban.expires_ns <= now)
			bpf_map_delete_elem(bans_fd, &(*out)[i].src);
		else
			(*out)[kept++] = (*out)[i];
	}
	*n = kept;
	if (*n)
		qsort(*out, *n, sizeof(**out), by_start);
	return 0;
}

/*
 * The ban cache's slot as an older portxdp wrote it: dropped held only
 * the drops not yet in their ban's count (its program counted every
 * banned drop in the totals map as well). A filter that portxdp attached
 * runs on after an upgrade.
 */
struct px_ban_slot_v1 {
	__u64 addr, gen, until, ban_id;
	__u32 family, dropped;
};

/* The size of a slot of ban cache fd: this build's, or the older one's;
 * 0 for none or another layout. */
static __u32 cache_slot_size(int fd)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.max_entries != PX_BAN_CACHE_SLOTS)
		return 0;
	return info.value_size == sizeof(struct px_ban_slot) ||
			       info.value_size == sizeof(struct px_ban_slot_v1)
		       ? info.value_size
		       : 0;
}

/* Is fd a ban cache of this build's layout? An older one counts no
 * totals (its program counted them in the totals map). */
static bool cache_ours(int fd)
{
	return cache_slot_size(fd) == sizeof(struct px_ban_slot);
}

/* Slot i of ban cache fd, whose slots are size bytes, on every CPU, into
 * v[] as this build's slots: an older slot's drops are all not yet in a
 * ban (flushed 0). old: room for ncpus older slots. 0 or -errno. */
static int slot_read(int fd, __u32 size, __u32 i, struct px_ban_slot *v,
		     struct px_ban_slot_v1 *old, int ncpus)
{
	if (bpf_map_lookup_elem(fd, &i, size == sizeof(*v) ? (void *)v : old))
		return -errno;
	for (int c = 0; size != sizeof(*v) && c < ncpus; c++)
		v[c] = (struct px_ban_slot){.addr = old[c].addr,
					    .gen = old[c].gen,
					    .until = old[c].until,
					    .ban_id = old[c].ban_id,
					    .dropped = old[c].dropped,
					    .family = old[c].family};
	return 0;
}

int bans_cached_drops(const struct px_filter *f, struct ban_entry *e, size_t n)
{
	__u32 size = cache_slot_size(f->ban_cache_fd), i;
	int ncpus = maps_ncpus();
	struct px_ban_slot_v1 *old;
	struct px_ban_slot *v;
	__u64 addr;
	int err;

	if (!n || !size)
		return 0;
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	old = calloc((size_t)ncpus, sizeof(*old));
	err = v && old ? 0 : -ENOMEM;
	for (size_t j = 0; !err && j < n; j++) {
		memcpy(&addr, e[j].src.addr, sizeof(addr));
		i = px_ban_slot_of(addr);
		if (slot_read(f->ban_cache_fd, size, i, v, old, ncpus))
			continue;
		for (int c = 0; c < ncpus; c++)
			if (v[c].addr == addr &&
			    v[c].family == e[j].src.family &&
			    v[c].ban_id == PX_BAN_ID(&e[j].ban))
				e[j].ban.dropped += v[c].dropped - v[c].flushed;
	}
	free(old);
	free(v);
	return err;
}

int bans_cache_carry(int old_fd, int new_fd)
{
	int ncpus = maps_ncpus(), err = 0;
	struct px_ban_slot_v1 *old;
	struct px_ban_slot *v;
	bool any;

	if (cache_slot_size(old_fd) != sizeof(*old) || !cache_ours(new_fd))
		return 0;
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	old = calloc((size_t)ncpus, sizeof(*old));
	if (!v || !old)
		err = -ENOMEM;
	for (__u32 i = 0; !err && i < PX_BAN_CACHE_SLOTS; i++) {
		err = slot_read(old_fd, sizeof(*old), i, v, old, ncpus);
		any = false;
		for (int c = 0; !err && c < ncpus; c++) {
			/* not in the ban yet, nor in the new totals (the
			 * older program counted them in its totals map); the
			 * slot answers no packet: the next fills it again */
			v[c].flushed = -v[c].dropped;
			v[c].dropped = 0;
			v[c].until = 0;
			any |= v[c].flushed != 0;
		}
		if (!err && any && bpf_map_update_elem(new_fd, &i, v, BPF_ANY))
			err = -errno;
	}
	free(old);
	free(v);
	return err;
}

int bans_cache_dropped(int cache_fd, __u64 *cpu)
{
	int ncpus = maps_ncpus();
	struct px_ban_slot *v;
	__u32 i;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	memset(cpu, 0, (size_t)ncpus * sizeof(*cpu));
	if (!cache_ours(cache_fd))
		return 0;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < PX_BAN_CACHE_SLOTS; i++) {
		if (bpf_map_lookup_elem(cache_fd, &i, v)) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpus; c++)
			cpu[c] += v[c].dropped;
	}
	free(v);
	return 0;
}

int bans_totals_start(int cache_fd, int totals_fd)
{
	int ncpus = maps_ncpus(), err;
	struct px_totals *t;
	__u64 *cpu;
	__u32 zero = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	cpu = calloc((size_t)ncpus, sizeof(*cpu));
	t = calloc((size_t)ncpus, sizeof(*t));
	err = cpu && t ? bans_cache_dropped(cache_fd, cpu) : -ENOMEM;
	for (int c = 0; !err && c < ncpus; c++) {
		t[c].banned = -cpu[c]; /* unsigned: the sums wrap to it */
		t[c].dropped = -cpu[c];
	}
	if (!err && bpf_map_update_elem(totals_fd, &zero, t, BPF_ANY))
		err = -errno;
	free(cpu);
	free(t);
	return err;
}

int bans_room(int bans_fd, const struct px_ban_key *srcs, size_t n,
	      size_t *in_force)
{
	struct ban_entry *e;
	struct px_ban b;
	size_t more = 0;
	int err = bans_read(bans_fd, &e, in_force);

	if (err)
		return err;
	free(e);
	for (size_t i = 0; i < n; i++)
		more += bpf_map_lookup_elem(bans_fd, &srcs[i], &b) != 0;
	return *in_force + more <= PX_BANS_MAX ? 0 : -ENOSPC;
}

void bans_note(char note[PX_BAN_NOTE_LEN], const char *text)
{
	size_t i;

	for (i = 0; text && text[i] && i < PX_BAN_NOTE_LEN - 1; i++)
		note[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '_';
	memset(note + i, 0, PX_BAN_NOTE_LEN - i);
}

int bans_changed(const struct px_filter *f)
{
	__u64 *gen;

	if (f->ban_gen_fd < 0)
		return 0; /* a program without the cache */
	gen = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
		   MAP_SHARED, f->ban_gen_fd, 0);
	if (gen == MAP_FAILED)
		return -errno;
	__atomic_add_fetch(gen, 1, __ATOMIC_SEQ_CST);
	munmap(gen, sysconf(_SC_PAGESIZE));
	return 0;
}

/* Ban src for secs from now, whatever ban it had. 0 or -errno. */
static int bans_put(const struct px_filter *f, const struct px_ban_key *src,
		    unsigned long secs, enum px_ban_reason reason,
		    const char *note)
{
	__u64 now = mono_ns();
	struct px_ban b = {
		.start_ns = now,
		.expires_ns = now + (__u64)secs * PX_NSEC,
		.reason = reason,
	};

	bans_note(b.note, note);
	if (bpf_map_update_elem(f->bans_fd, src, &b, BPF_ANY))
		return -errno;
	return bans_changed(f);
}

int bans_add(const struct px_filter *f, const struct px_ban_key *src,
	     unsigned long secs, enum px_ban_reason reason)
{
	return bans_put(f, src, secs, reason, NULL);
}

int bans_extend(const struct px_filter *f, const struct px_ban_key *src,
		unsigned long secs, enum px_ban_reason reason, const char *note,
		unsigned long long *left)
{
	__u64 now = mono_ns();
	struct px_ban b;

	if (!bpf_map_lookup_elem(f->bans_fd, src, &b) &&
	    b.expires_ns >= now + (__u64)secs * PX_NSEC) {
		if (left)
			*left = (b.expires_ns - now + PX_NSEC - 1) / PX_NSEC;
		return 1;
	}
	return bans_put(f, src, secs, reason, note);
}

const char *bans_reason(const struct px_ban *b)
{
	return b->reason == PX_BAN_SCAN ? "scan" : "manual";
}

const char *bans_by(const struct px_ban *b)
{
	if (b->note[0] && memchr(b->note, '\0', sizeof(b->note)))
		return b->note;
	return b->reason == PX_BAN_CROWDSEC ? "crowdsec" : NULL;
}

int bans_lift_reason(const struct px_filter *f, const struct px_ban_key *src,
		     enum px_ban_reason reason)
{
	struct px_ban b;

	if (bpf_map_lookup_elem(f->bans_fd, src, &b) || b.reason != reason)
		return -ENOENT;
	return bans_lift(f, src);
}

int bans_lift_by(const struct px_filter *f, const struct px_ban_key *src,
		 const char *by, struct px_ban *b)
{
	char note[PX_BAN_NOTE_LEN];
	struct px_ban cur;
	const char *who;

	if (bpf_map_lookup_elem(f->bans_fd, src, &cur))
		return -ENOENT;
	bans_note(note, by);
	who = bans_by(&cur);
	if (!who || strcmp(who, note)) {
		if (cur.expires_ns <= mono_ns())
			return -ENOENT;
		if (b)
			*b = cur;
		return -EBUSY;
	}
	return bans_lift(f, src);
}

int bans_lift(const struct px_filter *f, const struct px_ban_key *src)
{
	struct px_ban b;
	bool live;
	int err;

	if (bpf_map_lookup_elem(f->bans_fd, src, &b))
		return -ENOENT;
	live = b.expires_ns > mono_ns();
	if (bpf_map_delete_elem(f->bans_fd, src) && errno != ENOENT)
		return -errno;
	err = bans_changed(f);
	if (err)
		return err;
	return live ? 0 : -ENOENT;
}

int bans_lift_all(const struct px_filter *f, size_t *n)
{
	struct ban_entry *e;
	int err = bans_read(f->bans_fd, &e, n);

	if (err)
		return err;
	for (size_t i = 0; i < *n; i++)
		bpf_map_delete_elem(f->bans_fd, &e[i].src);
	free(e);
	return bans_changed(f);
}

bool bans_any(int bans_fd)
{
	struct ban_entry *e;
	size_t n = 0;

	if (bans_fd < 0 || bans_read(bans_fd, &e, &n))
		return false;
	free(e);
	return n > 0;
}

void bans_policy_flag(const struct px_filter *f, struct px_policy *pol)
{
	if (pol->ban.ports || bans_any(f->bans_fd))
		pol->flags |= PX_F_BANS;
	else
		pol->flags &= ~PX_F_BANS;
}

int bans_sync_live(const struct px_filter *f)
{
	struct px_policy *pol = malloc(sizeof(*pol));
	__u32 was;
	int err;

	if (!pol)
		return -ENOMEM;
	err = maps_read_policy(f->policy_fd, pol);
	if (!err) {
		was = pol->flags & PX_F_BANS;
		bans_policy_flag(f, pol);
		if ((pol->flags & PX_F_BANS) != was)
			err = maps_install_policy(f->policy_fd, pol);
	}
	if (err)
		px_error("cannot update the live policy of %s for its bans "
			 "(%s): see 'portxdp status %s'",
			 f->ifname, strerror(-err), f->ifname);
	free(pol);
	return err;
}

int bans_open(const char *verb, const char *ifname, struct px_filter *f)
{
	int lock;

	if (!filter_ifname_ok(verb, ifname))
		return -1;
	if (!cli_need_privileges(verb) || filter_bpf_permitted(verb))
		return -1;
	lock = filter_open_locked(ifname, f);
	if (lock < 0)
		return -1;
	if (f->bans_fd >= 0)
		return lock;
	px_error("the filter on %s was attached by a portxdp without bans: "
		 "run 'portxdp attach %s --force' to replace it",
		 ifname, ifname);
	filter_close(f);
	pins_unlock(lock);
	return -1;
}
