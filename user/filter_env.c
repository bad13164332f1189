// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a filter needs around it before it can attach (see filter.h): the
 * kernel's features, each named with the release that brought it when it
 * is missing, and a bpffs that outlives the command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "err.h"
#include "filter.h"
#include "filter_pins.h"
#include "netns.h"
#include "pins.h"

#define BPFFS "/sys/fs/bpf"
#define PX_MIN_KERNEL "5.9" /* bpf_link for XDP; see the table below */

/* --- the kernel's features ------------------------------------------------ */

static int probe_xdp(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
}

static int probe_ringbuf(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
}

static int probe_mmapable(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, &opts);

	if (fd < 0)
		return errno == EINVAL ? 0 : -errno;
	close(fd);
	return 1;
}

/*
 * bpf_link for XDP: the kernel's own BTF says whether struct bpf_xdp_link
 * exists (its name between two NULs in the string section); without BTF,
 * assume so. A byte search: parsing all of vmlinux's BTF costs 200 ms.
 */
static int probe_xdp_link(void)
{
	static const char name[] = "\0bpf_xdp_link"; /* and its own NUL */
	char buf[1 << 16];
	size_t keep = 0, n;
	int found = 0;
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "re");

	if (!f)
		return 1;
	while (!found && (n = fread(buf + keep, 1, sizeof(buf) - keep, f))) {
		n += keep;
		found = memmem(buf, n, name, sizeof(name)) != NULL;
		keep = n < sizeof(name) ? n : sizeof(name) - 1;
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
	return found;
}

static const struct feature {
	const char *key; /* for PORTXDP_PROBE_MISSING, a test hook */
	const char *what;
	const char *since;
	int (*probe)(void);
} features[] = {
	{"xdp", "XDP programs", "4.8", probe_xdp},
	{"mmap", "mmap-able BPF arrays", "5.5", probe_mmapable},
	{"ringbuf", "the BPF ring buffer", "5.8", probe_ringbuf},
	{"xdp-link", "bpf_link for XDP", "5.9", probe_xdp_link},
};

/* Each feature the filter needs, so an older kernel gets one clear line
 * instead of a verifier log or a bare EINVAL. 0 or -EOPNOTSUPP. */
int filter_probe_features(void)
{
	const char *fake = getenv("PORTXDP_PROBE_MISSING");
	struct utsname u;

	for (unsigned int i = 0; i < sizeof(features) / sizeof(features[0]);
	     i++) {
		const struct feature *ft = &features[i];
		int have = fake && !strcmp(fake, ft->key) ? 0 : ft->probe();

		if (have) /* < 0: cannot tell (e.g. no memory): let load say */
			continue;
		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "?");
		px_error("this kernel (%s) lacks %s, which portxdp needs: it "
			 "came with Linux %s; portxdp runs on "
			 "Linux " PX_MIN_KERNEL " or later",
			 u.release, ft->what, ft->since);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* --- a bpffs that outlives this command ----------------------------------- */

/* The nearest ancestor in another mount namespace: 0 when none is seen. */
static pid_t other_mntns_ancestor(void)
{
	char path[64], mine[64], theirs[64], line[256];
	pid_t pid = getpid(), ppid;
	ssize_t n;

	n = readlink("/proc/self/ns/mnt", mine, sizeof(mine) - 1);
	if (n <= 0)
		return 0;
	mine[n] = '\0';
	while (pid > 1) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		f = fopen(path, "r");
		ppid = 0;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		if (f)
			fclose(f);
		if (ppid <= 0)
			return 0;
		pid = ppid;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		n = readlink(path, theirs, sizeof(theirs) - 1);
		if (n <= 0)
			return 0; /* cannot see further: assume the same */
		theirs[n] = '\0';
		if (strcmp(theirs, mine))
			return pid;
	}
	return 0;
}

/*
 * True when the bpffs at /sys/fs/bpf dies with this mount namespace: we
 * run in a namespace of our own (as 'ip netns exec' makes one), and the
 * process that started us does not see the same bpffs there.
 */
static bool bpffs_is_throwaway(bool just_mounted)
{
	struct stat ours, theirs;
	char path[64];
	pid_t ref = other_mntns_ancestor();

	if (!ref)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/root" BPFFS, (int)ref);
	if (stat(BPFFS, &ours) || stat(path, &theirs))
		return just_mounted; /* cannot compare: a fresh one is ours */
	return ours.st_dev != theirs.st_dev;
}

int filter_bpffs_ready(const char *verb, const char *ifname)
{
	int mounted = pins_mount_bpffs();
	unsigned long ino;
	char ns[256];

	if (mounted < 0)
		return mounted;
	if (!bpffs_is_throwaway(mounted))
		return 0;
	if (mounted)
		umount2(BPFFS, MNT_DETACH);
	if (px_netns_name)
		snprintf(ns, sizeof(ns), "%s", px_netns_name);
	else if (netns_inode(&ino) || !netns_name_of(ino, ns, sizeof(ns)))
		snprintf(ns, sizeof(ns), "NAME");
	px_error("%s here is not the host's bpffs but one of this command's "
		 "own mount namespace (as under 'ip netns exec'): the filter "
		 "would vanish when it exits; run 'portxdp --netns %s %s %s' "
		 "instead",
		 BPFFS, ns, verb, ifname);
	return -EXDEV;
}
