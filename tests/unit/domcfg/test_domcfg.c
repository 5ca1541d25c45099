/*
 * Unit tests for the domain configuration parser (common/domcfg.c): every
 * key with good and bad values and the exact text of its messages, defaults,
 * xl's syntax (quotes, escapes, lists over several lines, comments, ';',
 * +=), xl's rules (cmdline over root/extra, per-vCPU affinity lists, the
 * shutdown actions), several domains per text, refusal of a whole part on
 * any error while the others still count, names unique across calls, and
 * hostile details (NUL bytes, CRLF, unterminated strings, deep nesting,
 * floods of errors).
 */
#include "domcfg_test.h"

#define MAX_DOMS 8

static struct domcfg doms[MAX_DOMS];
static unsigned int count;

static int parse_n(const char *text, size_t len)
{
	count = 0;
	reports_clear();
	return domcfg_parse(text, len, "d.cfg", doms, MAX_DOMS, &count, report);
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* A text that must give exactly one domain and no message. */
static const struct domcfg *parse_one(const char *text)
{
	int rc = parse(text);

	if (rc != 0 || count != 1 || nr_reports != 0) {
		dump_reports();
		fail_msg("rc %d, count %u, %u reports", rc, count, nr_reports);
	}
	return &doms[0];
}

/* One domain refused: the return value counts its errors. */
static void parse_refused(const char *text, int errors)
{
	int rc = parse(text);

	if (rc != errors || count != 0) {
		dump_reports();
		fail_msg("rc %d (expected %d), count %u", rc, errors, count);
	}
}

static bool has_cpu(const unsigned long *map, unsigned int cpu)
{
	return (map[cpu / BITS_PER_LONG] >> (cpu % BITS_PER_LONG)) & 1;
}

static unsigned int weight(const unsigned long *map)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < DOMCFG_MAX_PCPUS; i++)
		n += has_cpu(map, i);
	return n;
}

#define MIN_CFG "name = \"a\"\nkernel = \"k\"\n"

/* ------------------------------------------------------------ whole configs */

static void test_full_example(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one("# a web server\n"
		      "name = \"web\"\n"
		      "type = \"pvh\"\n"
		      "memory = 512\n"
		      "maxmem = 512\n"
		      "vcpus = 2\n"
		      "maxvcpus = 4\n"
		      "cpus = \"0-3,^1\"\n"
		      "cpus_soft = [\"2\", \"3\"]\n"
		      "kernel = \"/boot/vmlinuz\"\n"
		      "ramdisk = 'initrd.cpio.gz'\n"
		      "cmdline = \"console=hvc0 quiet\"\n"
		      "on_poweroff = \"destroy\"\n"
		      "on_reboot = \"restart\"\n"
		      "on_crash = \"preserve\"\n"
		      "on_watchdog = \"restart\"\n"
		      "cpu_weight = 512\n"
		      "cap = 150\n"
		      "restart_limit = 3\n");
	assert_string_equal(d->name, "web");
	assert_int_equal(d->first_line, 2);
	assert_int_equal(d->memory_mib, 512);
	assert_int_equal(d->maxmem_mib, 512);
	assert_int_equal(d->vcpus, 2);
	assert_int_equal(d->max_vcpus, 4);
	assert_true(d->cpus_given);
	assert_true(d->cpus_soft_given);
	for (unsigned int v = 0; v < DOMCFG_MAX_VCPUS; v++) {
		assert_int_equal(weight(d->cpus[v]), 3);
		assert_true(has_cpu(d->cpus[v], 0) && has_cpu(d->cpus[v], 2) && has_cpu(d->cpus[v], 3));
	}
	assert_int_equal(weight(d->cpus_soft[0]), 1);
	assert_true(has_cpu(d->cpus_soft[0], 2));
	assert_int_equal(weight(d->cpus_soft[1]), 1);
	assert_true(has_cpu(d->cpus_soft[1], 3));
	assert_int_equal(weight(d->cpus_soft[2]), DOMCFG_MAX_PCPUS); /* past the list: unrestricted */
	assert_string_equal(d->kernel, "/boot/vmlinuz");
	assert_string_equal(d->ramdisk, "initrd.cpio.gz");
	assert_string_equal(d->cmdline, "console=hvc0 quiet");
	assert_int_equal(d->on_poweroff, DOMCFG_DESTROY);
	assert_int_equal(d->on_reboot, DOMCFG_RESTART);
	assert_int_equal(d->on_crash, DOMCFG_PRESERVE);
	assert_int_equal(d->on_watchdog, DOMCFG_RESTART);
	assert_int_equal(d->weight, 512);
	assert_int_equal(d->cap, 150);
	assert_int_equal(d->restart_limit, 3);
}

static void test_defaults(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one("name=\"x\"\nkernel=\"k\"");
	assert_int_equal(d->memory_mib, 128);
	assert_int_equal(d->maxmem_mib, 128);
	assert_int_equal(d->vcpus, 1);
	assert_int_equal(d->max_vcpus, 1);
	assert_false(d->cpus_given);
	assert_false(d->cpus_soft_given);
	assert_int_equal(weight(d->cpus[0]), DOMCFG_MAX_PCPUS);
	assert_int_equal(weight(d->cpus_soft[DOMCFG_MAX_VCPUS - 1]), DOMCFG_MAX_PCPUS);
	assert_string_equal(d->ramdisk, "");
	assert_string_equal(d->cmdline, "");
	assert_int_equal(d->on_poweroff, DOMCFG_DESTROY);
	assert_int_equal(d->on_reboot, DOMCFG_RESTART);
	assert_int_equal(d->on_crash, DOMCFG_DESTROY);
	assert_int_equal(d->on_watchdog, DOMCFG_DESTROY);
	assert_int_equal(d->weight, 256);
	assert_int_equal(d->cap, 0);
	assert_int_equal(d->restart_limit, 0);
	assert_string_equal(domcfg_action_name(DOMCFG_DESTROY), "destroy");
	assert_string_equal(domcfg_action_name(DOMCFG_RESTART), "restart");
	assert_string_equal(domcfg_action_name(DOMCFG_PRESERVE), "preserve");
	assert_string_equal(domcfg_action_name((enum domcfg_action)7), "?");
}

