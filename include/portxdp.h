/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ABI between the XDP program (bpf/) and the CLI (user/): map layouts,
 * counter structs and constants, in fixed-width types, defined once.
 *
 * Byte order: every port in every map key and bitmap here is in HOST byte
 * order. The XDP program converts the packet's network-order port with
 * bpf_ntohs() before it looks anything up.
 *
 * Included from BPF code (after vmlinux.h, which provides __u32/__u64) and
 * from userspace (after <linux/types.h>).
 */
#ifndef PORTXDP_H
#define PORTXDP_H

#define PX_PORTS 65536
#define PX_BITMAP_WORDS (PX_PORTS / 64)

/* Protocol index used in bitmaps and counter keys. */
enum px_proto {
	PX_TCP = 0,
	PX_UDP = 1,
	PX_NPROTO = 2,
};

/* px_policy.flags */
#define PX_F_PING_OPEN (1U << 0) /* ICMP/ICMPv6 echo requests pass */
#define PX_F_FRAG_DROP (1U << 1) /* later fragments are dropped */
/* Bits for the features that judge by source or by flow (doc/design.md,
 * sections 8-10); each is clear in a policy that does not use it, so the
 * program skips that feature's lookups with one test of flags. */
#define PX_F_ZONES (1U << 2)	  /* some port's verdict depends on the zone */
#define PX_F_BLOCK (1U << 3)	  /* the policy blocks some sources */
#define PX_F_REPLIES (1U << 4)	  /* replies to this host's flows pass */
#define PX_F_BANS (1U << 5)	  /* a ban rule, or bans made by hand */
#define PX_F_PING_ZONED (1U << 6) /* some zone's ping verdict differs */
/* Userspace only (the program never tests it): slot gen & 1 holds this
 * version's zone table, even when no zone's verdicts differ from the
 * base's (then the three bits above are clear). */
#define PX_F_ZONE_TABLE (1U << 7)

#define PX_SOURCE_LEN 256

/*
 * Scanner bans (doc/design.md, section 10). A source is an IPv4 address or
 * an IPv6 /64: struct px_ban_key, the key of px_bans and px_scan, holds the
 * IPv4 address or the /64's first 8 bytes in network order (IPv4 in
 * addr[0..3], the rest zero), so one hash lookup finds either. A
 * link-local IPv6 source (fe80::/64, where every host of a link has its
 * address) is its own address: family PX_BAN_LINK_LOCAL, addr the
 * address's last 8 bytes (its interface ID).
 */
#define PX_BAN_PORTS_MAX 32	/* N at most: the ports a scan state holds */
#define PX_BAN_EXCEPT_MAX 16	/* prefixes, and zones, after `except` */
#define PX_BAN_WINDOW_MAX 86400 /* SECS at most: a day */
#define PX_BAN_DURATION_MAX (366 * 86400) /* DURATION at most: a year */
#define PX_BANS_MAX 65536 /* bans at most; LRU beyond (filter.c) */
/*
 * The ban map's size: PX_BANS_MAX and room for the nodes the kernel's LRU
 * keeps on each CPU's own lists (up to 128 free, and as many pending),
 * which it would otherwise take from the PX_BANS_MAX: without it, a table
 * of 65536 held 65408 and pushed out bans in force below the limit.
 * `portxdp ban` refuses to pass PX_BANS_MAX; the ban rule's bans may use
 * the rest before the LRU pushes the least recently used out.
 */
#define PX_BANS_SIZE(ncpus) (PX_BANS_MAX + 256 * (ncpus))
#define PX_SCAN_SOURCES 16384 /* sources whose scan is followed; LRU */

#define PX_BAN_LINK_LOCAL 10 /* px_ban_key.family of a fe80::/64 address */

struct px_ban_key {
	__u32 family; /* 4, 6 or PX_BAN_LINK_LOCAL */
	__u8 addr[8];
};

/* One `except` prefix, as net/mask over the 16 bytes of an address (IPv4
 * in the first 4), so matching is two masked compares. */
struct px_ban_prefix {
	__u64 net[2];
	__u64 mask[2];
	__u32 family; /* 4 or 6 */
	__u32 len;    /* prefix length, for messages */
};

/* `ban after PORTS ports in WINDOW_S for DURATION_S [except ...]`;
 * ports == 0: the policy has no ban rule. `except` prefixes are in
 * except[]; `except ZONE` names zones by index in zones[] (nzones of
 * them), and every trie entry inside such a zone's prefixes carries
 * PX_ZF_BAN_EXCEPT, so the program looks the source's zone up (one LPM
 * lookup, in the policy's own version) only when nzones is not 0. */
