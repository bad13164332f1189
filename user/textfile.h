/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one reader of the text files people hand portxdp (policies, the port
 * table): whole, bounded, and only from a regular file or stdin.
 */
#ifndef PX_TEXTFILE_H
#define PX_TEXTFILE_H

#include <stddef.h>
#include <stdio.h>

#define PX_TEXT_MAX (1 << 20) /* 1 MiB: far more than any policy */

/*
 * Read path whole into a new NUL-terminated *text (free it) of *len bytes,
 * without a leading UTF-8 byte-order mark. "-" is stdin. Anything but a
 * regular file (a directory, FIFO, device, socket) is refused at once,
 * without opening it for more than a look, so a FIFO cannot hang the
 * command; so are files over PX_TEXT_MAX and files holding NUL or other
 * control bytes (a binary file), whose content is never quoted.
 *
 * On failure one line goes to err (NULL: stderr):
 *   portxdp: error: cannot read WHAT PATH: REASON: FIX
 * where FIX is the caller's fix when the file cannot be opened (e.g. "check
 * the path") and the reader's own for a file of the wrong kind.
 * Returns 0; -EINVAL for binary content (it is no policy and no table:
 * invalid input); -EISDIR, -ENOTSUP (FIFO, device, socket), -EFBIG, or
 * the -errno of open/read when it cannot be read.
 */
int px_text_read(const char *path, const char *what, const char *fix,
		 char **text, size_t *len, FILE *err);

/* The same with a bound of max bytes (zone files: PX_ZONE_FILE_MAX). */
#define PX_ZONE_FILE_MAX ((size_t)256 << 20)
int px_text_read_max(const char *path, const char *what, const char *fix,
		     size_t max, char **text, size_t *len, FILE *err);

#endif
