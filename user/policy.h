/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The policy language (doc/design.md, section 3): one parser, used by attach,
 * apply, open/close, diff and check. It turns text into a struct px_policy
 * (include/portxdp.h), reporting errors as FILE:LINE:COL: message.
 */
#ifndef PX_POLICY_H
#define PX_POLICY_H

#include <stdbool.h>
#include <stdio.h>

#include <linux/types.h>

#include "portxdp.h"

/* What a parse found; warnings are those of `check` (issue: policy). */
struct policy_report {
	unsigned int errors;
	unsigned int warnings;
	bool cuts_ssh; /* closes 22/tcp while SSH_CONNECTION is set */
};

/*
 * Parse the policy file at path into *out. *out starts as "default open,
 * ping open, fragments pass" and lines apply in order. Errors and warnings
 * go to err (NULL: stderr) as "FILE:LINE:COL: error: msg" with a hint.
 * The ephemeral class reads net.ipv4.ip_local_port_range of the current
 * network namespace. out->source is set to path, out->applied_at left 0.
 * Returns 0 (warnings allowed), -EINVAL when the policy has errors, or
 * -errno when the file cannot be read (message printed, naming the file).
 */
int policy_load_file(const char *path, struct px_policy *out,
		     struct policy_report *rep, FILE *err);

/* The same for text in memory; name is what messages call the file. */
int policy_load_text(const char *name, const char *text, struct px_policy *out,
		     struct policy_report *rep, FILE *err);

/*
 * Apply `open SPEC...` or `close SPEC...` to an existing policy (the live
 * one), as if that line were appended to its file. Errors name the
 * argument ("argument 2: ..."). Returns 0 or -EINVAL; *pol is unchanged
 * on error.
 */
int policy_apply_specs(struct px_policy *pol, bool open, int n,
		       char *const specs[], struct policy_report *rep,
		       FILE *err);

/* Bit helpers, shared by every reader of a px_policy. */
static inline bool policy_port_open(const struct px_policy *p, int proto,
				    unsigned int port)
{
	return (p->open[proto][port / 64] >> (port % 64)) & 1;
}

static inline void policy_set_port(struct px_policy *p, int proto,
				   unsigned int port, bool open)
{
	__u64 bit = 1ULL << (port % 64);

	if (open)
		p->open[proto][port / 64] |= bit;
	else
		p->open[proto][port / 64] &= ~bit;
}

/* Number of open ports of a protocol (0..65536). */
unsigned int policy_count_open(const struct px_policy *p, int proto);

/*
 * `portxdp check`: parse like policy_load_file/_text, and also print the
 * warnings (FILE:LINE:COL: warning: msg, or FILE: warning: msg for the
 * whole policy) about policies that will hurt: FTP half open, the
 * ephemeral range closed, the SSH session's port closed, bootpc closed.
 * policy_load_* count warnings in rep but print none. Same returns.
 */
int policy_check_file(const char *path, struct px_policy *out,
		      struct policy_report *rep, FILE *err);
int policy_check_text(const char *name, const char *text, struct px_policy *out,
		      struct policy_report *rep, FILE *err);

/*
 * net.ipv4.ip_local_port_range of the current network namespace (the
 * `ephemeral` class). 0 or -errno.
 */
int policy_ephemeral_range(unsigned int *lo, unsigned int *hi);

/* A run of ports of one protocol that are all in one state. */
struct policy_range {
	int proto; /* PX_TCP or PX_UDP */
	unsigned int lo, hi;
	bool open; /* the state in the new policy (diff) or the asked one */
};

/*
 * The ports whose state differs between from and to, as maximal ranges,
 * TCP first, then UDP, each by port. Writes at most max to out (out may
 * be NULL when max is 0) and returns how many there are.
 */
int policy_diff(const struct px_policy *from, const struct px_policy *to,
		struct policy_range *out, int max);

/* The ranges of a protocol's ports in state open, like policy_diff. */
int policy_ranges(const struct px_policy *p, int proto, bool open,
		  struct policy_range *out, int max);

/* A policy with every port open, ping open, fragments passed. */
void policy_init(struct px_policy *p);

#endif