/* ------------------------------------------------------------ several domains */

static void test_several_domains(void **state)
{
	(void)state;
	assert_int_equal(parse("name = \"a\"\nkernel = \"k\"\n"
			       "---\n"
			       "name = \"b\"\nkernel = \"k\"\nmemory = \"abc\"\nvcpus = 0\n"
			       "  ---  \n"
			       "# only a comment: not a domain\n"
			       "---\n"
			       "name = \"c\"\nkernel = \"k2\"\n"
			       "---\n"),
			 2);
	assert_int_equal(count, 2);
	assert_string_equal(doms[0].name, "a");
	assert_string_equal(doms[1].name, "c");
	assert_int_equal(doms[1].first_line, 11);
	assert_string_equal(doms[1].kernel, "k2");
	assert_reported("d.cfg:6: memory: \"abc\" is not a number");
	assert_reported("d.cfg:7: vcpus: 0 is out of range (1 to 128)");
	assert_reported("d.cfg:4: domain \"b\" refused (2 errors)");
	assert_int_equal(nr_reports, 3);
}

static void test_separator_rules(void **state)
{
	(void)state;
	/* "----", "--- x" and "-- -" are not separators: they are syntax errors */
	assert_int_equal(parse(MIN_CFG "----\n"), 1); /* the refusal line is not an error of its own */
	assert_int_equal(count, 0);
	/* CRLF around the separator, and a trailing separator without newline */
	assert_int_equal(parse("name = \"a\"\r\nkernel = \"k\"\r\n\t--- \r\nname = \"b\"\r\nkernel = \"k\"\r\n---"), 0);
	assert_int_equal(count, 2);
	assert_int_equal(nr_reports, 0);
	/* nothing at all, blank lines, separators only */
	assert_int_equal(parse(""), 0);
	assert_int_equal(count, 0);
	assert_int_equal(parse("\n\n  \n# x\n---\n---\n\n"), 0);
	assert_int_equal(count, 0);
	assert_int_equal(nr_reports, 0);
}

static void test_count_in_out_and_unique_names(void **state)
{
	unsigned int n = 0;
	int rc;

	(void)state;
	reports_clear();
	rc = domcfg_parse(MIN_CFG, strlen(MIN_CFG), "d.cfg", doms, MAX_DOMS, &n, report);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	/* a second module: "a" is taken, "b" is new */
	const char *second = "name = \"a\"\nkernel = \"k\"\n---\nname = \"b\"\nkernel = \"k\"\n";
	rc = domcfg_parse(second, strlen(second), "d.cfg", doms, MAX_DOMS, &n, report);
	assert_int_equal(rc, 1);
	assert_int_equal(n, 2);
	assert_string_equal(doms[1].name, "b");
	assert_reported("d.cfg:1: name: \"a\" is already the name of another domain");
	assert_reported("d.cfg:1: domain \"a\" refused (1 error)");
	/* within one text too */
	assert_int_equal(parse(MIN_CFG "---\n" MIN_CFG), 1);
	assert_int_equal(count, 1);
	assert_reported("d.cfg:4: name: \"a\" is already the name of another domain");
}

static void test_too_many_domains(void **state)
{
	unsigned int n = 0;
	const char *text = "name = \"a\"\nkernel = \"k\"\n---\nname = \"b\"\nkernel = \"k\"\n---\n\n"
			   "name = \"c\"\nkernel = \"k\"\n";
	int rc;

	(void)state;
	reports_clear();
	rc = domcfg_parse(text, strlen(text), "d.cfg", doms, 2, &n, report);
	assert_int_equal(rc, 1);
	assert_int_equal(n, 2);
	assert_reported("d.cfg:8: too many domains (at most 2): this one is not built");
	/* bad arguments */
	assert_int_equal(domcfg_parse(text, strlen(text), "d.cfg", NULL, 2, &n, report), -XEN_EINVAL);
	assert_int_equal(domcfg_parse(text, strlen(text), "d.cfg", doms, 2, NULL, report), -XEN_EINVAL);
	n = 3;
	assert_int_equal(domcfg_parse(text, strlen(text), "d.cfg", doms, 2, &n, report), -XEN_EINVAL);
	n = 0;
	assert_int_equal(domcfg_parse(NULL, 5, "d.cfg", doms, 2, &n, report), -XEN_EINVAL);
	assert_int_equal(domcfg_parse(NULL, 0, "d.cfg", doms, 2, &n, report), 0);
	assert_int_equal(n, 0);
	/* no report callback, no source name */
	expect_source = "config";
	reports_clear();
	assert_int_equal(domcfg_parse("memory=1", 8, NULL, doms, 2, &n, NULL), 3);
	assert_int_equal(domcfg_parse("memory=1", 8, NULL, doms, 2, &n, report), 3);
	assert_reported("config:1: memory: 1 is out of range (4 to 1048576 MiB)");
	expect_source = "d.cfg";
}

/* ------------------------------------------------------------ required keys, names */

