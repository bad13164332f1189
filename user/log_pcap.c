// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* log --pcap: events to pcapng packets; see log_pcap.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log_pcap.h"
#include "pcapng.h"

FILE *log_pcap_open(const char *path, const char *ifname)
{
	FILE *f;

	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			px_error("--pcap - writes binary pcapng to stdout, "
				 "which "
				 "is a terminal: pipe it (| tcpdump -r -) or "
				 "give a file name");
			return NULL;
		}
		f = stdout;
	} else {
		f = fopen(path, "w");
		if (!f) {
			px_error("cannot write %s: %s: give a writable file "
				 "name, or - for stdout",
				 path, strerror(errno));
			return NULL;
		}
	}
	if (pcapng_start(f, ifname, PX_EVENT_SNAPLEN) || fflush(f)) {
		px_error("cannot write %s: %s", path, strerror(errno));
		if (f != stdout)
			fclose(f);
		return NULL;
	}
	return f;
}

int log_pcap_event(FILE *f, const struct px_event *e, __s64 real_minus_mono_ns,
		   const char *reason, const char *proto)
{
	__u32 cap =
		e->cap_len < PX_EVENT_SNAPLEN ? e->cap_len : PX_EVENT_SNAPLEN;
	char comment[64];

	if (e->dport && proto)
		snprintf(comment, sizeof(comment), "%s %u/%s", reason, e->dport,
			 proto);
	else if (proto)
		snprintf(comment, sizeof(comment), "%s %s", reason, proto);
	else
		snprintf(comment, sizeof(comment), "%s", reason);
	if (pcapng_packet(f, (__u64)((__s64)e->time_ns + real_minus_mono_ns),
			  e->frame, cap, e->frame_len, comment) ||
	    fflush(f))
		return -EIO;
	return 0;
}

int log_pcap_close(FILE *f, const char *path)
{
	int err = fflush(f) ? -EIO : 0;

	if (f != stdout && fclose(f))
		err = -EIO;
	if (err)
		px_error("cannot write %s: %s", path, strerror(errno));
	return err;
}
