/*
 * Domains built at boot from boot modules ("dom0less"); docs/domains.md is
 * the user's description.
 *
 * Every module has a name: the first word of its command line. A module
 * whose contents are text is a domain configuration (xl.cfg syntax; several
 * domains separated by "---"); its kernel and ramdisk keys name other
 * modules, matched by basename. Without any configuration module, each
 * module that is a PVH kernel becomes a domain of its own, with defaults and
 * the rest of its command line as the guest's command line.
 */
#include <hv/bootinfo.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/domcfg.h>
#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/init.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/sched.h>
#include <hv/xmalloc.h>
#include <asm/hvm.h>
#include <asm/page.h>
#include <asm/pvh_build.h>

#define MAX_BOOT_DOMAINS 64

/* What a domain was built from, kept for restarts. */
struct boot_domain {
	struct domcfg cfg;
	const struct boot_module *kernel, *ramdisk;
};

static const char *basename_of(const char *path, size_t *len)
{
	const char *end = path, *start = path;

	while (*end && *end != ' ')
		end++;
	for (const char *p = path; p < end; p++)
		if (*p == '/')
			start = p + 1;
	*len = (size_t)(end - start);
	return start;
}

static const struct boot_module *find_module(const struct boot_info *bi, const char *name)
{
	size_t want_len, len;
	const char *want = basename_of(name, &want_len);

	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const char *b = basename_of(bi->modules[i].cmdline, &len);

		if (len == want_len && !memcmp(b, want, len))
			return &bi->modules[i];
	}
	return NULL;
}

