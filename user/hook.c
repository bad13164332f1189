// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which hook auto picks for an interface; see hook.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "hook.h"

/*
 * The driver's name and bus address, through ETHTOOL_GDRVINFO on a socket
 * of the current network namespace (sysfs would show the namespace that
 * mounted it). Devices without ethtool (lo, some tunnels) give -errno.
 */
static int drvinfo(const char *ifname, struct ethtool_drvinfo *di)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memset(di, 0, sizeof(*di));
	di->cmd = ETHTOOL_GDRVINFO;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)di;
	if (ioctl(s, SIOCETHTOOL, &ifr))
		err = -errno;
	close(s);
	return err;
}

enum px_xdp_mode hook_auto(const char *ifname, char *why, unsigned long len)
{
	struct ethtool_drvinfo di = {0};

	if (drvinfo(ifname, &di)) {
		snprintf(why, len, "a virtual device (no driver information)");
		return PX_MODE_TC;
	}
	di.driver[sizeof(di.driver) - 1] = '\0';
	di.bus_info[sizeof(di.bus_info) - 1] = '\0';
	if (!di.bus_info[0] || !strcmp(di.bus_info, "N/A")) {
		snprintf(why, len, "%s, a virtual device", di.driver);
		return PX_MODE_TC;
	}
	snprintf(why, len, "%s, a physical NIC at %s", di.driver, di.bus_info);
	return PX_MODE_AUTO;
}
