/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Compiler helpers and loop bounds for the XDP program, kept in one place
 * (as katran and cilium do) so every parser uses the same spelling and the
 * bounds that decide what is malformed are named, not scattered literals.
 * Include after <bpf/bpf_helpers.h>.
 */
#ifndef PX_COMPILER_H
#define PX_COMPILER_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

/* Fails the build when cond is true. */
#define build_bug_on(cond) _Static_assert(!(cond), #cond)

/*
 * Hide a value's known range from the compiler, so a mask that only the
 * verifier needs (clang can prove it redundant) survives optimisation.
 * libbpf's bpf_helpers.h has one; this is for when it is not included.
 */
#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "=r"(var) : "0"(var))
#endif

/* design.md section 5: up to two VLAN tags; a third is malformed. */
#define PX_VLAN_MAX 2

/* design.md section 5: up to 8 IPv6 extension headers in a chain; a 9th is
 * malformed. */
#define PX_IPV6_EXT_MAX 8

#endif /* PX_COMPILER_H */
