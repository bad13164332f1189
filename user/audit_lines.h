/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which line of a policy decides each port, so that audit's findings can
 * name the line that causes them. Lines apply in order and a later line
 * wins for the ports it names (doc/design.md, section 3), so the deciding
 * line of a port is the last one that names it. What a line names is
 * found with the one parser: an `open` line alone on a closed policy opens
 * exactly its ports, a `close` line alone on an open one closes exactly
 * its ports; `default` names every port and ping.
 */
#ifndef PX_AUDIT_LINES_H
#define PX_AUDIT_LINES_H

#include <limits.h>

#include <linux/types.h>

#include "portxdp.h"

struct policy_lines {
	char name[PATH_MAX];		 /* the policy file */
	unsigned int nlines;		 /* lines in text */
	unsigned int file_lines;	 /* lines from the file; later ones are
					    open/close changes made live */
	char **text;			 /* text[k - 1]: line k, trimmed */
	__u16 line[PX_NPROTO][PX_PORTS]; /* deciding line, 0: none */
	__u16 ping_line;
};

/*
 * Attribute every port of the policy text (file_lines of which came from
 * the file name, the rest are changes such as "open 8080/tcp"). When
 * expect is given, fail with -ESTALE unless the text still gives that
 * policy. Returns a new struct or NULL with *err set.
 */
struct policy_lines *policy_lines_build(const char *name, const char *text,
					unsigned int file_lines,
					const struct px_policy *expect,
					int *err);

/*
 * For the live policy: its source "FILE + open X + close Y" read back as
 * FILE's text and the changes. -ESTALE when FILE no longer gives the live
 * policy (edited since applied), -errno when it cannot be read.
 */
struct policy_lines *policy_lines_live(const struct px_policy *live, int *err);

/* The same for a file. */
struct policy_lines *policy_lines_file(const char *path, int *err);

void policy_lines_free(struct policy_lines *pl);

/*
 * Where line k comes from, for a message: "FILE:K 'open 8080/tcp'", or
 * "the live change 'open 8080/tcp'", or "no line (a policy is default
 * open)" for k == 0. Writes into buf and returns it.
 */
const char *policy_lines_where(const struct policy_lines *pl, unsigned int k,
			       char *buf, unsigned long len);

#endif