struct px_ban_rule {
	__u32 ports;
	__u32 window_s;
	__u32 duration_s;
	__u32 nexcept;
	struct px_ban_prefix except[PX_BAN_EXCEPT_MAX];
	__u32 nzones;
	__u8 zones[PX_BAN_EXCEPT_MAX];
	__u32 reserved;
};

/* px_ban.reason */
enum px_ban_reason {
	PX_BAN_SCAN = 1,     /* the ban rule saw a scan */
	PX_BAN_MANUAL = 2,   /* `portxdp ban` (fail2ban, a script: note) */
	PX_BAN_CROWDSEC = 3, /* `portxdp crowdsec`: a CrowdSec decision */
};

/*
 * A ban: the value of px_bans (LRU_HASH of PX_BANS_MAX, key struct
 * px_ban_key). Times are bpf_ktime_get_ns() (CLOCK_MONOTONIC); a ban whose
 * expires_ns has passed is no ban (the program deletes it when it meets
 * it, `bans` does when it lists). dropped: packets dropped since, added
 * without atomics, so concurrent CPUs may lose a few. note: who asked, in
 * words (`ban --reason TEXT`, e.g. the fail2ban action's jail; a CrowdSec
 * decision's scenario), NUL-terminated printable ASCII; empty for scan
 * bans and bans given no reason.
 */
#define PX_BAN_NOTE_LEN 32

struct px_ban {
	__u64 start_ns;
	__u64 expires_ns;
	__u64 dropped;
	__u32 reason; /* enum px_ban_reason */
	__u32 ports;  /* PX_BAN_SCAN: distinct closed ports counted */
	char note[PX_BAN_NOTE_LEN];
};

/*
 * The ban cache (doc/design.md, section 10): per CPU, PX_BAN_CACHE_SLOTS
 * slots (px_ban_cache, a PERCPU_ARRAY), slot px_ban_slot_of(key), each the
 * answer px_bans gave for one source: banned (ban_id, that ban's) or not
 * (ban_id 0). A slot answers while family and addr are the packet's
 * source, gen is px_ban_gen, and jiffies < until; any other
 * packet looks px_bans up and fills the slot again. A ban is told from the
 * one its source had before by PX_BAN_ID (its start, never 0).
 *
 * dropped: every packet the slot dropped on its CPU, whichever source it
 * held; it never goes down, and totals.banned is its sum over every slot
 * and CPU (the program counts a banned packet there only, which saves
 * its exit the totals lookup: maps_read_totals adds the sum, to dropped
 * too, and attach --force, which carries the cache, starts the new
 * totals at minus that sum). dropped - flushed: those not yet in their
 * ban's dropped (added there when the slot is filled again; `bans` adds
 * what the slots whose key and ban_id are the ban's still hold).
 *
 * px_ban_gen (a global in its own section, .data.px_ban_gen: a one-entry
 * mmapable ARRAY) goes up by one after every write to px_bans that adds
 * or lifts a ban (the program's scan ban, and user/bans.c's ban and
 * unban, through mmap): every slot filled before is then stale.
 */
#define PX_BAN_CACHE_BITS 10
#define PX_BAN_CACHE_SLOTS (1U << PX_BAN_CACHE_BITS)

struct px_ban_slot {
	__u64 addr;    /* px_ban_key.addr, its 8 bytes as one number */
	__u64 gen;     /* px_ban_gen when filled */
	__u64 until;   /* jiffies: the slot answers while jiffies < until */
	__u64 ban_id;  /* PX_BAN_ID of the ban; 0: not banned */
	__u64 dropped; /* every drop the slot made, on its CPU */
	__u64 flushed; /* how many of them went to a ban's dropped */
	__u32 family;  /* px_ban_key.family; 0: an empty slot */
	__u32 pad;
};

#define PX_BAN_ID(b) ((b)->start_ns | 1)

/* The slot of a source (addr: its px_ban_key.addr as one number; the
 * family is left out, a slot holds it): the top bits of a multiplicative
 * hash (Fibonacci hashing, Knuth 6.4). */
static inline __u32 px_ban_slot_of(__u64 addr)
{
	return (__u32)((addr * 0x9e3779b97f4a7c15ULL) >>
		       (64 - PX_BAN_CACHE_BITS));
}