static void test_required(void **state)
{
	(void)state;
	parse_refused("memory = 64\n", 2);
	assert_reported("d.cfg:1: name: missing: every domain needs a name");
	assert_reported("d.cfg:1: kernel: missing: say which boot module is the domain's kernel");
	assert_reported("d.cfg:1: domain refused (2 errors)");
	parse_refused("\n\nname = \"n\"\n", 1);
	assert_reported("d.cfg:3: kernel: missing: say which boot module is the domain's kernel");
	assert_reported("d.cfg:3: domain \"n\" refused (1 error)");
}

static void test_names(void **state)
{
	char text[256];

	(void)state;
	parse_one("name = \"A-z_0.9\"\nkernel = \"k\"\n");
	parse_refused("name = \"a b\"\nkernel = \"k\"\n", 1);
	assert_reported("d.cfg:1: name: \"a b\" is not a valid domain name (use A-Z a-z 0-9 _ . -)");
	parse_refused("name = \"\"\nkernel = \"k\"\n", 1);
	assert_reported("d.cfg:1: name: the name is empty");
	/* 63 characters fit, 64 do not */
	snprintf(text, sizeof(text), "name = \"%063d\"\nkernel = \"k\"\n", 0);
	assert_int_equal(strlen(parse_one(text)->name), 63);
	snprintf(text, sizeof(text), "name = \"%064d\"\nkernel = \"k\"\n", 0);
	parse_refused(text, 1);
	assert_reported("d.cfg:1: name: too long (64 bytes, at most 63)");
	/* a number is an atom too, as in xl */
	assert_string_equal(parse_one("name = 42\nkernel = \"k\"\n")->name, "42");
	/* a list is not a name */
	parse_refused("name = [\"a\"]\nkernel = \"k\"\n", 1);
	assert_reported("d.cfg:1: name: expected a single value, not a list");
}

static void test_module_names(void **state)
{
	(void)state;
	parse_refused("name = \"a\"\nkernel = \"my kernel\"\n", 1);
	assert_reported("d.cfg:2: kernel: \"my kernel\" is not a module name: it has a space (a module's name is "
			"the first word of its command line)");
	parse_refused("name = \"a\"\nkernel = \"k\"\nramdisk = \"\"\n", 1);
	assert_reported("d.cfg:3: ramdisk: empty module name");
	parse_refused("name = \"a\"\nkernel = \"k\\tx\"\n", 1);
	assert_reported("d.cfg:2: kernel: \"k\\x09x\" is not a module name: it has a space (a module's name is "
			"the first word of its command line)");
	parse_refused("name = \"a\"\nkernel = \"k\\x01\"\n", 1);
	assert_reported("d.cfg:2: kernel: \"k\\x01\" is not a module name: it has a control character");
}

/* ------------------------------------------------------------ type */

static void test_type(void **state)
{
	(void)state;
	parse_one(MIN_CFG "type = \"pvh\"\n");
	parse_refused(MIN_CFG "type = \"hvm\"\n", 1);
	assert_reported("d.cfg:3: type: \"hvm\" is not supported: Basalt builds PVH domains only (type = \"pvh\")");
	parse_refused(MIN_CFG "type = 'pv'\n", 1);
	assert_reported("d.cfg:3: type: \"pv\" is not supported: Basalt builds PVH domains only (type = \"pvh\")");
	parse_refused(MIN_CFG "type = \"pvhx\"\n", 1);
	assert_reported("d.cfg:3: type: \"pvhx\" is not a domain type (xl knows \"pv\", \"pvh\" and \"hvm\")");
	parse_refused(MIN_CFG "builder = \"hvm\"\n", 1);
	assert_reported("d.cfg:3: builder: \"hvm\" is not supported: Basalt builds PVH domains only (type = \"pvh\")");
	parse_refused(MIN_CFG "builder = \"linux\"\n", 1);
	assert_reported("d.cfg:3: builder: \"linux\" is not a builder (xl knows \"generic\" and \"hvm\")");
	parse_refused(MIN_CFG "type = \"pv\"\ntype += \"h\"\n", 2);
	assert_reported("d.cfg:4: type: += is not supported for this key");
}

/* ------------------------------------------------------------ numbers */

static void test_memory(void **state)
{
	(void)state;
	assert_int_equal(parse_one(MIN_CFG "memory = 4\n")->memory_mib, 4);
	assert_int_equal(parse_one(MIN_CFG "memory = 0x100\n")->memory_mib, 256);
	assert_int_equal(parse_one(MIN_CFG "memory = 010\n")->memory_mib, 8); /* octal, as strtol */
	assert_int_equal(parse_one(MIN_CFG "memory = \"64\"\n")->memory_mib, 64);
	assert_int_equal(parse_one(MIN_CFG "memory = 1048576\n")->memory_mib, 1048576);
	parse_refused(MIN_CFG "memory = 3\n", 1);
	assert_reported("d.cfg:3: memory: 3 is out of range (4 to 1048576 MiB)");
	parse_refused(MIN_CFG "memory = 1048577\n", 1);
	assert_reported("d.cfg:3: memory: 1048577 is out of range (4 to 1048576 MiB)");
	parse_refused(MIN_CFG "memory = -5\n", 1);
	assert_reported("d.cfg:3: memory: -5 is out of range (4 to 1048576 MiB)");
	parse_refused(MIN_CFG "memory = 99999999999999999999999\n", 1);
	assert_reported("d.cfg:3: memory: 99999999999999999999999 is out of range (4 to 1048576 MiB)");
	parse_refused(MIN_CFG "memory = 512M\n", 1);
	assert_reported("d.cfg:3: memory: \"512M\" is not a number");
	parse_refused(MIN_CFG "memory = 08\n", 1);
	assert_reported("d.cfg:3: memory: \"08\" is not a number");
	parse_refused(MIN_CFG "memory = \"\"\n", 1);
	assert_reported("d.cfg:3: memory: \"\" is not a number");
	parse_refused(MIN_CFG "memory = \" 64\"\n", 1);
	assert_reported("d.cfg:3: memory: \" 64\" is not a number");
	parse_refused(MIN_CFG "memory = 0x\n", 1);
	parse_refused(MIN_CFG "memory = 1.5\n", 1);
	assert_reported("d.cfg:3: memory: \"1.5\" is not a number");
	parse_refused(MIN_CFG "memory = [64]\n", 1);
	assert_reported("d.cfg:3: memory: expected a single value, not a list");
	parse_refused(MIN_CFG "memory = 64\nmemory += 64\n", 1);
	assert_reported("d.cfg:4: memory: can't use += with numbers");
	parse_refused(MIN_CFG "memory += 64\n", 1); /* even the first time, as in xl */
}

