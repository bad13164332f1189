// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live policy and its source file (policy_source.h): whether they
 * agree, and `--persist`'s atomic append. The file is never written in
 * place: the new text goes to a temporary file in the same folder (same
 * mode and owner), synced, and rename() makes it the file in one step, so
 * a reader (follow, an editor, a crash) sees the old text or the new one,
 * never half. The rename comes after the live change: a change the kernel
 * refuses leaves the file as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "err.h"
#include "policy.h"
#include "policy_source.h"
#include "text.h"
#include "textfile.h"

__u32 policy_source_hash(const char *text, size_t len)
{
	__u32 h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 16777619u;
	}
	return h ? h : 1;
}

/* FILE and the changes of "FILE + open 22 + close 23". */
static void split_source(const struct px_policy *live, struct policy_source *s)
{
	char src[PX_SOURCE_LEN];
	char *plus;

	snprintf(src, sizeof(src), "%s", live->source);
	plus = strstr(src, " + ");
	if (plus) {
		snprintf(s->changes, sizeof(s->changes), "%s", plus + 3);
		*plus = '\0';
	}
	/* parsed from a file: an absolute path (stdin is "<stdin>") */
	if (src[0] == '/')
		snprintf(s->file, sizeof(s->file), "%s", src);
}

void policy_source_check(const struct px_policy *live, struct policy_source *s)
{
	struct px_policy *now = malloc(sizeof(*now));
	FILE *null = fopen("/dev/null", "w");
	char *text = NULL;
	size_t n;

	memset(s, 0, sizeof(*s));
	split_source(live, s);
	if (!s->file[0]) {
		s->err = -ENOENT;
		goto out;
	}
	s->err = !now || !null
			 ? -ENOMEM
			 : px_text_read(s->file, "policy", "", &text, &n, null);
	if (s->err)
		goto out;
	s->edited = live->source_hash &&
		    policy_source_hash(text, n) != live->source_hash;
	s->err = policy_load_text(s->file, text, now, NULL, null);
	if (!s->err)
		s->differs = !policy_same_rules(now, live);
out:
	free(text);
	free(now);
	if (null)
		fclose(null);
}

/* The text of path, checked against the hash recorded when applied. */
static int read_unchanged(const char *ifname, const struct px_policy *live,
			  const char *path, char **text, size_t *n)
{
	int err = px_text_read(path, "policy", "check the path", text, n, NULL);

	if (err)
		return err;
	if (!live->source_hash ||
	    policy_source_hash(*text, *n) != live->source_hash) {
		px_error("%s changed since it was applied to %s, so --persist "
			 "would keep edits never applied: see them with "
			 "'portxdp diff %s %s', apply them, then repeat the "
			 "change",
			 path, ifname, ifname, path);
		free(*text);
		*text = NULL;
		return -ESTALE;
	}
	return 0;
}

/* old text, then "# DATE: portxdp VERB --persist" and line. */
static char *appended(const char *old, size_t n, const char *verb,
		      const char *line)
{
	char when[TEXT_TIME_LEN], *out;
	size_t size = n + strlen(line) + 128;

	text_time_local(when, sizeof(when), (long long)time(NULL), -1);
	out = malloc(size);
	if (out)
		snprintf(out, size, "%s%s# %s: portxdp %s --persist\n%s\n", old,
			 n && old[n - 1] != '\n' ? "\n" : "", when, verb, line);
	return out;
}