/*
 * One whole policy: the single value (key 0) of an inner policy map.
 *
 * open[proto][port / 64] bit (port % 64) set means the port is open.
 * The program reads only open[] and flags; source, source_hash and
 * applied_at are for `status`, `show` and `--persist`, and travel with the
 * policy so they can never disagree with it.
 *
 * Atomic replacement (why map-in-map): px_policy_outer holds one inner map.
 * A change builds a complete new inner map, then swaps it into the outer
 * slot with one map update. A packet looks the inner map up once, so it is
 * judged wholly by the old or wholly by the new policy, and the old map is
 * freed by the kernel only after every program that could hold it has
 * finished (RCU), so no slot is ever rewritten under a reader.
 */
struct px_policy {
	__u64 open[PX_NPROTO][PX_BITMAP_WORDS];
	/* With PX_F_ZONES: the ports some zone judges differently from
	 * open[] (doc/design.md, section 8); only they look the source up. */
	__u64 zoned[PX_NPROTO][PX_BITMAP_WORDS];
	__u32 flags;
	__u32 source_hash; /* FNV-1a of the source file's bytes when parsed,
			      so --persist and status notice an edit since */
	__u64 applied_at;  /* seconds since the epoch, CLOCK_REALTIME */
	__u32 gen; /* this version's number: picks its zone maps (below) */
	__u32 reserved;
	/* option replies (doc/design.md, section 9): a flow stays active this
	 * long after its last outgoing packet, per protocol; the flow table's
	 * size the policy asks for (it is made at attach). */
	__u64 reply_idle_ns[PX_NPROTO];
	__u32 reply_size;
	__u32 reply_reserved;
	char source[PX_SOURCE_LEN]; /* file path, or a note such as "open 22" */
	struct px_ban_rule ban;	    /* read only when flags & PX_F_BANS */
};

/*
 * Zones (doc/design.md, section 8): who may knock.
 *
 * A policy with zones is one policy version in four maps: the base policy
 * above (px_policy_outer) and, in slot gen & 1 of three more outer
 * ARRAY_OF_MAPS, its zone table (px_zone_outer: struct px_zone by zone
 * index), its IPv4 ranges (px_zone4_outer: one array, "IPv4 ranges"
 * below) and its IPv6 LPM trie (px_zone6_outer: source prefix -> struct
 * px_zone_hit). A packet reads gen from the base
 * policy it looked up once, so every zone map it reads belongs to that
 * same version. Installing version gen+1 fills slot (gen+1) & 1, which no
 * packet of version gen reads, then swaps the base policy; the kernel
 * waits for running programs after an ARRAY_OF_MAPS update, so when the
 * swap returns no packet uses version gen, and the next install may
 * overwrite its slot. Versions alternate slots; nothing is ever written
 * under a reader.
 *
 * Zone index 0 is "no zone" (the base verdicts); zones are 1..nzones.
 */
#define PX_ZONES_MAX 64
#define PX_ZONE_ENTRIES (PX_ZONES_MAX + 1)
#define PX_ZONE_NAME_LEN 48
#define PX_ZONE_ORIGIN_LEN 128
#define PX_ZONE_PREFIXES_MAX (1U << 21) /* per family and policy */

/* px_zone.flags and px_zone_hit.flags */
#define PX_ZF_PING_OPEN (1U << 0)    /* the zone's ping verdict */
#define PX_ZF_PING_TOUCHED (1U << 1) /* a `from` line names ping */
#define PX_ZF_BLOCK (1U << 2)	     /* `block`: drop all IP from it */
#define PX_ZF_LOCAL (1U << 3)	     /* holds the interface's prefixes */
#define PX_ZF_ANON (1U << 4)	     /* a bare prefix's zone, no name */
/* bits 8-15: for the ban rule. PX_ZF_BAN_EXCEPT: named by `except` (in
 * a prefix's hit: inside the prefix of a zone so named); never counted. */
#define PX_ZF_BAN_EXCEPT (1U << 8)

struct px_zone {
	__u64 open[PX_NPROTO][PX_BITMAP_WORDS];	   /* its verdicts */
	__u64 touched[PX_NPROTO][PX_BITMAP_WORDS]; /* named by its from lines */
	__u32 flags;
	__u32 prefixes4, prefixes6;
	__u32 reserved;
	char name[PX_ZONE_NAME_LEN];
	char origin[PX_ZONE_ORIGIN_LEN]; /* "local IF", "file PATH", "" */
};

/* What a source's zone lookup gives (an IPv6 trie's value, an IPv4
 * range's packed): its zone, and that zone's flags (copied, so a block
 * costs no second lookup). */
