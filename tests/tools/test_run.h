/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The benchmark tools' one timed BPF_PROG_TEST_RUN: the CPU time of this
 * thread around repeat runs of one packet, per packet.
 */
#ifndef PX_TOOLS_TEST_RUN_H
#define PX_TOOLS_TEST_RUN_H

#include <errno.h>
#include <time.h>

#include <linux/types.h>
#include <bpf/bpf.h>

/* CPU time of this thread, ns. */
static inline double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per packet over repeat runs of data on fd, the program's return in
 * *retval; -errno when the kernel refuses the run. */
static inline double test_run_ns(int fd, const void *data, __u32 len,
				 __u32 repeat, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = len, .repeat = repeat);
	double t0 = thread_ns(), t1;

	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	t1 = thread_ns();
	*retval = opts.retval;
	return (t1 - t0) / repeat;
}

#endif
