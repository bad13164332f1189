/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `portxdp log IF --pcap FILE|-`: the dropped frames the log carries
 * (include/portxdp.h, px_event.frame) written as pcapng (pcapng.c), each
 * with its reason and port as the packet's comment, for tcpdump -r and
 * Wireshark. cmd_log.c reads the ring buffer and calls these.
 */
#ifndef PX_LOG_PCAP_H
#define PX_LOG_PCAP_H

#include <stdio.h>

#include <linux/types.h>

#include "portxdp.h"

/*
 * Open path ("-": stdout, refused on a terminal) and write the headers
 * for ifname. NULL on error (printed).
 */
FILE *log_pcap_open(const char *path, const char *ifname);

/*
 * One event: its time (CLOCK_MONOTONIC, moved to the epoch by
 * real_minus_mono_ns), its frame, and "REASON PORT/PROTO" as the comment
 * (reason and proto as the text log names them; proto may be NULL).
 * 0 or -EIO.
 */
int log_pcap_event(FILE *f, const struct px_event *e, __s64 real_minus_mono_ns,
		   const char *reason, const char *proto);

/* Flush, and close unless stdout. 0 or -EIO (printed). */
int log_pcap_close(FILE *f, const char *path);

#endif