struct px_zone_hit {
	__u32 zone;
	__u32 flags;
};

/*
 * IPv4 ranges (doc/design.md, section 8): a version's IPv4 prefixes
 * flattened into sorted disjoint address ranges covering all of IPv4,
 * each with the hit of the longest prefix holding it (zone 0: none), in
 * one ARRAY of struct px_range4 (mmap-able, sized to the version,
 * written once before it is put in its slot and frozen):
 *
 *   [0, 65536)       per /16 h: the range holding h's first address, at
 *                    position start, and in hit how many ranges start
 *                    later inside h (they follow it); or start ==
 *                    PX_R4_WHOLE: h lies in one range, whose hit is hit;
 *   [PX_R4_HEAD]     start: the number of ranges, hit: of prefixes;
 *   [PX_R4_FIRST...) the version's prefixes as written (start: the
 *                    address, host order; hit: PX_R4_PFX(len, zone,
 *                    except)), for `save`, `show` and `diff` to read back;
 *                    then the ranges by start address (host order); the
 *                    array may be longer (room for 2n + 1 ranges).
 *
 * A source a is in range r, the last of its /16's window whose start is
 * <= a: a bisection of at most 16 steps (PX_R4_STEPS), none when its /16
 * is one range. Hits pack struct px_zone_hit: zone in the low 16 bits,
 * flags in the high 16.
 */
struct px_range4 {
	__u32 start;
	__u32 hit;
};

#define PX_R4_WHOLE 0xffffffffU
#define PX_R4_HEAD 65536U
#define PX_R4_FIRST (PX_R4_HEAD + 1)
#define PX_R4_STEPS 17 /* > log2(65536 + 1): a /16's whole window */
#define PX_R4_HIT(zone, flags) ((zone) | (__u32)(flags) << 16)
#define PX_R4_PFX(len, zone, except)                                           \
	((len) | (__u32)(zone) << 8 | ((except) ? 1U << 16 : 0))

/* IPv6 trie keys: prefixlen, then the address in network order. */
struct px_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Per-zone counts: PERCPU_ARRAY by zone index, of the packets a zone's
 * verdicts decided (dropped/passed) or that a block dropped. */
struct px_zone_count {
	__u64 dropped;
	__u64 passed;
	__u64 blocked;
};

#define PX_COUNTER_KEYS (PX_NPROTO * PX_PORTS)

/*
 * Per-port counters, as userspace reports them: dropped and passed per
 * (protocol, port), summed over CPUs. Key (host order): proto * PX_PORTS +
 * port. This is what maps_read_counters() returns, not what the map holds.
 */
struct px_port_counter {
	__u64 dropped;
	__u64 passed;
};

/*
 * What the map holds: px_counters is an ARRAY with BPF_F_MMAPABLE whose
 * every value is 512 KiB (struct px_slice), read by userspace through one
 * mmap() of the whole map. Entries:
 *
 *   0-1  PX_CTR_WRAPS_DROPPED  __u64 wraps[PX_COUNTER_KEYS] of `dropped`
 *   2-3  PX_CTR_WRAPS_PASSED   __u64 wraps[PX_COUNTER_KEYS] of `passed`
 *   4-5  PX_CTR_BEGUN          __u64 begun[PX_COUNTER_KEYS]
 *   6+c  CPU c's slice         struct px_slot slot[PX_COUNTER_KEYS]
 *
 * (entry PX_CTR_WRAPS_DROPPED + proto holds that protocol's 65536 ports,
 * and so on.)
 * The loader sets max_entries = PX_CTR_ENTRIES(possible CPUs) before load.
 * Memory: 512 KiB per CPU plus a fixed 3 MiB (xdp-filter: 512 KiB per CPU
 * for one counter per port; the old layout here, one __u64 pair per key
 * per CPU: 2 MiB per CPU).
 *
 * The count of a key is exact:
 *   dropped = wraps_dropped[key] * 65536 + sum over CPUs of slot.dropped
 * (passed alike). Each CPU increments only its own slot, plainly: no other
 * writer, as in a PERCPU_ARRAY. When a slot would go from 65535 to 0 (a
 * wrap, once per 65536 packets of that key on that CPU) the program does,
 * in this order:
 *   1. begun[key] += 1        (atomic, fully ordered: fetch-and-add)
 *   2. slot = 0               (plain store)
 *   3. wraps[key] += 1        (atomic, fully ordered: fetch-and-add)
 * so begun[key] counts the wraps of that key that have started and
 * wraps_dropped[key] + wraps_passed[key] those that have finished.
 *
 * A reader (user/maps.c) reads, in this order, with acquire fences between:
 *   a. done = wraps_dropped[key] + wraps_passed[key]
 *   b. every CPU's slot of key
 *   c. begun[key]
 * and keeps the reading only when done == begun; otherwise it reads
 * that key again (a-b-c). Why that reading is a true count:
 *   - a wrap counted in begun at (c) had its step 1 before (c). When begun
 *     == done, every such wrap is also counted in done at (a): its step 3,
 *     and so its step 2, happened before (a), before any read of (b). The
 *     slots read in (b) already hold its reset and (a) holds its 65536.
 *   - a wrap not counted at (c) has its step 1 after (c), so its steps 2
 *     and 3 come after every read of (b) and (a): neither is seen.
 * So no wrap is seen half done. Between wraps a slot only grows, so each
 * CPU contributes its true count at the moment its slot was read, and
 * a later reading (which starts after the earlier one ended) reads every
 * CPU later: a counter never goes backwards between two reads, and no
 * reader keeps state for that.
 *
 * Why not a PERCPU_ARRAY: the kernel's batch lookup costs about 240 ns per
 * entry (over 30 ms for 131072 keys); one mmap reads every CPU at memory
 * speed. Why 16-bit slots: 32-bit ones would take 1 MiB per CPU.
 */
