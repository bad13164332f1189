// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one text-file reader (textfile.h). Policies are read as root by
 * attach, apply and diff, possibly through sudo on a path someone else
 * chose, so the reader looks before it reads: it opens without blocking
 * and without becoming a terminal's owner, checks on that descriptor that
 * it is a regular file (a FIFO would hang, /dev/zero never ends, a
 * directory reads as EISDIR), reads at most 1 MiB, and refuses binary
 * content as a whole instead of letting a parser quote it line by line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "text.h"
#include "textfile.h"

static const char bom[] = "\xef\xbb\xbf";

/* What a file of this mode is, for "PATH is a FIFO, not a text file". */
static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* Control bytes a text file never holds: NUL and C0 but tab, CR, LF, VT, FF. */
static const bool binary_byte[256] = {
	[0x00] = true, [0x01] = true, [0x02] = true, [0x03] = true,
	[0x04] = true, [0x05] = true, [0x06] = true, [0x07] = true,
	[0x08] = true, [0x0e] = true, [0x0f] = true, [0x10] = true,
	[0x11] = true, [0x12] = true, [0x13] = true, [0x14] = true,
	[0x15] = true, [0x16] = true, [0x17] = true, [0x18] = true,
	[0x19] = true, [0x1a] = true, [0x1b] = true, [0x1c] = true,
	[0x1d] = true, [0x1e] = true, [0x1f] = true, [0x7f] = true};

/* By table, a branch per 4 KiB: zone files of 256 MiB pass here. */
static bool is_binary(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t end = len - i > 4096 ? i + 4096 : len;
		bool bad = false;

		for (; i < end; i++)
			bad |= binary_byte[u[i]];
		if (bad)
			return true;
	}
	return false;
}

static int read_all(int fd, char *buf, size_t max, size_t *len)
{
	size_t n = 0;

	while (n < max) {
		ssize_t r = read(fd, buf + n, max - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

/* Open path for a look: a regular file, or a refusal printed. */
static int open_regular(const char *path, const char *what, const char *fix,
			FILE *err, size_t *size)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		if (e == -ELOOP) /* strerror says "too many levels" */
			text_line(
				err,
				"portxdp: error: cannot read %s %s: it is a "
				"loop of symbolic links (or too long a chain): "
				"point the link at the file",
				what, path);
		else if (e == -ENXIO) /* a socket, or a FIFO on some systems */
			text_line(err,
				  "portxdp: error: cannot read %s %s: it is "
				  "not a regular file: give the path of a text "
				  "file",
				  what, path);
		else
			text_line(err,
				  "portxdp: error: cannot read %s %s: %s: %s",
				  what, path, strerror(-e), fix);
		return e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? -EISDIR : -ENOTSUP;
		text_line(
			err,
			"portxdp: error: cannot read %s %s: it is %s, not a "
			"text file: %s",
			what, path, kind_of(st.st_mode),
			S_ISDIR(st.st_mode) ? "name a file inside it"
			: strcmp(what, "policy")
				? "give the path of a regular file"
				: "give the path of a regular file, or '-' for "
				  "stdin");
		close(fd);
		return e;
	}
	*size = (size_t)st.st_size;
	/* Regular files never block; clear the flag for tidiness. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int px_text_read(const char *path, const char *what, const char *fix,
		 char **text, size_t *len, FILE *err)
{
	return px_text_read_max(path, what, fix, PX_TEXT_MAX, text, len, err);
}

int px_text_read_max(const char *path, const char *what, const char *fix,
		     size_t max, char **text, size_t *len, FILE *err)
{
	bool is_stdin = !strcmp(path, "-");
	size_t n = 0, size = max, cap;
	char *buf;
	int fd, e;

	if (!err)
		err = stderr;
	*text = NULL;
	*len = 0;
	if (!*path) { /* e.g. `apply eth0 "$UNSET"` */
		text_line(err,
			  "portxdp: error: the path of the %s is empty: "
			  "give the file's path (is a shell variable unset?)",
			  what);
		return -ENOENT;
	}
	fd = is_stdin ? STDIN_FILENO
		      : open_regular(path, what, fix, err, &size);
	if (fd < 0)
		return fd;
	/* One buffer of the file's size (one byte more shows it grew). */
	cap = (size < max ? size : max) + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		e = -ENOMEM;
		goto out;
	}
	e = read_all(fd, buf, cap, &n);
	if (e) {
		text_line(err, "portxdp: error: cannot read %s %s: %s: %s",
			  what, is_stdin ? "from stdin" : path, strerror(-e),
			  fix);
		goto out;
	}
	if (!is_stdin && !size && n) { /* /proc, /sys: size 0, text more */
		e = -EINVAL;
		text_line(err,
			  "portxdp: error: cannot read %s %s: it is not a "
			  "regular file (its size says 0, yet it holds text: "
			  "/proc or /sys?): give the path of a %s",
			  what, path, what);
		goto out;
	}
	if (n > max || (n == cap && size < max)) {
		e = -EFBIG;
		text_line(err,
			  "portxdp: error: cannot read %s %s: it is over %zu "
			  "MiB%s: a %s is a text file of at most that",
			  what, is_stdin ? "from stdin" : path, max >> 20,
			  n > max ? "" : " (or grew while read)", what);
		goto out;
	}
	if (is_binary(buf, n)) {
		e = -EINVAL;
		text_line(
			err,
			"portxdp: error: %s is not a %s: it holds NUL or other "
			"control bytes (a binary file?); its content is not "
			"shown",
			is_stdin ? "stdin" : path, what);
		goto out;
	}
	if (n >= 3 && !memcmp(buf, bom, 3)) { /* Windows editors write one */
		memmove(buf, buf + 3, n - 3);
		n -= 3;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	if (!is_stdin)
		close(fd);
	return e;
}
