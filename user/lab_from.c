// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * portxdp lab probe --from ADDR: probes whose source is ADDR, to rehearse
 * a policy's zones (doc/design.md, section 8). Each probe is a whole
 * Ethernet frame written onto pxlab0 with a packet socket, addressed to
 * pxlab1's MAC: a TCP SYN, a UDP datagram or an echo request, checksums
 * right, as a host at ADDR would send it. Nothing is configured for it:
 * no address or route is added here or in the lab, so ADDR may be any
 * unicast address (the host's own traffic to ADDR is never diverted),
 * and the lab's answers to ADDR go nowhere (it has no route there).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "lab.h"
#include "lab_from.h"

/* What no packet on a link comes from, or what the lab is itself. */
static const char *not_a_source(const struct lab_from *f)
{
	const __u8 *a = f->addr;
	static const __u8 zero[16], mapped[12] = {[10] = 0xff, [11] = 0xff};
	struct in6_addr in;

	if (f->family == 4) {
		if (a[0] == 0)
			return "in 0.0.0.0/8 ('this network')";
		if (a[0] == 127)
			return "a loopback address";
		if (a[0] >= 224 && a[0] < 240)
			return "a multicast address";
		if (a[0] >= 240)
			return "a reserved or broadcast address";
		inet_pton(AF_INET, LAB_ADDR_IN, &in);
		if (!memcmp(a, &in, 4))
			return "the lab's own filtered address";
		return NULL;
	}
	if (!memcmp(a, zero, 15) && a[15] <= 1)
		return a[15] ? "the loopback address"
			     : "the unspecified address";
	if (a[0] == 0xff)
		return "a multicast address";
	if (!memcmp(a, mapped, 12))
		return "an IPv4-mapped address (give the IPv4 address)";
	inet_pton(AF_INET6, LAB_ADDR6_IN, &in);
	if (!memcmp(a, &in, 16))
		return "the lab's own filtered address";
	return NULL;
}

int lab_from_parse(const char *s, struct lab_from *f)
{
	const char *why;

	memset(f, 0, sizeof(*f));
	snprintf(f->text, sizeof(f->text), "%s", s);
	if (inet_pton(AF_INET, s, f->addr) == 1) {
		f->family = 4;
	} else if (inet_pton(AF_INET6, s, f->addr) == 1) {
		f->family = 6;
	} else {
		px_error("lab probe: --from '%.64s' is not an IPv4 or IPv6 "
			 "address: give one address, no /LEN (e.g. "
			 "198.51.100.77 or 2001:db8:5::1)",
			 s);
		return -EINVAL;
	}
	why = not_a_source(f);
	if (why) {
		px_error("lab probe: --from %s is %s, which no packet on a "
			 "link comes from: give a unicast address other than "
			 "the "
			 "lab's " LAB_ADDR_IN " and " LAB_ADDR6_IN,
			 s, why);
		return -EINVAL;
	}
	/* the canonical form, for the output */
	inet_ntop(f->family == 4 ? AF_INET : AF_INET6, f->addr, f->text,
		  sizeof(f->text));
	return 0;
}

static __u32 sum16(const void *data, size_t len, __u32 sum)
{
	const __u8 *b = data;

	for (; len > 1; len -= 2, b += 2)
		sum += (__u32)(b[0] << 8 | b[1]);
	if (len)
		sum += (__u32)(b[0] << 8);
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

/* The L4 part of a probe at l4, its length; proto is PX_TCP, PX_UDP or
 * anything else for an echo request. */
static size_t put_l4(__u8 *l4, int proto, unsigned int port, bool v6)
{
	static const __u8 payload[11] = {'p', 'o', 'r', 't', 'x', 'd',
					 'p', ' ', 'l', 'a', 'b'};

	if (proto == PX_TCP) {
		memset(l4, 0, 20);
		l4[0] = 0xc3; /* source port 50000 */
		l4[1] = 0x50;
		l4[2] = (__u8)(port >> 8);
		l4[3] = (__u8)port;
		l4[7] = 1;     /* seq */
		l4[12] = 0x50; /* data offset 5 */
		l4[13] = 0x02; /* SYN */
		l4[14] = 0xff; /* window */
		l4[15] = 0xff;
		return 20;
	}
	if (proto == PX_UDP) {
		memset(l4, 0, 8);
		l4[0] = 0xc3;
		l4[1] = 0x50;
		l4[2] = (__u8)(port >> 8);
		l4[3] = (__u8)port;
		l4[5] = 8 + sizeof(payload);
		memcpy(l4 + 8, payload, sizeof(payload));
		return 8 + sizeof(payload);
	}
	memset(l4, 0, 8);
	l4[0] = v6 ? 128 : 8; /* echo request */
	l4[5] = 1;	      /* id 1, sequence 1 */
	l4[7] = 1;
	return 8;
}

/* A whole frame from f to the lab's inner address; its length. */
static size_t build(__u8 *fr, const struct lab_from *f, const __u8 *src_mac,
		    const __u8 *dst_mac, int proto, unsigned int port)
{
	bool v6 = f->family == 6;
	size_t iplen = v6 ? 40 : 20, l4len;
	__u8 *ip = fr + 14, *l4 = ip + iplen;
	__u8 l4proto = proto == PX_TCP	 ? IPPROTO_TCP
		       : proto == PX_UDP ? IPPROTO_UDP
		       : v6		 ? IPPROTO_ICMPV6
					 : IPPROTO_ICMP;
	__u32 sum;

	memcpy(fr, dst_mac, 6);
	memcpy(fr + 6, src_mac, 6);
	fr[12] = v6 ? 0x86 : 0x08;
	fr[13] = v6 ? 0xdd : 0x00;
	l4len = put_l4(l4, proto, port, v6);
	memset(ip, 0, iplen);
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (__u8)(l4len >> 8);
		ip[5] = (__u8)l4len;
		ip[6] = l4proto;
		ip[7] = 64;
		memcpy(ip + 8, f->addr, 16);
		inet_pton(AF_INET6, LAB_ADDR6_IN, ip + 24);
	} else {
		ip[0] = 0x45;
		ip[2] = (__u8)((20 + l4len) >> 8);
		ip[3] = (__u8)(20 + l4len);
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = l4proto;
		memcpy(ip + 12, f->addr, 4);
		inet_pton(AF_INET, LAB_ADDR_IN, ip + 16);
		memcpy(ip + 10, &(__u16){fold(sum16(ip, 20, 0))}, 2);
	}
	/* the L4 checksum: a pseudo-header but for IPv4's ICMP */
	sum = 0;
	if (v6 || l4proto != IPPROTO_ICMP) {
		sum = sum16(ip + (v6 ? 8 : 12), v6 ? 32 : 8, 0);
		sum += l4proto + (__u32)l4len;
	}
	sum = sum16(l4, l4len, sum);
	memcpy(l4 + (proto == PX_TCP   ? 16
		     : proto == PX_UDP ? 6
				       : 2),
	       &(__u16){fold(sum)}, 2);
	return 14 + iplen + l4len;
}

static int mac_of(int fd, const char *ifname, __u8 *mac)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

int lab_from_open(struct lab_from *f)
{
	int ifindex = (int)if_nametoindex(LAB_IF_OUT);
	int err;

	f->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	err = mac_of(f->fd, LAB_IF_OUT, f->src_mac);
	if (!err)
		err = lab_peer_mac(f->dst_mac);
	if (!err && !ifindex)
		err = -ENODEV;
	if (err) {
		close(f->fd);
		f->fd = -1;
		return err;
	}
	f->ifindex = ifindex;
	return 0;
}

int lab_from_send(const struct lab_from *f, int proto, unsigned int port)
{
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_ifindex = f->ifindex,
				 .sll_halen = 6};
	__u8 fr[128];
	size_t len = build(fr, f, f->src_mac, f->dst_mac, proto, port);

	memcpy(ll.sll_addr, f->dst_mac, 6);
	if (sendto(f->fd, fr, len, 0, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		return -errno;
	return 0;
}

void lab_from_close(struct lab_from *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