static void test_maxmem(void **state)
{
	(void)state;
	assert_int_equal(parse_one(MIN_CFG "memory = 256\nmaxmem = 256\n")->maxmem_mib, 256);
	assert_int_equal(parse_one(MIN_CFG "maxmem = 128\n")->maxmem_mib, 128);
	/* more than memory: room to balloon up */
	assert_int_equal(parse_one(MIN_CFG "memory = 256\nmaxmem = 512\n")->maxmem_mib, 512);
	parse_refused(MIN_CFG "memory = 256\nmaxmem = 128\n", 1);
	assert_reported("d.cfg:4: maxmem: 128 is less than memory (256)");
}

static void test_vcpus(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one(MIN_CFG "vcpus = 128\n");
	assert_int_equal(d->vcpus, 128);
	assert_int_equal(d->max_vcpus, 128);
	d = parse_one(MIN_CFG "vcpus = 2\nmaxvcpus = 8\n");
	assert_int_equal(d->vcpus, 2);
	assert_int_equal(d->max_vcpus, 8);
	parse_refused(MIN_CFG "vcpus = 129\n", 1);
	assert_reported("d.cfg:3: vcpus: 129 is out of range (1 to 128)");
	parse_refused(MIN_CFG "vcpus = 4\nmaxvcpus = 2\n", 1);
	assert_reported("d.cfg:4: maxvcpus: 2 is less than vcpus (4)");
	parse_refused(MIN_CFG "maxvcpus = 0\n", 1);
	assert_reported("d.cfg:3: maxvcpus: 0 is out of range (1 to 128)");
}

static void test_weight_cap_restart_limit(void **state)
{
	const struct domcfg *d;

	(void)state;
	assert_int_equal(parse_one(MIN_CFG "cpu_weight = 1\n")->weight, 1);
	assert_int_equal(parse_one(MIN_CFG "weight = 65535\n")->weight, 65535);
	parse_refused(MIN_CFG "cpu_weight = 0\n", 1);
	assert_reported("d.cfg:3: cpu_weight: 0 is out of range (1 to 65535)");
	parse_refused(MIN_CFG "weight = 65536\n", 1);
	assert_reported("d.cfg:3: weight: 65536 is out of range (1 to 65535)");
	/* the alias is the same key: a second setting replaces the first */
	assert_int_equal(parse(MIN_CFG "weight = 100\ncpu_weight = 200\n"), 0);
	assert_int_equal(doms[0].weight, 200);
	assert_reported("d.cfg:4: warning: cpu_weight: set again (first on line 3); this value replaces it");

	d = parse_one(MIN_CFG "vcpus = 2\ncap = 200\n");
	assert_int_equal(d->cap, 200);
	parse_refused(MIN_CFG "vcpus = 2\ncap = 201\n", 1);
	assert_reported("d.cfg:4: cap: 201 is more than 2 vCPUs can use (at most 200 %)");
	parse_refused(MIN_CFG "cap = 101\n", 1);
	assert_reported("d.cfg:3: cap: 101 is more than 1 vCPU can use (at most 100 %)");
	assert_int_equal(parse_one(MIN_CFG "vcpus = 1\nmaxvcpus = 3\ncap = 300\n")->cap, 300);
	parse_refused(MIN_CFG "cap = -1\n", 1);
	assert_reported("d.cfg:3: cap: -1 is out of range (0 to 12800 %)");

	assert_int_equal(parse_one(MIN_CFG "restart_limit = 1000000\n")->restart_limit, 1000000);
	parse_refused(MIN_CFG "restart_limit = 1000001\n", 1);
	assert_reported("d.cfg:3: restart_limit: 1000001 is out of range (0 to 1000000)");
}

static void test_grant_limits(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one(MIN_CFG);
	assert_int_equal(d->max_grant_frames, 64);
	assert_int_equal(d->max_maptrack_frames, 1024);
	d = parse_one(MIN_CFG "max_grant_frames = 4\nmax_maptrack_frames = 0\n");
	assert_int_equal(d->max_grant_frames, 4);
	assert_int_equal(d->max_maptrack_frames, 0);
	assert_int_equal(parse_one(MIN_CFG "max_grant_frames = 4096\n")->max_grant_frames, 4096);
	parse_refused(MIN_CFG "max_grant_frames = 0\n", 1);
	assert_reported("d.cfg:3: max_grant_frames: 0 is out of range (1 to 4096)");
	parse_refused(MIN_CFG "max_maptrack_frames = 65537\n", 1);
	assert_reported("d.cfg:3: max_maptrack_frames: 65537 is out of range (0 to 65536)");
}

/* ------------------------------------------------------------ affinity */

