// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pcapng writer of `portxdp log --pcap` (see pcapng.h). Every block is
 * built whole in memory and written with one fwrite, so a reader that
 * follows a pipe never sees half a block.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"

#define BT_SHB 0x0A0D0D0AU
#define BT_IDB 0x00000001U
#define BT_EPB 0x00000006U
#define BYTE_ORDER_MAGIC 0x1A2B3C4DU
#define LINKTYPE_ETHERNET 1
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9

#define PAD4(n) (((n) + 3U) & ~3U)

struct block {
	unsigned char buf[1024];
	size_t len;
};

static void put(struct block *b, const void *p, size_t n)
{
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put32(struct block *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void put16(struct block *b, uint16_t v)
{
	put(b, &v, sizeof(v));
}

/* An option: code, length, value padded to 4 bytes; at most 256 bytes. */
static void put_opt(struct block *b, uint16_t code, const void *v, size_t n)
{
	static const unsigned char zero[4];

	if (n > 256)
		n = 256;
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, v, n);
	put(b, zero, PAD4(n) - n);
}

/* Type and a placeholder length; finish() fills both lengths. */
static void begin(struct block *b, uint32_t type)
{
	b->len = 0;
	put32(b, type);
	put32(b, 0);
}

static int finish(struct block *b, FILE *f)
{
	uint32_t total;

	put16(b, OPT_END);
	put16(b, 0);
	total = (uint32_t)b->len + 4;
	memcpy(b->buf + 4, &total, 4);
	put32(b, total);
	return fwrite(b->buf, 1, b->len, f) == b->len ? 0 : -EIO;
}

int pcapng_start(FILE *f, const char *ifname, uint32_t snaplen)
{
	static const char appl[] = "portxdp log --pcap";
	const uint8_t nanoseconds = 9;
	struct block b;
	int err;

	begin(&b, BT_SHB);
	put32(&b, BYTE_ORDER_MAGIC);
	put16(&b, 1); /* version 1.0 */
	put16(&b, 0);
	put32(&b, 0xffffffffU); /* section length: unknown */
	put32(&b, 0xffffffffU);
	put_opt(&b, OPT_SHB_USERAPPL, appl, strlen(appl));
	err = finish(&b, f);
	if (err)
		return err;

	begin(&b, BT_IDB);
	put16(&b, LINKTYPE_ETHERNET);
	put16(&b, 0);
	put32(&b, snaplen);
	put_opt(&b, OPT_IF_NAME, ifname, strlen(ifname));
	put_opt(&b, OPT_IF_TSRESOL, &nanoseconds, 1);
	return finish(&b, f);
}

int pcapng_packet(FILE *f, uint64_t time_ns, const void *data, uint32_t caplen,
		  uint32_t origlen, const char *comment)
{
	static const unsigned char zero[4];
	struct block b;

	if (caplen > 256)
		caplen = 256; /* the block's buffer; the log carries less */
	begin(&b, BT_EPB);
	put32(&b, 0); /* interface 0: the one IDB */
	put32(&b, (uint32_t)(time_ns >> 32));
	put32(&b, (uint32_t)time_ns);
	put32(&b, caplen);
	put32(&b, origlen < caplen ? caplen : origlen);
	put(&b, data, caplen);
	put(&b, zero, PAD4(caplen) - caplen);
	if (comment)
		put_opt(&b, OPT_COMMENT, comment, strlen(comment));
	return finish(&b, f);
}
