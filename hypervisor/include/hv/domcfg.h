/*
 * Domain configuration (common/domcfg.c): the text of a boot module that
 * describes domains for the hypervisor to build at boot ("dom0less"), in
 * xl.cfg syntax with xl.cfg's key names. docs/domains.md is the user's side
 * of this header: every key, default and message is described there.
 *
 * A text holds one or more domains, separated by lines that contain only
 * "---". Each part is xl.cfg syntax:
 *
 *     # comment
 *     name = "web"            # "strings" or 'strings' with xl's escapes
 *     memory = 256            # integers: decimal, 0x hex, 0 octal
 *     cpus = ["0-1", "2"]     # lists (may span lines, trailing comma ok)
 *     extra += " quiet"; vcpus = 2    # += appends, ';' separates
 *
 * The parser is pure (no allocation, no globals) and treats the text as
 * untrusted bytes: any content, any length. Problems are reported through
 * the caller's callback, one message per problem, each naming the source,
 * the line and the key:
 *
 *     d1.cfg:7: memory: "abc" is not a number
 *     d1.cfg:9: warning: disk: not supported yet, ignored
 *
 * Warnings (the word "warning:" after the line number) leave the domain
 * usable; anything else is an error, and a part with an error is refused as
 * a whole (never built half-right). The other parts still count. A refused
 * part ends with one summary line: `d1.cfg:1: domain "web" refused (2 errors)`.
 */
#ifndef HV_DOMCFG_H
#define HV_DOMCFG_H

#include <hv/bitmap.h>
#include <hv/types.h>

#define DOMCFG_NAME_MAX 63		 /* [A-Za-z0-9_.-], 1 to 63 characters */
#define DOMCFG_MODNAME_MAX 255		 /* kernel and ramdisk: a boot module's name */
#define DOMCFG_CMDLINE_MAX 2047		 /* the composed kernel command line (Linux x86: 2048 with the NUL) */
#define DOMCFG_MAX_VCPUS 128		 /* vcpus and maxvcpus */
#define DOMCFG_MAX_PCPUS 256		 /* CPU numbers in cpus/cpus_soft: 0-255 */
#define DOMCFG_MIN_MEMORY_MIB 4		 /* memory, in MiB */
#define DOMCFG_MAX_MEMORY_MIB (1u << 20) /* 1 TiB */
#define DOMCFG_DEFAULT_MEMORY_MIB 128
#define DOMCFG_DEFAULT_WEIGHT 256
#define DOMCFG_MAX_WEIGHT 65535
#define DOMCFG_MAX_RESTART_LIMIT 1000000
#define DOMCFG_DEFAULT_GRANT_FRAMES 64	    /* xl's default max_grant_frames */
#define DOMCFG_MAX_GRANT_FRAMES 4096	    /* GNTTAB_LIMIT_MAX_FRAMES */
#define DOMCFG_DEFAULT_MAPTRACK_FRAMES 1024 /* xl's default max_maptrack_frames */
#define DOMCFG_MAX_MAPTRACK_FRAMES 65536    /* GNTTAB_LIMIT_MAPTRACK_FRAMES */

#define DOMCFG_CPUMAP_LONGS BITS_TO_LONGS(DOMCFG_MAX_PCPUS)

/*
 * What to do when a domain stops (on_poweroff, on_reboot, on_crash,
 * on_watchdog). xl's "rename-restart" and "coredump-restart" are accepted
 * as RESTART and "coredump-destroy" as DESTROY, each with a warning: there
 * is no second name to rename to and nowhere to write a core dump.
 * "soft-reset" is refused (not supported yet).
 */
enum domcfg_action {
	DOMCFG_DESTROY,
	DOMCFG_RESTART,
	DOMCFG_PRESERVE, /* keep the dead domain (its memory, its console log) */
};

struct domcfg {
	char name[DOMCFG_NAME_MAX + 1];
	/* Where the part starts (the text of source_name is not kept: copy it
	 * if needed). */
	unsigned int first_line;

	uint64_t memory_mib; /* "memory": default 128, at least 4 */
	uint64_t maxmem_mib; /* "maxmem": memory_mib.., default memory_mib (the most it may balloon up to) */