static void test_cpus_strings(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one(MIN_CFG "cpus = \"all\"\n");
	assert_true(d->cpus_given);
	assert_int_equal(weight(d->cpus[0]), 256);
	d = parse_one(MIN_CFG "cpus = \"all,^0-1, ^255\"\n");
	assert_int_equal(weight(d->cpus[5]), 253);
	assert_false(has_cpu(d->cpus[5], 0) || has_cpu(d->cpus[5], 1) || has_cpu(d->cpus[5], 255));
	d = parse_one(MIN_CFG "cpus = \"3\"\n");
	assert_int_equal(weight(d->cpus[0]), 1);
	assert_true(has_cpu(d->cpus[127], 3));
	d = parse_one(MIN_CFG "cpus = \",,1,,2-2,\"\n"); /* empty items are skipped, as strtok does */
	assert_int_equal(weight(d->cpus[0]), 2);
	/* += adds ranges to the string's map */
	d = parse_one(MIN_CFG "cpus = \"0\"\ncpus += \",4-5\"\n");
	assert_int_equal(weight(d->cpus[3]), 3);
	assert_true(has_cpu(d->cpus[3], 5));
	d = parse_one(MIN_CFG "cpus_soft += \"7\"\n");
	assert_int_equal(weight(d->cpus_soft[0]), 1);

	parse_refused(MIN_CFG "cpus = \"0-3,x\"\n", 1);
	assert_reported("d.cfg:3: cpus: bad CPU range \"x\" in \"0-3,x\" (use \"all\", \"N\", \"N-M\", \"^N\", "
			"separated by commas)");
	parse_refused(MIN_CFG "cpus = \"3-1\"\n", 1);
	assert_reported_part("bad CPU range \"3-1\"");
	parse_refused(MIN_CFG "cpus = \"1-\"\n", 1);
	parse_refused(MIN_CFG "cpus = \"-1\"\n", 1);
	parse_refused(MIN_CFG "cpus = \"1 2\"\n", 1);
	parse_refused(MIN_CFG "cpus = \"0-256\"\n", 1);
	assert_reported("d.cfg:3: cpus: \"0-256\" names CPU 256; Basalt supports CPUs 0 to 255");
	parse_refused(MIN_CFG "cpus = \"99999999999999\"\n", 1);
	assert_reported("d.cfg:3: cpus: \"99999999999999\" names CPU 1000000; Basalt supports CPUs 0 to 255");
	parse_refused(MIN_CFG "cpus = \"^all\"\n", 1);
	assert_reported("d.cfg:3: cpus: \"^all\" combines '^' with \"all\"");
	parse_refused(MIN_CFG "cpus_soft = \"node:0\"\n", 1);
	assert_reported("d.cfg:3: cpus_soft: \"node:0\" names NUMA nodes: not supported yet");
	parse_refused(MIN_CFG "cpus = \"nodes:0-1\"\n", 1);
	parse_refused(MIN_CFG "cpus = \"^3\"\n", 1);
	assert_reported("d.cfg:3: cpus: \"^3\" leaves no CPU to run on");
	parse_refused(MIN_CFG "cpus = \"\"\n", 1);
	assert_reported("d.cfg:3: cpus: \"\" leaves no CPU to run on");
}

static void test_cpus_lists(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one(MIN_CFG "vcpus = 3\n"
			      "cpus = [\n"
			      "  \"2\",   # vCPU 0\n"
			      "  \"3-8,^5\",\n"
			      "]\n");
	assert_int_equal(weight(d->cpus[0]), 1);
	assert_true(has_cpu(d->cpus[0], 2));
	assert_int_equal(weight(d->cpus[1]), 5);
	assert_false(has_cpu(d->cpus[1], 5));
	assert_int_equal(weight(d->cpus[2]), 256); /* past the list */
	/* numbers in the list are atoms too; += appends entries */
	d = parse_one(MIN_CFG "maxvcpus = 3\ncpus = [1]\ncpus += [2, \"3\"]\n");
	assert_true(has_cpu(d->cpus[0], 1) && has_cpu(d->cpus[1], 2) && has_cpu(d->cpus[2], 3));
	/* = after a list starts over */
	assert_int_equal(parse(MIN_CFG "cpus = [\"1\", \"2\"]\ncpus = [\"4\"]\n"), 0);
	assert_true(has_cpu(doms[0].cpus[0], 4));
	assert_int_equal(weight(doms[0].cpus[1]), 256);
	/* an empty list restricts nothing */
	d = parse_one(MIN_CFG "cpus = []\n");
	assert_true(d->cpus_given);
	assert_int_equal(weight(d->cpus[0]), 256);

	/* more entries than vCPUs: a warning, the rest ignored */
	assert_int_equal(parse(MIN_CFG "vcpus = 2\ncpus = [\"0\", \"1\", \"2\"]\n"), 0);
	assert_int_equal(count, 1);
	assert_reported("d.cfg:4: warning: cpus: 3 entries but maxvcpus is 2; the entries past vCPU 1 are ignored");
	assert_int_equal(weight(doms[0].cpus[2]), 256);

	parse_refused(MIN_CFG "cpus = [\"0\", \"x\"]\n", 1);
	parse_refused(MIN_CFG "cpus = [[\"0\"]]\n", 1);
	assert_reported("d.cfg:3: cpus: a list of lists is not allowed here");
	parse_refused(MIN_CFG "cpus = \"0\"\ncpus += [\"1\"]\n", 1);
	assert_reported("d.cfg:4: cpus: can't add [list] to \"string\" or vice versa");
	parse_refused(MIN_CFG "cpus = [\"0\"]\ncpus += \"1\"\n", 1);
}