struct px_slot {
	__u16 dropped;
	__u16 passed;
};

struct px_slice {
	struct px_slot slot[PX_COUNTER_KEYS];
};

#define PX_SLOT_MAX 0xffff /* the value that wraps to 0 on the next packet */
#define PX_SLOT_WRAP 65536 /* what one wrap counts */
#define PX_CTR_WRAPS_DROPPED 0
#define PX_CTR_WRAPS_PASSED 2
#define PX_CTR_BEGUN 4
#define PX_CTR_FIXED 6 /* entries before CPU 0's slice */
#define PX_CTR_ENTRIES(ncpus) (PX_CTR_FIXED + (__u32)(ncpus))

/*
 * Totals: PERCPU_ARRAY with one entry (key 0). Written by the XDP program.
 * dropped/passed count, by verdict, every packet the program saw that has
 * no per-port counter: a packet judged by its port adds to its port's
 * counter instead, and userspace adds the port counters in
 * (maps_read_totals), so the totals a user sees cover every packet. The
 * other fields say why some packets were what they were:
 *   malformed    dropped as malformed (doc/design.md, section 5), included in
 * dropped fragments    later IP fragments (no L4 header), whatever the verdict
 *   non_ip       frames that are neither IPv4 nor IPv6 (passed)
 *   ping_*       ICMP/ICMPv6 echo requests by verdict
 *   blocked      dropped because a `block` line names the source
 *   replies      passed to a closed port as a reply to this host's flow
 *   banned       dropped because the source is banned
 */
struct px_totals {
	__u64 dropped;
	__u64 passed;
	__u64 malformed;
	__u64 fragments;
	__u64 non_ip;
	__u64 ping_dropped;
	__u64 ping_passed;
	__u64 blocked;
	__u64 replies;
	__u64 banned;
};

/* Map and program names, as the skeleton and the pin folder see them. */
#define PX_PIN_ROOT "/sys/fs/bpf/portxdp"
#define PX_PIN_LINK "link"
#define PX_PIN_POLICY "policy"
#define PX_PIN_COUNTERS "counters"
#define PX_PIN_TOTALS "totals"
#define PX_PIN_ZONES "zones"
#define PX_PIN_ZONE4 "zone4"
#define PX_PIN_ZONE6 "zone6"
#define PX_PIN_ZONE_COUNTS "zone_counts"
#define PX_PIN_BANS "bans"
#define PX_PIN_SCAN "scan"	     /* the scan counts of the ban rule */
#define PX_PIN_BAN_CACHE "ban_cache" /* px_ban_cache, per CPU */
#define PX_PIN_BAN_GEN "ban_gen"     /* px_ban_gen's section */