/* Write text to a new temporary file beside p->path, as that file is. */
static int write_tmp(struct policy_persist *p, const char *text)
{
	char dir[PATH_MAX], base[PATH_MAX];
	size_t len = strlen(text), done = 0;
	struct stat st;
	int fd, err = 0;

	if (stat(p->path, &st))
		return -errno;
	snprintf(dir, sizeof(dir), "%s", p->path);
	snprintf(base, sizeof(base), "%s", p->path);
	if ((size_t)snprintf(p->tmp, sizeof(p->tmp), "%s/.%s.XXXXXX",
			     dirname(dir), basename(base)) >= sizeof(p->tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(p->tmp);
	if (fd < 0) {
		p->tmp[0] = '\0';
		return -errno;
	}
	if (fchmod(fd, st.st_mode & 07777) ||
	    (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM))
		err = -errno;
	while (!err && done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			done += (size_t)w;
	}
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	if (err)
		policy_persist_abort(p);
	return err;
}

/* The real file of live's source, with no change outside it. */
static int source_file(const char *ifname, const struct px_policy *live,
		       struct policy_persist *p)
{
	struct policy_source s = {0};

	split_source(live, &s);
	if (!s.file[0]) {
		px_error("the live policy of %s came from no file (%s): "
			 "nothing to keep the change in; apply a policy file "
			 "first",
			 ifname, live->source);
		return -ENOENT;
	}
	if (s.changes[0]) {
		px_error(
			"%s has live changes not in %s (%s): keep them first "
			"with 'portxdp save %s > FILE' and apply FILE, or drop "
			"them with 'portxdp apply %s %s'",
			ifname, s.file, s.changes, ifname, ifname, s.file);
		return -EEXIST;
	}
	if (!realpath(s.file, p->path)) {
		int err = -errno;

		px_error("cannot keep the change in %s: %s: check the path, "
			 "or drop --persist",
			 s.file, strerror(-err));
		return err;
	}
	return 0;
}

int policy_persist_prepare(const char *ifname, const char *verb,
			   const struct px_policy *live, const char *line,
			   const struct px_policy *expect,
			   struct policy_persist *p)
{
	struct px_policy *now = malloc(sizeof(*now));
	char *old = NULL, *text = NULL;
	size_t n;
	int err;

	memset(p, 0, sizeof(*p));
	if (strpbrk(line, "\n\r#")) {
		px_error("a SPEC with a line break or '#' cannot be kept in a "
			 "policy file: drop --persist");
		free(now);
		return -EINVAL;
	}
	err = !now ? -ENOMEM : source_file(ifname, live, p);
	if (!err)
		err = read_unchanged(ifname, live, p->path, &old, &n);
	if (err)
		goto out;
	text = appended(old, n, verb, line);
	err = !text ? -ENOMEM
		    : policy_load_text(p->path, text, now, NULL, NULL);
	if (!err && !policy_same_rules(now, expect)) {
		/* e.g. the ephemeral range moved since the file was applied */
		px_error("%s with '%s' added would not give the live policy "
			 "of %s: apply it again first ('portxdp diff %s %s' "
			 "shows why)",
			 p->path, line, ifname, ifname, p->path);
		err = -ESTALE;
	}
	if (!err) {
		p->hash = policy_source_hash(text, strlen(text));
		err = write_tmp(p, text);
		if (err)
			px_error(
				"cannot write beside %s (%s): nothing changed; "
				"check the folder's space and permissions",
				p->path, strerror(-err));
	}
out:
	free(old);
	free(text);
	free(now);
	return err;
}

int policy_persist_commit(struct policy_persist *p)
{
	char dir[PATH_MAX];
	int fd, err = 0;

	if (rename(p->tmp, p->path)) {
		err = -errno;
		px_error("cannot replace %s (%s): the file is unchanged",
			 p->path, strerror(-err));
		policy_persist_abort(p);
		return err;
	}
	p->tmp[0] = '\0';
	snprintf(dir, sizeof(dir), "%s", p->path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) { /* the rename itself survives a crash */
		fsync(fd);
		close(fd);
	}
	return 0;
}

void policy_persist_abort(struct policy_persist *p)
{
	if (p->tmp[0])
		unlink(p->tmp);
	p->tmp[0] = '\0';
}

/*
 * The source status shows after open/close: the file the policy came
 * from and every change since, "FILE + open 8080/tcp + close 23". When
 * that no longer fits, the oldest changes give way to "...": the file and
 * the latest changes are what a reader needs.
 */
void policy_source_note(struct px_policy *pol, const char *change)
{
	char old[PX_SOURCE_LEN], buf[3 * PX_SOURCE_LEN];
	const char *tail, *plus;
	int base_len, n;

	snprintf(old, sizeof(old), "%s", pol->source);
	n = snprintf(buf, sizeof(buf), "%s + %s", old, change);
	plus = strstr(old, " + ");
	base_len = plus ? (int)(plus - old) : (int)strlen(old);
	tail = plus ? plus + 3 : "";
	if (!strncmp(tail, "... + ", 6))
		tail += 6;
	/* Drop changes from the front of tail until the rest fits. */
	while (n >= PX_SOURCE_LEN && *tail) {
		plus = strstr(tail, " + ");
		tail = plus ? plus + 3 : "";
		n = snprintf(buf, sizeof(buf), "%.*s + ... + %s%s%s", base_len,
			     old, tail, *tail ? " + " : "", change);
	}
	if (n >= PX_SOURCE_LEN) /* one change longer than it all: mark the cut,
				   on a character boundary */
		memcpy(buf + utf8_cut(buf, PX_SOURCE_LEN - 4), "...", 4);
	/* Copy the string only: the bytes after it go to the kernel too. */
	memset(pol->source, 0, sizeof(pol->source));
	memcpy(pol->source, buf, strnlen(buf, PX_SOURCE_LEN - 1));
}