	unsigned int vcpus;	/* online at boot: 1..DOMCFG_MAX_VCPUS, default 1 */
	unsigned int max_vcpus; /* "maxvcpus": vcpus..DOMCFG_MAX_VCPUS, default vcpus */

	/*
	 * Hard ("cpus") and soft ("cpus_soft") affinity of each vCPU, as xl
	 * reads them: a string ("all", "0-3,5", "all,^1") applies to every
	 * vCPU; a list gives vCPU i the i-th entry and leaves the vCPUs past its
	 * end unrestricted. Unrestricted is every bit set; entries past
	 * max_vcpus are unused (and set). CPU numbers are host CPU numbers, not
	 * checked against the CPUs present: the builder intersects with them.
	 */
	unsigned long cpus[DOMCFG_MAX_VCPUS][DOMCFG_CPUMAP_LONGS];
	unsigned long cpus_soft[DOMCFG_MAX_VCPUS][DOMCFG_CPUMAP_LONGS];
	bool cpus_given, cpus_soft_given; /* the key was in the config */

	/* Boot module names ("kernel", "ramdisk"), compared by basename by the
	 * builder. ramdisk is "" when there is none. */
	char kernel[DOMCFG_MODNAME_MAX + 1];
	char ramdisk[DOMCFG_MODNAME_MAX + 1];

	/*
	 * The kernel command line, composed as xl does: "cmdline" when it is
	 * set (then "root" and "extra" are ignored, with a warning); otherwise
	 * "root=<root> <extra>", "root=<root>" or "<extra>", whichever are set;
	 * otherwise "".
	 */
	char cmdline[DOMCFG_CMDLINE_MAX + 1];

	enum domcfg_action on_poweroff; /* default DOMCFG_DESTROY */
	enum domcfg_action on_reboot;	/* default DOMCFG_RESTART */
	enum domcfg_action on_crash;	/* default DOMCFG_DESTROY */
	enum domcfg_action on_watchdog; /* default DOMCFG_DESTROY */

	unsigned int weight; /* "cpu_weight" (alias "weight"): 1..65535, default 256 */
	unsigned int cap;    /* "cap": % of one CPU, 0 = no cap, at most 100 * max_vcpus */

	/* Basalt extension: after this many restarts a restart action acts as
	 * destroy instead. 0 (the default) = no limit. */
	unsigned int restart_limit;

	/* Grant tables: "max_grant_frames" (1..4096, default 64), the most
	 * frames the domain's grant table may grow to; "max_maptrack_frames"
	 * (0..65536, default 1024), how many frames' worth of grant mappings
	 * (256 each) it may hold (0: it cannot map grants). */
	unsigned int max_grant_frames;
	unsigned int max_maptrack_frames;
};

/*
 * Parse the configuration text [text, text + len) (NUL bytes are just bad
 * characters; no terminator is needed). source_name names the text in
 * messages (a module name; NULL reads "config").
 *
 * Accepted domains are appended to out[]: *count is in/out, the number of
 * entries of out[] already filled (by an earlier call for another module,
 * say) on entry, and after the new ones on return. Names must be unique
 * across all of out[0 .. *count). At most 'max' entries in total; parts
 * beyond that are refused with a message. Entries past the final *count
 * may have been written to and hold nothing meaningful.
 *
 * report may be NULL (then nothing is said). Each message is one line
 * without a trailing newline, under 384 characters; user text in
 * it is cut to 48 characters and has non-printable bytes escaped. At most
 * 32 messages are shown per domain part and 256 per call; a line says how
 * many more there were.
 *
 * Returns the number of errors reported (warnings are not counted): 0 means
 * every domain part was accepted. -XEN_EINVAL if out or count is NULL or
 * *count > max.
 */
int domcfg_parse(const char *text, size_t len, const char *source_name, struct domcfg *out, unsigned int max,
		 unsigned int *count, void (*report)(const char *msg));

/* "destroy", "restart", "preserve" (for messages; "?" for a bad value). */
const char *domcfg_action_name(enum domcfg_action a);

#endif
