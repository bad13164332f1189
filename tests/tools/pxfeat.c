// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pxfeat: switch an interface's GRO or TSO on or off, the two offloads the
 * veth benchmark needs to change, without depending on ethtool(8) (not in
 * the packages `make deps-test` installs). Uses the legacy SIOCETHTOOL
 * commands, which every kernel still serves:
 *   pxfeat IF gro|tso on|off
 * Runs in the caller's network namespace (use `ip netns exec`).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

int main(int argc, char **argv)
{
	struct ethtool_value ev = {};
	struct ifreq ifr = {};
	int fd, on;

	if (argc != 4 || (strcmp(argv[3], "on") && strcmp(argv[3], "off")) ||
	    (strcmp(argv[2], "gro") && strcmp(argv[2], "tso"))) {
		fprintf(stderr, "usage: pxfeat IF gro|tso on|off\n");
		return 2;
	}
	on = !strcmp(argv[3], "on");
	ev.cmd = !strcmp(argv[2], "gro") ? ETHTOOL_SGRO : ETHTOOL_STSO;
	ev.data = on;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	ifr.ifr_data = (void *)&ev;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr)) {
		fprintf(stderr, "pxfeat: %s %s %s: %s\n", argv[1], argv[2],
			argv[3], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
