// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The maps of a policy's zones (maps_zone.h; layout and why the swap is
 * atomic in include/portxdp.h, "Zones"). A version's IPv4 ranges
 * (maps_zone4.c, one mmap-able array written in one memcpy) and IPv6
 * trie (filled with BPF_MAP_UPDATE_BATCH, one syscall per 64 Ki) are new
 * maps, never written again once live; the old version's maps are freed
 * by the kernel when the slot they sit in is overwritten two versions
 * later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "maps.h"
#include "maps_zone.h"
#include "maps_zone4.h"

#define BATCH 65536
#define PROGRESS_FROM 200000 /* prefixes: say what is going on */
#define PX_F_ANY_ZONES (PX_F_ZONES | PX_F_PING_ZONED | PX_F_BLOCK)
/* a version with a zone table of its own in slot gen & 1 */
#define HAS_TABLE(pol) ((pol)->flags & (PX_F_ANY_ZONES | PX_F_ZONE_TABLE))

static int new_trie(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);

	return bpf_map_create(
		BPF_MAP_TYPE_LPM_TRIE, "px_zone6", sizeof(struct px_lpm6),
		sizeof(struct px_zone_hit), PX_ZONE_PREFIXES_MAX, &o);
}

/* Write n keys/values, in batches when the kernel can. */
static int put_many(int fd, const void *keys, const void *vals, size_t n,
		    size_t ksz)
{
	const char *k = keys;
	const struct px_zone_hit *v = vals;

	for (size_t at = 0; at < n;) {
		__u32 cnt = (__u32)(n - at < BATCH ? n - at : BATCH);

		if (!bpf_map_update_batch(fd, k + at * ksz, v + at, &cnt,
					  NULL)) {
			at += cnt;
			continue;
		}
		if (errno != EINVAL && errno != 524 /* ENOTSUPP */ &&
		    errno != EOPNOTSUPP)
			return -errno;
		/* no batch for this map type here: one at a time */
		for (; at < n; at++)
			if (bpf_map_update_elem(fd, k + at * ksz, v + at,
						BPF_ANY))
				return -errno;
	}
	return 0;
}

/* The IPv6 trie of zs, a new map: fd or -errno. */
static int build_trie6(const struct px_zoneset *zs, const zone4_hits_t hits)
{
	size_t n6 = 0, i6 = 0;
	struct px_lpm6 *k6 = NULL;
	struct px_zone_hit *v6 = NULL;
	int fd = new_trie(), err = -ENOMEM;

	for (size_t i = 0; i < zs->npfx; i++)
		n6 += zs->pfx[i].family == 6;
	k6 = calloc(n6 + 1, sizeof(*k6));
	v6 = calloc(n6 + 1, sizeof(*v6));
	if (fd < 0)
		err = -errno;
	else if (k6 && v6) {
		for (size_t i = 0; i < zs->npfx; i++) {
			const struct px_prefix *p = &zs->pfx[i];
			__u32 h = hits[p->zone][p->except];

			if (p->family != 6)
				continue;
			k6[i6].prefixlen = p->len;
			memcpy(k6[i6].addr, p->addr, 16);
			v6[i6].zone = h & 0xffff;
			v6[i6++].flags = h >> 16;
		}
		err = put_many(fd, k6, v6, i6, sizeof(*k6));
	}
	free(k6);
	free(v6);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

/* The IPv4 ranges and IPv6 trie of zs, new maps: *fd4, *fd6; a prefix of
 * zone z maps to table index idx[z]. */
static int build_maps(const struct px_zoneset *zs, const __u8 *idx, int *fd4,
		      int *fd6, bool progress)
{
	zone4_hits_t hits;

	if (progress && zs->npfx >= PROGRESS_FROM)
		fprintf(stderr,
			"portxdp: loading %zu IPv4 and %zu IPv6 "
			"prefixes into the kernel...\n",
			zs->nfam[0], zs->nfam[1]);
	memset(hits, 0, sizeof(hits));
	for (unsigned int z = 1; z <= zs->nzones; z++) {
		__u32 f = zs->zone[z].flags & 0xffff;

		hits[z][0] = PX_R4_HIT(idx[z], f);
		hits[z][1] = PX_R4_HIT(idx[z], f | PX_ZF_BAN_EXCEPT);
	}
	*fd4 = zone4_map(zs, hits);
	if (*fd4 < 0)
		return *fd4;
	*fd6 = build_trie6(zs, hits);
	return *fd6 < 0 ? *fd6 : 0;
}

/* The zone table: zone z at index idx[z] (NULL: at z); indices no zone
 * holds stay zero, with an empty name. */
static int new_table(const struct px_zone *zone, unsigned int nzones,
		     const __u8 *idx)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "px_zones", sizeof(__u32),
				sizeof(struct px_zone), PX_ZONE_ENTRIES, NULL);

	if (fd < 0)
		return -errno;
	for (__u32 z = 1; z <= nzones; z++) {
		__u32 at = idx ? idx[z] : z;

		if (!zone[z].name[0])
			continue;
		if (bpf_map_update_elem(fd, &at, &zone[z], BPF_ANY)) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	return fd;
}

