/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel UAPI constants newer than the headers this builds against
 * (Debian 12's <linux/bpf.h> is Linux 6.1's), defined once, for user/ and
 * bpf/ alike. Each is the kernel's include/uapi/linux/bpf.h value;
 * bpf/portxdp.bpf.c checks every one against vmlinux/vmlinux.h (generated
 * from the running kernel's BTF) at build time.
 */
#ifndef PX_KERNEL_H
#define PX_KERNEL_H

/* enum bpf_attach_type (Linux 6.6): TCX, the tc hook's bpf_link. */
#define PX_BPF_TCX_INGRESS 46
#define PX_BPF_TCX_EGRESS 47
/* enum bpf_link_type (Linux 6.6). */
#define PX_BPF_LINK_TYPE_TCX 11

#endif /* PX_KERNEL_H */
