/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The policy language (doc/design.md, section 3): one parser, used by attach,
 * apply, open/close, diff and check. It turns text into a struct px_policy
 * (include/portxdp.h), reporting errors as FILE:LINE:COL: message.
 *
 * Where things live: the grammar and tokeniser in policy_grammar.c, SPECs
 * (ports, names, classes) in policy_spec.c, messages in policy_diag.c,
 * check's warnings in policy_lint.c, the bitmaps and diffs in
 * policy_bitmap.c, the live sources (ephemeral range, SSH session guard)
 * in policy_live.c; their shared state in policy_state.h.
 */
#ifndef PX_POLICY_H
#define PX_POLICY_H

#include <stdbool.h>
#include <stdio.h>

#include <linux/types.h>

#include "portxdp.h"
#include "policy_bitmap.h"
#include "policy_live.h"

/* What a parse found; warnings are those of `check`. */
struct policy_report {
	unsigned int errors;
	unsigned int shown_errors; /* printed: the first 20 */
	unsigned int warnings;
	unsigned int intended; /* warnings on lines marked `# intended` */
	bool cuts_ssh; /* closes this SSH session's port (policy_live.h) */
};

/*
 * Parse the policy file at path ("-": stdin) into *out. *out starts as
 * "default open, ping open, fragments pass" and lines apply in order; a
 * policy with no rule line at all is an error (it would open everything
 * by accident). Errors and warnings go to err (NULL: stderr) as
 * "FILE:LINE:COL: error: msg" with a hint. A file that is not a regular
 * file, or plainly not a policy, is refused without quoting it.
 * The ephemeral class reads net.ipv4.ip_local_port_range of the current
 * network namespace. out->source is set to path, out->applied_at left 0.
 * Returns 0 (warnings allowed), -EINVAL when the policy has errors (or is
 * binary), or -errno when the file cannot be read (message printed,
 * naming the file).
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
 * on error. rep->cuts_ssh: the change closes the SSH session's port.
 */
int policy_apply_specs(struct px_policy *pol, bool open, int n,
		       char *const specs[], struct policy_report *rep,
		       FILE *err);

/*
 * `portxdp check`: parse like policy_load_file/_text, and also print the
 * warnings (FILE:LINE:COL: warning: msg) about policies that will hurt
 * (policy_lint.c). policy_load_* count warnings in rep but print none.
 * Same returns.
 */
int policy_check_file(const char *path, struct px_policy *out,
		      struct policy_report *rep, FILE *err);
int policy_check_text(const char *name, const char *text, struct px_policy *out,
		      struct policy_report *rep, FILE *err);

/*
 * The same with zones (doc/design.md, section 8; policy_zone.h): *zs gets
 * the policy's zones (NULL when it has none; free with zoneset_free), and
 * `local` reads the prefixes of ifname (NULL: not read; a warning). The
 * functions above keep the base verdicts of a policy with zones and
 * drop its zones: for verbs that judge by port only.
 */
struct px_zoneset;
int policy_load_zoned(const char *path, const char *ifname, bool warnings,
		      struct px_policy *out, struct px_zoneset **zs,
		      struct policy_report *rep, FILE *err);
int policy_text_zoned(const char *name, const char *text, const char *ifname,
		      struct px_policy *out, struct px_zoneset **zs,
		      struct policy_report *rep, FILE *err);

#endif
