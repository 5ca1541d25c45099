/* Basic types shared by every part of the hypervisor (and the host harness). */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;
typedef int64_t s_time_t; /* system time in ns since boot */

/*
 * Frame numbers are type-safe: a machine frame (mfn_t) and a guest frame
 * (gfn_t) cannot be mixed up or used as plain integers by accident.
 */
typedef struct {
	unsigned long mfn;
} mfn_t;
typedef struct {
	unsigned long gfn;
} gfn_t;

static inline mfn_t _mfn(unsigned long m)
{
	return (mfn_t){ m };
}
static inline unsigned long mfn_x(mfn_t m)
{
	return m.mfn;
}
static inline gfn_t _gfn(unsigned long g)
{
	return (gfn_t){ g };
}
static inline unsigned long gfn_x(gfn_t g)
{
	return g.gfn;
}
#define INVALID_MFN _mfn(~0UL)
#define INVALID_GFN _gfn(~0UL)
static inline bool mfn_eq(mfn_t a, mfn_t b)
{
	return mfn_x(a) == mfn_x(b);
}
static inline mfn_t mfn_add(mfn_t m, unsigned long n)
{
	return _mfn(mfn_x(m) + n);
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ROUNDUP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ROUNDDOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))

#define __unused __attribute__((unused))
#define __packed __attribute__((packed))
#define __aligned(a) __attribute__((aligned(a)))
#define __section(s) __attribute__((section(s)))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

#define MILLISECS(ms) ((s_time_t)(ms)*1000000LL)
#define MICROSECS(us) ((s_time_t)(us)*1000LL)
#define SECONDS(s) ((s_time_t)(s)*1000000000LL)

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier() __asm__ __volatile__("" ::: "memory")

#endif
