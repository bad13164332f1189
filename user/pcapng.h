/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal pcapng writer (the format of Wireshark and tcpdump, IETF
 * draft-ietf-opsawg-pcapng): one Section Header Block, one Interface
 * Description Block for Ethernet with nanosecond timestamps, then one
 * Enhanced Packet Block per packet, each with an optional comment. Blocks
 * are written in host byte order, as the format allows (readers look at the
 * byte-order magic).
 */
#ifndef PX_PCAPNG_H
#define PX_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

/*
 * The section and interface headers: ifname names the interface,
 * snaplen is the most bytes of a packet any block holds. 0 or -EIO.
 */
int pcapng_start(FILE *f, const char *ifname, uint32_t snaplen);

/*
 * One packet: time in nanoseconds since the epoch, its first caplen bytes
 * out of origlen, and comment (or NULL) as its opt_comment. 0 or -EIO.
 */
int pcapng_packet(FILE *f, uint64_t time_ns, const void *data, uint32_t caplen,
		  uint32_t origlen, const char *comment);

#endif
