// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of user/log_line.c: a drop-log event's two ends as the text
 * log and syslog print them, the destination read from the frame behind
 * VLAN tags, and never past cap_len.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "check.h"
#include "log_line.h"

static struct px_event ev;

/* An Ethernet frame with tags VLAN tags, then IPv4 or IPv6 to dst. */
static void frame(int tags, int family, const __u8 *dst)
{
	__u8 *f = ev.frame;
	size_t off = 12;

	memset(&ev, 0, sizeof(ev));
	for (int i = 0; i < tags; i++, off += 4) {
		f[off] = 0x81;
		f[off + 1] = 0x00;
	}
	f[off] = family == 4 ? 0x08 : 0x86;
	f[off + 1] = family == 4 ? 0x00 : 0xdd;
	off += 2;
	memcpy(f + off + (family == 4 ? 16 : 24), dst, family == 4 ? 4 : 16);
	ev.cap_len = (__u32)off + (family == 4 ? 20 : 40);
	ev.family = (__u8)family;
}

static void test_ipv4_tcp_with_destination(void)
{
	const __u8 dst[4] = {198, 51, 100, 2}, src[4] = {198, 51, 100, 1};
	char from[LOG_ADDR_LEN], to[LOG_ADDR_LEN + 16];

	frame(0, 4, dst);
	memcpy(ev.saddr, src, 4);
	ev.proto = IPPROTO_TCP;
	ev.sport = 40000;
	ev.dport = 23;
	ev.reason = PX_DROP_CLOSED_PORT;
	log_event_ends(&ev, from, to);
	ASSERT_STREQ(from, "198.51.100.1:40000", "from");
	ASSERT_STREQ(to, "198.51.100.2:23/tcp", "to");
	ASSERT_STREQ(log_reason_name(ev.reason), "closed-port", "reason");
}

static void test_ipv6_behind_two_vlan_tags(void)
{
	const __u8 dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	char from[LOG_ADDR_LEN], to[LOG_ADDR_LEN + 16];

	frame(2, 6, dst);
	ev.saddr[0] = 0x20;
	ev.saddr[1] = 0x01;
	ev.saddr[2] = 0x0d;
	ev.saddr[3] = 0xb8;
	ev.saddr[15] = 1;
	ev.proto = IPPROTO_UDP;
	ev.sport = 5353;
	ev.dport = 53;
	log_event_ends(&ev, from, to);
	ASSERT_STREQ(from, "[2001:db8::1]:5353", "from");
	ASSERT_STREQ(to, "[2001:db8::2]:53/udp", "to");
	ev.proto = IPPROTO_ICMPV6;
	ev.reason = PX_DROP_PING;
	log_event_ends(&ev, from, to);
	ASSERT_STREQ(from, "2001:db8::1", "ping from");
	ASSERT_STREQ(to, "2001:db8::2 ping", "ping to");
}

static void test_never_past_cap_len(void)
{
	const __u8 dst[4] = {198, 51, 100, 2};
	char buf[64];

	frame(0, 4, dst);
	ev.cap_len = 14 + 19; /* one byte short of the address's end */
	ASSERT_EQ(log_event_dst(&ev, buf, sizeof(buf)), -ENOENT, "cut short");
	ASSERT_STREQ(buf, "?", "shown as ?");
	frame(3, 4, dst); /* a third tag: no IP header where it is read */
	ASSERT_EQ(log_event_dst(&ev, buf, sizeof(buf)), -ENOENT, "third tag");
	ev.cap_len = 1000; /* a lie: bounded by the frame's size */
	ASSERT_TRUE(log_event_dst(&ev, buf, sizeof(buf)) <= 0, "bounded");
}

int main(void)
{
	RUN(test_ipv4_tcp_with_destination);
	RUN(test_ipv6_behind_two_vlan_tags);
	RUN(test_never_past_cap_len);
	return check_exit();
}