/*
 * The drop log (`portxdp log IF`), appended to the ABI above.
 *
 * px_events: BPF_MAP_TYPE_RINGBUF of struct px_event, one per logged drop;
 * written by the XDP program, read by the one `log` reader.
 *
 * px_log: struct px_log_ctl, a global in its own data section
 * (.data.px_log: a one-entry mmapable ARRAY), so the program reads `on`
 * with one load and one branch, no lookup, and the reader writes it through
 * mmap. The reader owns on, rate, lease_ns and reader_pid; the program owns
 * the rest.
 *   on          non-zero while a reader runs. 0: the whole cost of the log
 *               for a packet is the one untaken branch on it
 *   rate        events a second: the token bucket's refill and burst
 *   lease_ns    bpf_ktime_get_ns() deadline; the reader renews it every
 *               second, and past it the program clears `on` itself, so a
 *               reader killed without cleanup stops the events
 *   tokens      the bucket, in billionths of an event (no division in the
 *               program); shared by all CPUs: a race only blurs the rate
 *   last_ns     when the bucket was last refilled
 *   suppressed  drops not logged because the bucket was empty
 *   lost        drops not logged because the ring buffer was full
 */
#define PX_EVENTS_BYTES (256 * 1024)
#define PX_LOG_RATE_DEFAULT 100
#define PX_LOG_RATE_MAX 1000000
#define PX_LOG_LEASE_NS 3000000000ULL
#define PX_NSEC 1000000000LL

/* Bytes of a dropped frame the log carries: Ethernet, IPv6 with a few
 * extension headers, and TCP with options fit. */
#define PX_EVENT_SNAPLEN 128

/* px_event.reason */
enum px_drop_reason {
	PX_DROP_CLOSED_PORT = 1, /* TCP/UDP to a closed port, or to port 0 */
	PX_DROP_PING = 2,	 /* echo request while ping is closed */
	PX_DROP_MALFORMED = 3,
	PX_DROP_FRAGMENT = 4, /* later fragment with `option fragments drop` */
	PX_DROP_BLOCKED = 5,  /* the source is named by a `block` line */
	PX_DROP_BANNED = 6,   /* the source is banned */
	/* TCP/UDP to a closed port, and the ban rule's Nth: this packet made
	 * its source banned (logged whatever the rate) */
	PX_DROP_BAN_SCAN = 7,
};

struct px_event {
	__u64 time_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u8 saddr[16]; /* IPv4 in the first 4 bytes; zeros when not read */
	__u16 sport;	/* host order; 0 when not TCP/UDP or not read */
	__u16 dport;	/* host order; 0 when not TCP/UDP */
	__u8 family;	/* 4, 6, or 0 when the IP header was not read */
	__u8 proto;	/* IPPROTO_TCP/UDP/ICMP/ICMPV6, or 0 */
	__u8 reason;	/* enum px_drop_reason */
	__u8 zone;	/* the zone that decided (index), 0: none */
	/* The frame itself, for `log --pcap`: its first cap_len bytes (at
	 * most PX_EVENT_SNAPLEN) of frame_len. */
	__u32 frame_len;
	__u32 cap_len;
	__u8 frame[PX_EVENT_SNAPLEN];
};

struct px_log_ctl {
	__u32 on;
	__u32 rate;
	__u64 lease_ns;
	__u32 reader_pid;
	__u32 reserved;
	__s64 tokens;
	__u64 last_ns;
	__u64 suppressed;
	__u64 lost;
};

#define PX_PIN_EVENTS "events"
#define PX_PIN_LOG_CTL "log_ctl"

/*
 * Replies (doc/design.md, section 9): px_flows is an LRU_HASH of the flows
 * this host opened, written by the egress program and read by the XDP
 * program. The key is the flow as it leaves (local = this host's side);
 * the XDP program builds it from an arriving packet reversed. Ports in
 * NETWORK order, as in the packet (no conversion on either side);
 * addresses as in the packet, IPv4 in the first 4 bytes, the rest zero.
 * The value is the last outgoing packet's bpf_ktime_get_coarse_ns().
 */
#define PX_REPLY_SIZE_DEFAULT 65536
#define PX_REPLY_SIZE_MIN 16
#define PX_REPLY_SIZE_MAX (1U << 24)
#define PX_REPLY_TCP_IDLE_S 300
#define PX_REPLY_UDP_IDLE_S 60
#define PX_REPLY_IDLE_MAX_S 86400

struct px_flow_key {
	__u8 local[16];
	__u8 remote[16];
	__u16 local_port;  /* network order */
	__u16 remote_port; /* network order */
	__u8 proto;	   /* PX_TCP or PX_UDP */
	__u8 family;	   /* 4 or 6 */
	__u16 pad;	   /* always 0 */
};

#define PX_PIN_FLOWS "flows"

#endif /* PORTXDP_H */