static bool is_text(const struct boot_module *m)
{
	const uint8_t *p = maddr_to_virt(m->start);
	size_t n = MIN(m->size, (uint64_t)4096);

	for (size_t i = 0; i < n; i++)
		if (!p[i] || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t'))
			return false;
	return m->size > 0;
}

static bool is_pvh_kernel(const struct boot_module *m)
{
	const uint8_t *p = maddr_to_virt(m->start);
	struct elf_image_info ei;
	char err[8];

	if (m->size >= 0x210 && !memcmp(p + 0x202, "HdrS", 4))
		return true;
	return m->size >= 4 && !memcmp(p, "\177ELF", 4) && !elf_check(p, m->size, &ei, err, sizeof(err)) &&
	       ei.has_phys32_entry;
}

static void report(const char *msg)
{
	if (strstr(msg, ": warning: "))
		printk(LOG_WARN "domain config: %s\n", msg);
	else
		printk(LOG_ERR "domain config: %s\n", msg);
}

static struct boot_domain *boot_domains[MAX_BOOT_DOMAINS];
static unsigned int nr_boot_domains;

/* The scheduler keys: cpu_weight/weight, cap, and per-vCPU cpus and
 * cpus_soft (the domain was created with vCPU 0's "cpus" for every vCPU). */
static int apply_sched_config(struct domain *d, const struct domcfg *cfg)
{
	int rc = sched_set_params(d, cfg->weight, cfg->cap);

	for (unsigned int i = 0; !rc && i < d->max_vcpus && i < DOMCFG_MAX_VCPUS; i++) {
		cpumask_t hard, soft;

		bitmap_fill(hard.bits, NR_CPUS);
		bitmap_fill(soft.bits, NR_CPUS);
		BUILD_BUG_ON(DOMCFG_MAX_PCPUS > NR_CPUS);
		bitmap_copy(hard.bits, cfg->cpus[i], DOMCFG_MAX_PCPUS);
		bitmap_copy(soft.bits, cfg->cpus_soft[i], DOMCFG_MAX_PCPUS);
		rc = vcpu_set_affinity(d->vcpu[i], &hard, &soft);
	}
	return rc;
}

/* Build one domain; start it unless the caller collects it (*out) to start
 * later. */
static int build_one(struct boot_domain *bd, unsigned int restarts, struct domain **out)
{
	char err[200];
	struct domain *d;
	int rc = pvh_build_domain(&bd->cfg, bd->kernel, bd->ramdisk, restarts, &d, err, sizeof(err));

	if (rc) {
		printk(LOG_ERR "domain \"%s\": not built: %s\n", bd->cfg.name, err);
		return rc;
	}
	rc = apply_sched_config(d, &bd->cfg);
	if (rc) {
		printk(LOG_ERR "domain \"%s\": not built: its weight, cap or cpus cannot be applied (%d)\n",
		       bd->cfg.name, rc);
		domain_crash(d, "scheduler configuration refused");
		return rc;
	}
	printk("d%u \"%s\": %llu MiB, %u vCPU%s, kernel \"%s\"%s%s, command line \"%s\"\n", d->domain_id, d->name,
	       (unsigned long long)bd->cfg.memory_mib, bd->cfg.vcpus, bd->cfg.vcpus == 1 ? "" : "s", bd->cfg.kernel,
	       bd->ramdisk ? ", ramdisk " : "", bd->ramdisk ? bd->cfg.ramdisk : "", bd->cfg.cmdline);
	if (out)
		*out = d;
	else
		domain_start(d);
	return 0;
}

static void add_domain(const struct domcfg *cfg, const struct boot_info *bi)
{
	struct boot_domain *bd;

	if (nr_boot_domains == MAX_BOOT_DOMAINS) {
		printk(LOG_ERR "domain \"%s\": more than %d boot domains, ignored\n", cfg->name, MAX_BOOT_DOMAINS);
		return;
	}
	bd = xzalloc(struct boot_domain);
	if (!bd) {
		printk(LOG_ERR "domain \"%s\": out of memory\n", cfg->name);
		return;
	}
	bd->cfg = *cfg;
	bd->kernel = find_module(bi, cfg->kernel);
	bd->ramdisk = cfg->ramdisk[0] ? find_module(bi, cfg->ramdisk) : NULL;
	if (!bd->kernel || (cfg->ramdisk[0] && !bd->ramdisk)) {
		printk(LOG_ERR "domain \"%s\": no boot module named \"%s\" (module names are the first word of each "
			       "module's command line)\n",
		       cfg->name, bd->kernel ? cfg->ramdisk : cfg->kernel);
		xfree(bd);
		return;
	}
	boot_domains[nr_boot_domains++] = bd;
}

/* One array for every config module, so that names are unique across them
 * (domcfg_parse checks against the entries already there). */
static struct domcfg *parsed;
static unsigned int nr_parsed;

static void configs_from_module(const struct boot_module *m)
{
	size_t len;
	char name[64];
	const char *b = basename_of(m->cmdline, &len);

	if (!parsed)
		parsed = xzalloc_array(struct domcfg, MAX_BOOT_DOMAINS);
	if (!parsed) {
		printk(LOG_ERR "domain config: out of memory\n");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)len, b);
	domcfg_parse(maddr_to_virt(m->start), m->size, name, parsed, MAX_BOOT_DOMAINS, &nr_parsed, report);
}

/* A kernel module with no configuration: defaults, and the module's command
 * line (after its name) for the guest. */