/* Put the three maps of version gen in their slot. */
static int put_slot(const struct px_zone_maps *m, __u32 gen, int table, int fd4,
		    int fd6)
{
	__u32 slot = gen & 1;

	if (bpf_map_update_elem(m->zones, &slot, &table, BPF_ANY))
		return -errno;
	/* refused: the outer map holds IPv4 tries, pinned by a portxdp
	 * before ranges whose filter outlived an upgrade */
	if (bpf_map_update_elem(m->zone4, &slot, &fd4, BPF_ANY))
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	if (bpf_map_update_elem(m->zone6, &slot, &fd6, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Unless err: put the maps of pol's version in its slot, then swap pol in
 * (the one swap that makes the version live). Closes the maps either way.
 */
static int install_version(const struct px_zone_maps *m, struct px_policy *pol,
			   int err, int table, int fd4, int fd6)
{
	if (!err)
		err = put_slot(m, pol->gen, table, fd4, fd6);
	if (!err)
		err = maps_install_policy(m->policy, pol);
	if (table >= 0)
		close(table);
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	return err;
}

/* The fd of the inner map in slot of outer, or -errno. */
static int slot_fd(int outer, __u32 slot)
{
	__u32 id;
	int fd;

	if (bpf_map_lookup_elem(outer, &slot, &id))
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	return fd < 0 ? -errno : fd;
}

/*
 * Where each zone of a new version goes in the zone table, so that its
 * counts (px_zone_counts, by table index) follow its name across
 * versions: a zone the live version has keeps its index and its counts
 * go on; a new zone takes an index no live zone holds, its counts zeroed
 * before the swap (exact: only live packets count, at live indices).
 * Only when 64 zones leave no such index does a new zone take the index
 * of a live zone that goes away, zeroed right after the swap: a packet
 * counted in between is lost, never given to another zone.
 */
struct placing {
	__u8 idx[PX_ZONE_ENTRIES];   /* zs zone -> table index */
	bool after[PX_ZONE_ENTRIES]; /* table index: zero after the swap */
};

/* The live table's names (none when live has no zone table). */
static void live_names(const struct px_zone_maps *m,
		       const struct px_policy *live,
		       char (*names)[PX_ZONE_NAME_LEN])
{
	struct px_zone *z = malloc(sizeof(*z));
	int fd;

	memset(names, 0, PX_ZONE_ENTRIES * PX_ZONE_NAME_LEN);
	if (!z || !live || !HAS_TABLE(live) ||
	    (fd = slot_fd(m->zones, live->gen & 1)) < 0) {
		free(z);
		return;
	}
	for (__u32 i = 1; i < PX_ZONE_ENTRIES; i++)
		if (!bpf_map_lookup_elem(fd, &i, z))
			memcpy(names[i], z->name, PX_ZONE_NAME_LEN - 1);
	close(fd);
	free(z);
}

static int zero_counts(int counts_fd, __u32 i)
{
	int ncpus = maps_ncpus();
	struct px_zone_count *v;
	int err = 0;

	if (counts_fd < 0 || ncpus <= 0)
		return 0;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(counts_fd, &i, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

static int place_zones(const struct px_zone_maps *m,
		       const struct px_policy *live,
		       const struct px_zoneset *zs, struct placing *pl)
{
	char(*names)[PX_ZONE_NAME_LEN] =
		calloc(PX_ZONE_ENTRIES, PX_ZONE_NAME_LEN);
	bool taken[PX_ZONE_ENTRIES] = {false};
	int err = 0;

	if (!names)
		return -ENOMEM;
	memset(pl, 0, sizeof(*pl));
	live_names(m, live, names);
	for (unsigned int z = 1; z <= zs->nzones; z++)
		for (__u32 i = 1; i < PX_ZONE_ENTRIES; i++)
			if (names[i][0] && !taken[i] &&
			    !strcmp(names[i], zs->zone[z].name)) {
				pl->idx[z] = (__u8)i;
				taken[i] = true;
				break;
			}
	for (unsigned int z = 1; z <= zs->nzones && !err; z++) {
		__u32 i = 1;

		if (pl->idx[z])
			continue;
		while (i < PX_ZONE_ENTRIES && (taken[i] || names[i][0]))
			i++;
		if (i < PX_ZONE_ENTRIES) {
			err = zero_counts(m->counts, i);
		} else { /* every index is a live zone's: reuse a leaver's */
			for (i = 1; taken[i]; i++)
				;
			pl->after[i] = true;
		}
		pl->idx[z] = (__u8)i;
		taken[i] = true;
	}
	free(names);
	return err;
}

int maps_install_zoned(const struct px_zone_maps *m, struct px_policy *pol,
		       const struct px_zoneset *zs, bool progress)
{
	struct px_policy *live = malloc(sizeof(*live));
	int table = -1, fd4 = -1, fd6 = -1, err;
	struct placing pl;

	if (!live)
		return -ENOMEM;
	if (maps_read_policy(m->policy, live)) {
		free(live);
		live = NULL;
	}
	pol->gen = (live ? live->gen : 0) + 1;
	if (!zs || !zs->nzones) {
		free(live);
		pol->flags &= ~(PX_F_ANY_ZONES | PX_F_ZONE_TABLE);
		return maps_install_policy(m->policy, pol);
	}
	if (m->zones < 0 || m->zone4 < 0 || m->zone6 < 0) {
		free(live);
		return -EOPNOTSUPP;
	}
	err = place_zones(m, live, zs, &pl);
	free(live);
	pol->flags |= PX_F_ZONE_TABLE;
	/* the ban rule's except zones, by their table index too */
	for (__u32 i = 0; i < pol->ban.nzones && i < PX_BAN_EXCEPT_MAX; i++)
		pol->ban.zones[i] = pl.idx[pol->ban.zones[i]];
	if (!err)
		err = build_maps(zs, pl.idx, &fd4, &fd6, progress);
	if (!err) {
		table = new_table(zs->zone, zs->nzones, pl.idx);
		err = table < 0 ? table : 0;
	}
	err = install_version(m, pol, err, table, fd4, fd6);
	for (__u32 i = 1; !err && i < PX_ZONE_ENTRIES; i++)
		if (pl.after[i])
			zero_counts(m->counts, i);
	return err;
}

int maps_read_zones(const struct px_zone_maps *m, const struct px_policy *live,
		    struct px_zoneset *out)
{
	int fd, err = 0;

	out->nzones = 0;
	if (!HAS_TABLE(live) || m->zones < 0)
		return -ENOENT;
	fd = slot_fd(m->zones, live->gen & 1);
	if (fd < 0)
		return fd == -ENOENT ? -ENOENT : fd;
	/* indices keep their zone across versions: there may be holes */
	for (__u32 z = 1; z < PX_ZONE_ENTRIES; z++) {
		if (bpf_map_lookup_elem(fd, &z, &out->zone[z])) {
			err = -errno;
			break;
		}
		if (out->zone[z].name[0])
			out->nzones = z;
	}
	close(fd);
	return err;
}

/* A trie's prefixes into zs, zone = table index: the IPv6 trie, or
 * (family 4) the IPv4 trie of a filter attached by a portxdp before
 * ranges, whose keys are px_lpm6's first 8 bytes. 0 or -errno. */
static int read_trie(int fd, int family, struct px_zoneset *zs)
{
	struct px_lpm6 key, next;
	struct px_zone_hit hit;
	bool first = true;
	int err = 0;

	memset(&next, 0, sizeof(next));
	while (!err && !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		struct px_prefix p = {.family = (__u8)family};

		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &hit))
			continue; /* cannot happen: the trie is not written */
		p.len = (__u8)key.prefixlen;
		memcpy(p.addr, key.addr, family == 4 ? 4 : 16);
		p.zone = (__u8)hit.zone;
		p.except = hit.flags & PX_ZF_BAN_EXCEPT;
		err = zoneset_add(zs, &p);
	}
	if (!err && errno != ENOENT)
		err = -errno;
	return err;
}

int maps_read_prefixes(const struct px_zone_maps *m,
		       const struct px_policy *live, struct px_zoneset *zs)
{
	int fd, err;

	if (!HAS_TABLE(live) || m->zone4 < 0 || m->zone6 < 0)
		return -ENOENT;
	fd = slot_fd(m->zone4, live->gen & 1);
	if (fd < 0)
		return fd;
	err = zone4_read(fd, zs);
	if (err == -EOPNOTSUPP) /* attached before ranges: still a trie */
		err = read_trie(fd, 4, zs);
	close(fd);
	if (err)
		return err;
	fd = slot_fd(m->zone6, live->gen & 1);
	if (fd < 0)
		return fd;
	err = read_trie(fd, 6, zs);
	close(fd);
	return err;
}

int maps_install_rebased(const struct px_zone_maps *m, struct px_policy *next)
{
	struct px_zoneset *zs = zoneset_new();
	__u32 old = next->gen & 1;
	int table = -1, fd4 = -1, fd6 = -1, err;

	if (!zs)
		return -ENOMEM;
	err = maps_read_zones(m, next, zs);
	if (err == -ENOENT) {
		zoneset_free(zs);
		return maps_install_zoned(m, next, NULL, false);
	}
	fd4 = slot_fd(m->zone4, old);
	fd6 = slot_fd(m->zone6, old);
	if (!err && (fd4 < 0 || fd6 < 0))
		err = fd4 < 0 ? fd4 : fd6;
	if (!err) {
		zoneset_finish(zs, next);
		table = new_table(zs->zone, zs->nzones, NULL);
		err = table < 0 ? table : 0;
	}
	if (!err)
		next->gen++;
	err = install_version(m, next, err, table, fd4, fd6);
	zoneset_free(zs);
	return err;
}

/* The packed hit of addr in the live version's IPv4 ranges (or an older
 * portxdp's IPv4 trie) or IPv6 trie: 1 found, 0 not, or -errno. */
static int hit_of(const struct px_zone_maps *m, __u32 slot,
		  const struct px_prefix *addr, __u32 *hit)
{
	struct px_lpm6 key = {.prefixlen = 128};
	struct px_zone_hit h;
	bool v4 = addr->family == 4;
	int fd = slot_fd(v4 ? m->zone4 : m->zone6, slot), err = 0;

	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (v4) {
		err = zone4_lookup(fd, addr->addr, hit);
		err = err ? err : (*hit & 0xffff) != 0;
	}
	if (!v4 || err == -EOPNOTSUPP) { /* a trie (IPv4: before ranges) */
		key.prefixlen = v4 ? 32 : 128;
		memcpy(key.addr, addr->addr, v4 ? 4 : 16);
		if (!bpf_map_lookup_elem(fd, &key, &h)) {
			*hit = PX_R4_HIT(h.zone, h.flags);
			err = 1;
		} else {
			err = errno == ENOENT ? 0 : -errno;
		}
	}
	close(fd);
	return err;
}

int maps_zone_lookup(const struct px_zone_maps *m, const struct px_policy *live,
		     const struct px_prefix *addr, struct px_zone *out)
{
	__u32 hit = 0, z;
	int table, err;

	if (!HAS_TABLE(live) || m->zones < 0)
		return 0;
	err = hit_of(m, live->gen & 1, addr, &hit);
	if (err <= 0)
		return err;
	z = hit & 0xffff;
	table = slot_fd(m->zones, live->gen & 1);
	if (table < 0)
		return table;
	if (bpf_map_lookup_elem(table, &z, out))
		err = -errno;
	close(table);
	return err < 0 ? err : (int)z;
}

int maps_read_zone_counts(int counts_fd, struct px_zone_count *out)
{
	int ncpus = maps_ncpus();
	struct px_zone_count *v;
	int err = 0;

	if (ncpus <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 z = 0; z < PX_ZONE_ENTRIES && !err; z++) {
		memset(&out[z], 0, sizeof(out[z]));
		if (bpf_map_lookup_elem(counts_fd, &z, v)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpus; c++) {
			out[z].dropped += v[c].dropped;
			out[z].passed += v[c].passed;
			out[z].blocked += v[c].blocked;
		}
	}
	free(v);
	return err;
}
