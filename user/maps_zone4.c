// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A policy version's IPv4 zone map (maps_zone4.h; the layout in
 * include/portxdp.h, "IPv4 ranges"). Why ranges and not an LPM trie
 * (doc/design.md, section 8): the kernel inserts into a trie one element
 * at a time, about 0.7 us each, even through BPF_MAP_UPDATE_BATCH, which
 * made a million-prefix apply take over a second in the kernel alone; an
 * mmap-able array takes the whole version in one memcpy, and its lookup
 * is one /16 entry and a short bisection.
 *
 * Building: the prefixes sorted by address (shorter first at one address:
 * the enclosing prefix comes before what it holds), then one sweep with a
 * stack of the prefixes holding the current address (at most 33 deep: one
 * per length) gives the ranges, each with its longest prefix's hit;
 * neighbours with one hit are merged. A million prefixes take about
 * 40 ms here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "maps_zone4.h"

/* a zone index fits PX_R4_PFX's 8 bits and a hit's 16 */
_Static_assert(PX_ZONE_ENTRIES <= 256, "zone index in PX_R4_PFX");
_Static_assert(PX_ZF_BAN_EXCEPT <= 0xffff, "zone flags in a hit's 16 bits");

/* An IPv4 address as written (network order) in host order. */
static __u32 addr4(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

/* A prefix while sorting: address (host order) << 32 | len << 24 | its
 * zone << 1 | except; the sort key is bits 24-63. */
static __u64 item_of(const struct px_prefix *p)
{
	return (__u64)addr4(p->addr) << 32 | (__u64)p->len << 24 |
	       (__u64)p->zone << 1 | (p->except ? 1 : 0);
}

/* The key of item x: address, then length (shorter first). */
#define KEY(x) ((x) >> 24)

/* Sort v[n] by KEY (an LSD radix sort, four passes of 10 bits, through
 * tmp[n]); a list already in order (most are) is only read. */
static void sort_items(__u64 *v, __u64 *tmp, size_t n)
{
	size_t cnt[1024];
	__u64 *a = v, *b = tmp, *t;
	size_t i = 1;

	while (i < n && KEY(v[i - 1]) <= KEY(v[i]))
		i++;
	if (i >= n)
		return;
	for (unsigned int shift = 24; shift < 64; shift += 10) {
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i] >> shift) & 1023]++;
		for (size_t d = 0; d < 1024; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i] >> shift) & 1023]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	/* four passes: back in v */
}

struct sweep {
	struct px_range4 *r; /* the ranges so far */
	size_t nr;
	struct {
		__u64 end; /* last address, inclusive */
		__u32 hit;
		__u8 len;
	} st[34]; /* the prefixes holding the current address */
	unsigned int sp;
};

/* From address start on, hit: merged with a range of the same start (the
 * longer prefix wins) or of the same hit before it. */
static void emit(struct sweep *w, __u32 start, __u32 hit)
{
	struct px_range4 *last = &w->r[w->nr - 1];

	if (last->start == start) {
		last->hit = hit;
		if (w->nr >= 2 && w->r[w->nr - 2].hit == hit)
			w->nr--;
	} else if (last->hit != hit) {
		w->r[w->nr].start = start;
		w->r[w->nr++].hit = hit;
	}
}

/* Close the innermost open prefix: from its end on, the next one's hit. */
static void pop(struct sweep *w)
{
	__u64 end = w->st[--w->sp].end;

	if (end < 0xffffffffULL)
		emit(w, (__u32)end + 1, w->sp ? w->st[w->sp - 1].hit : 0);
}