static void test_cpus_list_past_max(void **state)
{
	static char text[8192];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), MIN_CFG "vcpus = 128\ncpus = [");
	for (unsigned int i = 0; i < 130; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\"%u\",", i);
	snprintf(text + n, sizeof(text) - n, "]\n");
	assert_int_equal(parse(text), 0);
	assert_int_equal(count, 1);
	assert_reported("d.cfg:4: warning: cpus: entries past vCPU 127 ignored (a domain has at most 128 vCPUs)");
	assert_reported("d.cfg:4: warning: cpus: 130 entries but maxvcpus is 128; the entries past vCPU 127 are "
			"ignored");
	assert_true(has_cpu(doms[0].cpus[127], 127));
	assert_int_equal(weight(doms[0].cpus[127]), 1);
}

/* ------------------------------------------------------------ command line */

static void test_cmdline_composition(void **state)
{
	(void)state;
	assert_string_equal(parse_one(MIN_CFG "root = \"/dev/xvda1\"\nextra = \"console=hvc0\"\n")->cmdline,
			    "root=/dev/xvda1 console=hvc0");
	assert_string_equal(parse_one(MIN_CFG "root = \"/dev/ram0\"\n")->cmdline, "root=/dev/ram0");
	assert_string_equal(parse_one(MIN_CFG "extra = \"quiet\"\n")->cmdline, "quiet");
	assert_string_equal(parse_one(MIN_CFG "extra = \"a\"\nextra += \" b\"\n")->cmdline, "a b");
	assert_string_equal(parse_one(MIN_CFG "cmdline = \"x\"\ncmdline += \"y\"\n")->cmdline, "xy");
	assert_string_equal(parse_one(MIN_CFG "cmdline += \"first\"\n")->cmdline, "first");

	assert_int_equal(parse(MIN_CFG "root = \"r\"\ncmdline = \"c\"\nextra = \"e\"\n"), 0);
	assert_int_equal(count, 1);
	assert_string_equal(doms[0].cmdline, "c");
	assert_reported("d.cfg:3: warning: root: ignored, because cmdline (line 4) is set");
	assert_reported("d.cfg:5: warning: extra: ignored, because cmdline (line 4) is set");
}

static void test_cmdline_lengths(void **state)
{
	static char text[8192];
	static char big[DOMCFG_CMDLINE_MAX + 2];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[DOMCFG_CMDLINE_MAX] = '\0'; /* 2047 characters: fits */
	snprintf(text, sizeof(text), MIN_CFG "cmdline = \"%s\"\n", big);
	assert_int_equal(strlen(parse_one(text)->cmdline), DOMCFG_CMDLINE_MAX);
	snprintf(text, sizeof(text), MIN_CFG "cmdline = \"%s\"\ncmdline += \"y\"\n", big);
	parse_refused(text, 1);
	assert_reported("d.cfg:4: cmdline: too long (2048 bytes with +=, at most 2047)");
	/* extra fits alone, but not with "root=r " in front */
	snprintf(text, sizeof(text), MIN_CFG "root = \"r\"\nextra = \"%s\"\n", big);
	parse_refused(text, 1);
	assert_reported("d.cfg:4: extra: the command line made of root and extra is too long (2054 bytes, at most "
			"2047)");
	/* a value longer than the value buffer */
	char *huge = malloc(6000);
	memset(huge, 0, 6000);
	memcpy(huge, MIN_CFG "cmdline = \"", strlen(MIN_CFG "cmdline = \""));
	memset(huge + strlen(huge), 'y', 5000);
	strcat(huge, "\"\n");
	parse_refused(huge, 1);
	assert_reported("d.cfg:3: cmdline: value too long (at most 4095 bytes)");
	free(huge);
}

/* ------------------------------------------------------------ actions */

static void test_actions(void **state)
{
	(void)state;
	assert_int_equal(parse_one(MIN_CFG "on_poweroff = \"preserve\"\n")->on_poweroff, DOMCFG_PRESERVE);
	assert_int_equal(parse_one(MIN_CFG "on_reboot = \"destroy\"\n")->on_reboot, DOMCFG_DESTROY);
	assert_int_equal(parse_one(MIN_CFG "on_crash = \"restart\"\n")->on_crash, DOMCFG_RESTART);

	assert_int_equal(parse(MIN_CFG "on_crash = \"coredump-restart\"\non_reboot = \"rename-restart\"\n"
				       "on_watchdog = \"coredump-destroy\"\n"),
			 0);
	assert_int_equal(count, 1);
	assert_int_equal(doms[0].on_crash, DOMCFG_RESTART);
	assert_int_equal(doms[0].on_reboot, DOMCFG_RESTART);
	assert_int_equal(doms[0].on_watchdog, DOMCFG_DESTROY);
	assert_reported("d.cfg:3: warning: on_crash: \"coredump-restart\" is treated as \"restart\" (no core dump is "
			"written)");
	assert_reported("d.cfg:4: warning: on_reboot: \"rename-restart\" is treated as \"restart\" (the dead domain "
			"is not kept)");
	assert_reported("d.cfg:5: warning: on_watchdog: \"coredump-destroy\" is treated as \"destroy\" (no core "
			"dump is written)");

	parse_refused(MIN_CFG "on_poweroff = \"soft-reset\"\n", 1);
	assert_reported("d.cfg:3: on_poweroff: \"soft-reset\" is not supported yet");
	parse_refused(MIN_CFG "on_crash = \"explode\"\n", 1);
	assert_reported("d.cfg:3: on_crash: \"explode\" is not an action (destroy, restart, preserve, "
			"rename-restart, coredump-destroy, coredump-restart)");
}

/* ------------------------------------------------------------ keys */