static void default_config(const struct boot_module *m, const struct boot_info *bi)
{
	struct domcfg *cfg = xzalloc(struct domcfg);
	char text[600];
	size_t len;
	const char *b = basename_of(m->cmdline, &len), *args = m->cmdline;
	unsigned int n = 0;

	if (!cfg)
		return;
	while (*args && *args != ' ')
		args++;
	while (*args == ' ')
		args++;
	/* through the parser, so a default domain is exactly a config one */
	snprintf(text, sizeof(text), "name = \"%.*s\"\nkernel = \"%.*s\"\ncmdline = \"%s\"\n", (int)MIN(len, 60), b,
		 (int)len, b, args);
	for (char *p = text + 8; *p && *p != '"'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			*p = '_';
	if (strchr(args, '"') || strchr(args, '\\')) {
		printk(LOG_ERR "module \"%.*s\": quotes and backslashes in a kernel module's command line need a "
			       "domain config\n",
		       (int)len, b);
	} else if (!domcfg_parse(text, strlen(text), "module command line", cfg, 1, &n, report) && n == 1) {
		add_domain(cfg, bi);
	}
	xfree(cfg);
}

void dom0less_build(const struct boot_info *bi)
{
	bool any_config = false;

	for (unsigned int i = 0; i < bi->nr_modules; i++)
		if (is_text(&bi->modules[i])) {
			any_config = true;
			configs_from_module(&bi->modules[i]);
		}
	for (unsigned int i = 0; i < nr_parsed; i++)
		add_domain(&parsed[i], bi);
	xfree(parsed);
	parsed = NULL;
	if (!any_config)
		for (unsigned int i = 0; i < bi->nr_modules; i++)
			if (is_pvh_kernel(&bi->modules[i]))
				default_config(&bi->modules[i], bi);
	if (!nr_boot_domains)
		return;
	if (!hvm_enabled()) {
		printk(LOG_ERR "%u domain%s configured, but this machine cannot run guests (see the svm: messages)\n",
		       nr_boot_domains, nr_boot_domains == 1 ? "" : "s");
		return;
	}
	printk("Building %u domain%s; %lu pages free\n", nr_boot_domains, nr_boot_domains == 1 ? "" : "s",
	       total_free_pages());
	/* Every domain is built before any starts: building (unpacking a
	 * kernel can take seconds) keeps this CPU from scheduling, so a domain
	 * started early would wait in its run queue for the others' builds. */
	{
		struct domain **built = xzalloc_array(struct domain *, nr_boot_domains);
		unsigned int n = 0;

		for (unsigned int i = 0; i < nr_boot_domains; i++) {
			struct domain *d = NULL;

			if (!build_one(boot_domains[i], 0, built ? &d : NULL) && d)
				built[n++] = d;
		}
		for (unsigned int i = 0; i < n; i++)
			domain_start(built[i]);
		xfree(built);
	}
	if (!nr_domains())
		domains_all_gone();
}

enum domain_action domain_cfg_action(const struct domain *d, unsigned int reason)
{
	const struct domcfg *c = d->cfg;
	enum domcfg_action a;

	if (!c)
		return ACTION_destroy;
	switch (reason) {
	case SHUTDOWN_poweroff:
		a = c->on_poweroff;
		break;
	case SHUTDOWN_reboot:
		a = c->on_reboot;
		break;
	case SHUTDOWN_watchdog:
		a = c->on_watchdog;
		break;
	case SHUTDOWN_crash:
		a = c->on_crash;
		break;
	default:
		a = DOMCFG_DESTROY; /* suspend: nothing to resume it with yet */
	}
	if (a == DOMCFG_RESTART) {
		if (c->restart_limit && d->restarts >= c->restart_limit) {
			printk("d%u \"%s\": restart limit (%u) reached, destroying\n", d->domain_id, d->name,
			       c->restart_limit);
			return ACTION_destroy;
		}
		return ACTION_restart;
	}
	return a == DOMCFG_PRESERVE ? ACTION_preserve : ACTION_destroy;
}

void domain_rebuild(const struct domcfg *cfg, unsigned int restarts)
{
	struct boot_domain *bd = NULL;

	for (unsigned int i = 0; i < nr_boot_domains; i++)
		if (&boot_domains[i]->cfg == cfg)
			bd = boot_domains[i];
	if (!bd) {
		printk(LOG_ERR "cannot restart a domain whose configuration is unknown\n");
	} else {
		printk("domain \"%s\": restart %u\n", bd->cfg.name, restarts);
		if (!build_one(bd, restarts, NULL))
			return;
	}
	if (!nr_domains())
		domains_all_gone();
}