/* The sorted items' ranges into w->r (room for 2n + 1). */
static void flatten(struct sweep *w, const __u64 *v, size_t n,
		    const zone4_hits_t hits)
{
	w->r[0].start = 0;
	w->r[0].hit = 0;
	w->nr = 1;
	w->sp = 0;
	for (size_t i = 0; i < n; i++) {
		__u32 s = (__u32)(v[i] >> 32);
		__u8 len = (__u8)((v[i] >> 24) & 0x3f);
		__u32 hit = hits[(v[i] >> 1) & 0x7f][v[i] & 1];
		__u64 end = (__u64)s + (1ULL << (32 - len)) - 1;

		while (w->sp && w->st[w->sp - 1].end < s)
			pop(w);
		emit(w, s, hit);
		if (w->sp &&
		    w->st[w->sp - 1].len == len) { /* twice: last wins */
			w->st[w->sp - 1].hit = hit;
			continue;
		}
		w->st[w->sp].end = end;
		w->st[w->sp].hit = hit;
		w->st[w->sp++].len = len;
	}
	while (w->sp)
		pop(w);
}

/* Each /16's entry: its first address's range and how many start later
 * inside it, or PX_R4_WHOLE and the hit; the ranges r[nr] are at
 * position base of the map. */
static void index16(struct px_range4 *m, const struct px_range4 *r, size_t nr,
		    size_t base)
{
	size_t j = 0, k;

	for (__u32 h = 0; h < 65536; h++) {
		__u32 b = h << 16;

		while (j + 1 < nr && r[j + 1].start <= b)
			j++;
		for (k = j; k + 1 < nr && r[k + 1].start <= (b | 0xffff);)
			k++;
		if (k == j) {
			m[h].start = PX_R4_WHOLE;
			m[h].hit = r[j].hit;
		} else {
			m[h].start = (__u32)(base + j);
			m[h].hit = (__u32)(k - j);
		}
	}
}

/* The entries a map needs for np IPv4 prefixes, at most. */
static size_t room(size_t np)
{
	return PX_R4_FIRST + np + 2 * np + 1;
}

/*
 * zs's np IPv4 prefixes laid out in m (room(np) entries, written once,
 * in order, with no other buffer: a million prefixes are 24 MiB): the
 * prefixes as written, then the ranges. The sort's items (8 bytes, the
 * size of a range) use the ranges' place: the back half of it holds them,
 * the front half is the sort's scratch, and the sweep writes range 2i + 2
 * at most before it reads item i + 1, which lies beyond it. The entries
 * used, or 0 when w cannot be had.
 */
static size_t lay_out(struct px_range4 *m, const struct px_zoneset *zs,
		      size_t np, const zone4_hits_t hits)
{
	struct px_range4 *pl = m + PX_R4_FIRST, *r = pl + np;
	__u64 *v = (__u64 *)(void *)(r + np + 1);
	struct sweep *w = malloc(sizeof(*w));
	size_t i = 0;

	if (!w)
		return 0;
	for (size_t k = 0; k < zs->npfx; k++) {
		const struct px_prefix *p = &zs->pfx[k];

		if (p->family != 4)
			continue;
		v[i] = item_of(p);
		pl[i].start = (__u32)(v[i] >> 32);
		pl[i++].hit = PX_R4_PFX(p->len, hits[p->zone][p->except] & 0xff,
					p->except);
	}
	sort_items(v, (__u64 *)(void *)r, np);
	w->r = r;
	flatten(w, v, np, hits);
	index16(m, r, w->nr, PX_R4_FIRST + np);
	m[PX_R4_HEAD].start = (__u32)w->nr;
	m[PX_R4_HEAD].hit = (__u32)np;
	i = PX_R4_FIRST + np + w->nr;
	free(w);
	return i;
}

static size_t count4(const struct px_zoneset *zs)
{
	size_t np = 0;

	for (size_t i = 0; i < zs->npfx; i++)
		np += zs->pfx[i].family == 4;
	return np;
}

int zone4_layout(const struct px_zoneset *zs, const zone4_hits_t hits,
		 struct px_range4 **out, size_t *n)
{
	size_t np = count4(zs);