static void test_unsupported_and_unknown_keys(void **state)
{
	(void)state;
	assert_int_equal(parse(MIN_CFG "disk = [ 'phy:/dev/sda,xvda,w' ]\n"
				       "vif = [ 'bridge=br0', ]\n"
				       "device_model_args = [\"-x\"]\n"
				       "vnuma = [ [\"pnode=0\", \"size=512\"], [\"pnode=1\"] ]\n"
				       "on_soft_reset = \"destroy\"\n"),
			 0);
	assert_int_equal(count, 1);
	assert_reported("d.cfg:3: warning: disk: not supported yet, ignored");
	assert_reported("d.cfg:4: warning: vif: not supported yet, ignored");
	assert_reported("d.cfg:5: warning: device_model_args: not supported yet, ignored");
	assert_reported("d.cfg:6: warning: vnuma: not supported yet, ignored");
	assert_reported("d.cfg:7: warning: on_soft_reset: not supported yet, ignored");

	parse_refused(MIN_CFG "memroy = 64\n", 1);
	assert_reported("d.cfg:3: memroy: not an xl.cfg key Basalt knows (see docs/domains.md)");
	parse_refused(MIN_CFG "Memory = 64\n", 1); /* keys are case-sensitive, as in xl */
	/* an unsupported key's value is still checked for syntax */
	parse_refused(MIN_CFG "disk = [ 'a' 'b' ]\n", 1);
	assert_reported("d.cfg:3: disk: syntax error: expected ',' or ']' in the list, found \"'b'\"");
}

static void test_duplicates(void **state)
{
	(void)state;
	assert_int_equal(parse(MIN_CFG "memory = 64\nmemory = 96\n"), 0);
	assert_int_equal(doms[0].memory_mib, 96);
	assert_reported("d.cfg:4: warning: memory: set again (first on line 3); this value replaces it");
	assert_int_equal(nr_reports, 1);
}

/* ------------------------------------------------------------ syntax */

static void test_syntax_forms(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one("name='a';kernel=\"k\"; memory=64;;\n"
		      "\t vcpus   =\t2   # trailing comment\n"
		      "# comment = \"not a key\"\n"
		      "maxvcpus=4;\n"
		      "cpus_soft = [ \"0\" ,\n\n \"1\"\n\n ]\n"
		      "extra = \"a#b\"   # a '#' inside a string is not a comment\n");
	assert_int_equal(d->memory_mib, 64);
	assert_int_equal(d->vcpus, 2);
	assert_int_equal(d->max_vcpus, 4);
	assert_true(has_cpu(d->cpus_soft[1], 1));
	assert_string_equal(d->cmdline, "a#b");
	/* CRLF line endings, no final newline */
	d = parse_one("name = \"a\"\r\nkernel = \"k\"\r\nmemory = 32");
	assert_int_equal(d->memory_mib, 32);
}

static void test_escapes(void **state)
{
	const struct domcfg *d;

	(void)state;
	d = parse_one(MIN_CFG "cmdline = \"q=\\\" s=\\' b=\\\\ n=\\n t=\\t x=\\x41\\x4a o=\\101\\7\\12 "
			      "abfrv=\\a\\b\\f\\r\\v\"\n");
	assert_string_equal(d->cmdline, "q=\" s=' b=\\ n=\n t=\t x=AJ o=A\a\n abfrv=\a\b\f\r\v");
	d = parse_one(MIN_CFG "cmdline = 'say \"hi\"'\n");
	assert_string_equal(d->cmdline, "say \"hi\"");
	/* \1234 is \123 then '4' */
	assert_string_equal(parse_one(MIN_CFG "cmdline = \"\\1234\"\n")->cmdline, "S4");
	/* bytes above 0x7f pass through */
	assert_string_equal(parse_one(MIN_CFG "cmdline = \"\xc3\xa9\\xff\"\n")->cmdline, "\xc3\xa9\xff");

	parse_refused(MIN_CFG "cmdline = \"\\q\"\n", 1);
	assert_reported("d.cfg:3: cmdline: bad escape in a string: \"\\\\q\" (xl knows \\\" \\' \\\\ \\a \\b \\f \\n "
			"\\r \\t \\v \\xHH \\ooo)");
	parse_refused(MIN_CFG "cmdline = \"\\x4\"\n", 1);
	assert_reported("d.cfg:3: cmdline: bad escape in a string: \\x needs two hex digits");
	parse_refused(MIN_CFG "cmdline = \"\\xg0\"\n", 1);
	parse_refused(MIN_CFG "cmdline = \"\\0\"\n", 1);
	assert_reported("d.cfg:3: cmdline: a string may not contain a NUL character");
	parse_refused(MIN_CFG "cmdline = \"\\x00\"\n", 1);
	parse_refused(MIN_CFG "cmdline = \"\\400\"\n", 1);
	assert_reported("d.cfg:3: cmdline: bad escape in a string: \\400 is more than \\377");
	/* escapes are checked for keys Basalt ignores too */
	parse_refused(MIN_CFG "disk = [\"\\z\"]\n", 1);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	parse_refused(MIN_CFG "memory 64\n", 1);
	assert_reported("d.cfg:3: memory: syntax error: expected '=' or '+=' after the key, found \"64\"");
	parse_refused(MIN_CFG "memory =\n", 1);
	assert_reported("d.cfg:3: memory: syntax error: expected a value (a \"string\", a number or a [list]), "
			"found the end of the line");
	parse_refused(MIN_CFG "memory = ", 1);
	assert_reported("d.cfg:3: memory: syntax error: expected a value (a \"string\", a number or a [list]), "
			"found the end of the domain");
	parse_refused(MIN_CFG "memory = 64 96\n", 1);
	assert_reported("d.cfg:3: memory: syntax error: expected the end of the line or ';' after the value, "
			"found \"96\"");
	parse_refused(MIN_CFG "= 5\n", 1);
	assert_reported("d.cfg:3: syntax error: expected a key at the start of a statement, found \"=\"");
	parse_refused(MIN_CFG "memory = 64 % x\n", 1);
	parse_refused(MIN_CFG "extra = \"abc\n", 1);
	assert_reported("d.cfg:3: extra: unterminated string \"\\\"abc\"");
	parse_refused(MIN_CFG "extra = \"abc\\\"\n", 1); /* the quote is escaped */
	parse_refused(MIN_CFG "extra = 'a\\", 1);	 /* a backslash at the very end */
	/* a list never closed: one message, the rest of the part is swallowed */
	parse_refused(MIN_CFG "cpus = [\"0\",\nmemory = 5\n", 1);
	assert_reported("d.cfg:4: cpus: syntax error: expected a value (a \"string\", a number or a [list]), "
			"found \"memory\"");
	/* after an error the next line is parsed normally */
	parse_refused(MIN_CFG "vcpus = = 2\nmemory = 1\n", 2);
	assert_reported("d.cfg:4: memory: 1 is out of range (4 to 1048576 MiB)");
	/* an error inside a list: the list is skipped to its end */
	parse_refused(MIN_CFG "cpus = [\"0\" = [\"x\"], \"1\"]\nmemory = 2\n", 2);
	assert_reported("d.cfg:4: memory: 2 is out of range (4 to 1048576 MiB)");
	/* NUL bytes and control characters */
	{
		const char text[] = "name = \"a\"\nkernel = \"k\"\nmem\0ory = 5\n";

		assert_int_equal(parse_n(text, sizeof(text) - 1), 2); /* "mem" is not a key, then the NUL */
		assert_int_equal(count, 0);
		assert_reported("d.cfg:3: mem: syntax error: expected '=' or '+=' after the key, found \"\\x00\"");
		const char text2[] = "name = \"a\"\nkernel = \"k\"\nextra = \"a\0b\"\n";

		assert_int_equal(parse_n(text2, sizeof(text2) - 1), 1);
		assert_reported("d.cfg:3: extra: a string may not contain a NUL character");
	}
	/* '+' alone, '-' alone */
	parse_refused(MIN_CFG "memory = +5\n", 1);
	parse_refused(MIN_CFG "memory = -\n", 1);
}

