/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live policy and the file it came from (doc/design.md, section 2):
 * whether they still agree, and keeping a live change in that file
 * (`open`/`close --persist`).
 *
 * The live policy carries its own provenance, so it can never disagree
 * with what it describes: source is "FILE" or "FILE + open 8080/tcp +
 * close 23" (the live changes since, oldest first), and source_hash the
 * FNV-1a hash of FILE's bytes as they were parsed (include/portxdp.h).
 * Nothing is kept beside the policy: a file edited since it was applied
 * shows as a different hash, a live change as a note in source.
 */
#ifndef PX_POLICY_SOURCE_H
#define PX_POLICY_SOURCE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "portxdp.h"

/* FNV-1a (32 bits) of len bytes; never 0, which means "not recorded". */
__u32 policy_source_hash(const char *text, size_t len);

/*
 * How the live policy stands to its source file:
 *   file      FILE of "FILE + ...", "" when the source is no file (stdin)
 *   changes   the live changes after FILE ("open 8080/tcp + close 23"),
 *             "" when none
 *   edited    FILE's bytes differ from those applied (stored hash known)
 *   differs   FILE, parsed now, gives another policy than the live one
 *   err       0, or -errno when FILE cannot be read or parsed (then
 *             edited and differs are false: unknown)
 */
struct policy_source {
	char file[PATH_MAX];
	char changes[PX_SOURCE_LEN];
	bool edited, differs;
	int err;
};

/* Fill *s for live; reads and parses FILE quietly. */
void policy_source_check(const struct px_policy *live, struct policy_source *s);

/*
 * A change on its way into the source file: the new text is written to a
 * temporary file beside it (mode and owner of the original), made the
 * file by rename() only once the live change is in.
 */
struct policy_persist {
	char path[PATH_MAX]; /* the real file (symlinks resolved) */
	char tmp[PATH_MAX];  /* the new text, not yet renamed */
	__u32 hash;	     /* of the new text */
};

/*
 * Prepare appending `line` (e.g. "open 8080/tcp") to live's source file,
 * after a dated comment naming verb. Refuses, printing one line naming
 * the fix, when live has changes not in its file, when the file was
 * edited since it was applied (or is not a file), or when the file with
 * the line would not give expect (the live policy with the change).
 * 0 with p->tmp written, or -errno.
 */
int policy_persist_prepare(const char *ifname, const char *verb,
			   const struct px_policy *live, const char *line,
			   const struct px_policy *expect,
			   struct policy_persist *p);

/* Make the new text the file (rename, then the folder synced). 0 or -errno
 * (printed; the temporary file is removed). */
int policy_persist_commit(struct policy_persist *p);

/* Remove the temporary file. */
void policy_persist_abort(struct policy_persist *p);

/*
 * open/close: change ("open 8080/tcp") noted in pol->source as "FILE +
 * change"; the oldest changes give way to "..." when it no longer fits.
 */
void policy_source_note(struct px_policy *pol, const char *change);

#endif