	*out = malloc(room(np) * sizeof(**out));
	*n = *out ? lay_out(*out, zs, np, hits) : 0;
	if (*n)
		return 0;
	free(*out);
	*out = NULL;
	return -ENOMEM;
}

__u32 zone4_search(const struct px_range4 *m, size_t n, __u32 a)
{
	const struct px_range4 *e = &m[a >> 16];
	__u32 lo, hi, mid;

	if (n < PX_R4_FIRST)
		return 0;
	if (e->start == PX_R4_WHOLE)
		return e->hit;
	lo = e->start;
	hi = lo + e->hit;
	if (lo < PX_R4_FIRST || hi < lo || hi >= n)
		return 0;
	while (lo < hi) {
		mid = hi - ((hi - lo) >> 1);
		if (m[mid].start <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return m[lo].hit;
}

int zone4_map(const struct px_zoneset *zs, const zone4_hits_t hits)
{
	LIBBPF_OPTS(bpf_map_create_opts, o,
		    .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	size_t np = count4(zs), n = room(np), sz = n * sizeof(struct px_range4);
	int fd, err = 0;
	void *m;

	if (n > UINT32_MAX)
		return -E2BIG;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "px_zone4", sizeof(__u32),
			    sizeof(struct px_range4), (__u32)n, &o);
	if (fd < 0)
		return -errno;
	/* laid out in place: the map's pages are there already */
	m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		err = -errno;
	else if (!lay_out(m, zs, np, hits))
		err = -ENOMEM;
	if (m != MAP_FAILED)
		munmap(m, sz);
	/* never written again: the program reads it while it is live */
	if (!err && bpf_map_freeze(fd))
		err = -errno;
	if (err)
		close(fd);
	return err ? err : fd;
}

/* The IPv4 map fd read-only: its entries and their number. */
static int map_view(int fd, const struct px_range4 **m, size_t *n)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	void *p;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	/* an LPM trie: the layout of a portxdp before ranges (its pins
	 * outlive an upgrade) */
	if (info.type != BPF_MAP_TYPE_ARRAY)
		return -EOPNOTSUPP;
	if (info.value_size != sizeof(**m) || info.max_entries < PX_R4_FIRST)
		return -EINVAL;
	*n = info.max_entries;
	p = mmap(NULL, *n * sizeof(**m), PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*m = p;
	return 0;
}

int zone4_read(int fd, struct px_zoneset *zs)
{
	const struct px_range4 *m = NULL;
	size_t n = 0, at, np;
	int err = map_view(fd, &m, &n);

	if (err || !m)
		return err ? err : -EINVAL;
	at = PX_R4_FIRST;
	np = m[PX_R4_HEAD].hit;
	if (np > n - at || m[PX_R4_HEAD].start > n - at - np)
		err = -EINVAL;
	zoneset_reserve(zs, err ? 0 : np);
	for (size_t i = 0; !err && i < np; i++) {
		const struct px_range4 *e = &m[at + i];
		struct px_prefix p = {.family = 4};

		p.addr[0] = (__u8)(e->start >> 24);
		p.addr[1] = (__u8)(e->start >> 16);
		p.addr[2] = (__u8)(e->start >> 8);
		p.addr[3] = (__u8)e->start;
		p.len = (__u8)(e->hit & 0xff);
		p.zone = (__u8)(e->hit >> 8);
		p.except = e->hit & (1U << 16);
		err = zoneset_add(zs, &p);
	}
	munmap((void *)m, n * sizeof(*m));
	return err;
}

int zone4_lookup(int fd, const __u8 *addr, __u32 *hit)
{
	const struct px_range4 *m = NULL;
	size_t n = 0;
	int err = map_view(fd, &m, &n);

	if (err || !m)
		return err ? err : -EINVAL;
	*hit = zone4_search(m, n, addr4(addr));
	munmap((void *)m, n * sizeof(*m));
	return 0;
}