static void test_nesting_limit(void **state)
{
	static char text[256];

	(void)state;
	snprintf(text, sizeof(text), MIN_CFG "vnuma = [[[[[[[[\"x\"]]]]]]]]\n");
	assert_int_equal(parse(text), 0); /* depth 8 is fine for an ignored key */
	snprintf(text, sizeof(text), MIN_CFG "vnuma = [[[[[[[[[\"x\"]]]]]]]]]\nmemory = 2\n");
	parse_refused(text, 2);
	assert_reported("d.cfg:3: vnuma: lists nested more than 8 deep");
	assert_reported("d.cfg:4: memory: 2 is out of range (4 to 1048576 MiB)");
}

static void test_error_flood(void **state)
{
	static char text[65536];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, MIN_CFG);
	for (unsigned int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "bogus%u = 1\n", i);
	assert_int_equal(parse(text), 100);
	assert_int_equal(count, 0);
	/* 32 shown, then a count of the rest, then the refusal */
	assert_int_equal(nr_reports, 34);
	assert_reported("d.cfg:1: 68 more messages about this domain not shown");
	assert_reported("d.cfg:1: domain \"a\" refused (100 errors)");
}

/* A module of garbage must not flood the console: 256 messages per text. */
static void test_message_cap_per_text(void **state)
{
	static char text[4096];
	size_t n = 0;

	(void)state;
	for (unsigned int i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "x = 1\n---\n");
	/* each part: x, no name, no kernel (3 errors), then its refusal line */
	assert_int_equal(parse(text), 900);
	assert_int_equal(count, 0);
	assert_int_equal(nr_reports, 257);
	assert_reported("d.cfg:127: domain refused (3 errors)"); /* the 64th part's, the last shown */
	assert_string_equal(reports[256], "d.cfg:129: 944 more messages about this text not shown (256 were)");
}

static void test_hostile_source_name(void **state)
{
	unsigned int n = 0;

	(void)state;
	expect_source = NULL;
	reports_clear();
	assert_int_equal(domcfg_parse("x", 1, "bad\x01name\"", doms, 1, &n, report), 4);
	assert_reported("bad\\x01name\\\":1: x: not an xl.cfg key Basalt knows (see docs/domains.md)");
	expect_source = "d.cfg";
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_several_domains),
		cmocka_unit_test(test_separator_rules),
		cmocka_unit_test(test_count_in_out_and_unique_names),
		cmocka_unit_test(test_too_many_domains),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_module_names),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_maxmem),
		cmocka_unit_test(test_vcpus),
		cmocka_unit_test(test_weight_cap_restart_limit),
		cmocka_unit_test(test_grant_limits),
		cmocka_unit_test(test_cpus_strings),
		cmocka_unit_test(test_cpus_lists),
		cmocka_unit_test(test_cpus_list_past_max),
		cmocka_unit_test(test_cmdline_composition),
		cmocka_unit_test(test_cmdline_lengths),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_unsupported_and_unknown_keys),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_syntax_forms),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_error_flood),
		cmocka_unit_test(test_message_cap_per_text),
		cmocka_unit_test(test_hostile_source_name),
	};

	return cmocka_run_group_tests_name("common/domcfg", tests, NULL, NULL);
}
