/*
 * Randomized tests for the domain configuration parser: random bytes, random
 * token soup, and mutations of valid configurations (byte flips, insertions
 * from a dictionary of xl syntax, deletions, duplicated spans, truncation).
 * Each text sits at the very end of an exact-size heap block, so ASan
 * reports any read past it; UBSan watches the arithmetic. Every report is
 * checked (printable, bounded, names the source), the return value must
 * count the errors consistently, and every accepted domain must satisfy the
 * documented ranges.
 *
 * DOMCFG_FUZZ_SEED and DOMCFG_FUZZ_ITERS (a multiplier) in the environment
 * reproduce or lengthen a run.
 */
#include "domcfg_test.h"
#include "fuzzrand.h"

#define MAX_DOMS 4
#define RANDOM_ITERS 3000
#define SOUP_ITERS 3000
#define MUTATE_ITERS 6000

static struct domcfg doms[MAX_DOMS];
static void seed_rng(const char *test)
{
	fuzzrand_seed("DOMCFG_FUZZ", test, 0xd0c0f1e5eedULL);
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > DOMCFG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return false;
	return true;
}

static bool valid_module(const char *s, bool may_be_empty)
{
	if (!*s)
		return may_be_empty;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return false;
	return true;
}

static bool map_empty(const unsigned long *map)
{
	for (unsigned int i = 0; i < DOMCFG_CPUMAP_LONGS; i++)
		if (map[i])
			return false;
	return true;
}

/* What every accepted domain must look like. */
static void check_domain(const struct domcfg *d)
{
	assert_true(valid_name(d->name));
	assert_non_null(memchr(d->kernel, '\0', sizeof(d->kernel)));
	assert_non_null(memchr(d->ramdisk, '\0', sizeof(d->ramdisk)));
	assert_non_null(memchr(d->cmdline, '\0', sizeof(d->cmdline)));
	assert_true(valid_module(d->kernel, false));
	assert_true(valid_module(d->ramdisk, true));
	assert_true(d->memory_mib >= DOMCFG_MIN_MEMORY_MIB && d->memory_mib <= DOMCFG_MAX_MEMORY_MIB);
	assert_true(d->maxmem_mib >= d->memory_mib && d->maxmem_mib <= DOMCFG_MAX_MEMORY_MIB);
	assert_true(d->vcpus >= 1 && d->vcpus <= d->max_vcpus && d->max_vcpus <= DOMCFG_MAX_VCPUS);
	assert_true(d->weight >= 1 && d->weight <= DOMCFG_MAX_WEIGHT);
	assert_true(d->cap <= 100 * d->max_vcpus);
	assert_true(d->restart_limit <= DOMCFG_MAX_RESTART_LIMIT);
	assert_true(d->on_poweroff <= DOMCFG_PRESERVE && d->on_reboot <= DOMCFG_PRESERVE);
	assert_true(d->on_crash <= DOMCFG_PRESERVE && d->on_watchdog <= DOMCFG_PRESERVE);
	for (unsigned int v = 0; v < DOMCFG_MAX_VCPUS; v++) {
		assert_false(map_empty(d->cpus[v]));
		assert_false(map_empty(d->cpus_soft[v]));
	}
}

/* Parse 'len' bytes of 'src' from an exact-size copy; check the results. */
static void run(const char *src, size_t len)
{
	char *text = malloc(len ? len : 1);
	unsigned int count = 0;
	int rc;

	assert_non_null(text);
	memcpy(text, src, len);
	reports_clear();
	rc = domcfg_parse(text, len, "d.cfg", doms, MAX_DOMS, &count, report);
	free(text);

	assert_true(rc >= 0);
	assert_true(count <= MAX_DOMS);
	/* an error is always reported (the per-part cap still shows the first 32) */
	if (rc)
		assert_true(nr_reports > 0);
	for (unsigned int i = 0; i < count; i++) {
		check_domain(&doms[i]);
		for (unsigned int j = 0; j < i; j++)
			assert_true(strcmp(doms[i].name, doms[j].name) != 0);
	}
}

static void test_random_bytes(void **state)
{
	static char buf[2048];

	(void)state;
	seed_rng("random bytes");
	for (unsigned int it = 0; it < RANDOM_ITERS * iter_scale; it++) {
		size_t len = below(sizeof(buf));

		for (size_t i = 0; i < len; i++)
			buf[i] = (char)rnd();
		run(buf, len);
	}
}

/* Pieces of xl syntax, valid and not. */
static const char *const dictionary[] = {
	"name",
	"kernel",
	"ramdisk",
	"memory",
	"maxmem",
	"vcpus",
	"maxvcpus",
	"cpus",
	"cpus_soft",
	"cmdline",
	"root",
	"extra",
	"type",
	"builder",
	"on_crash",
	"on_reboot",
	"cap",
	"cpu_weight",
	"weight",
	"restart_limit",
	"disk",
	"vif",
	"vnuma",
	"bogus",
	" = ",
	"=",
	"+=",
	"[",
	"]",
	",",
	";",
	"\n",
	"\r\n",
	"---\n",
	"\n---\n",
	"#",
	" ",
	"\t",
	"\"",
	"'",
	"\\",
	"\\x",
	"\\0",
	"\\377",
	"\"pvh\"",
	"\"hvm\"",
	"\"all\"",
	"\"0-3,^1\"",
	"\"^all\"",
	"\"node:1\"",
	"0",
	"1",
	"4",
	"128",
	"129",
	"0x10",
	"010",
	"-1",
	"99999999999999999999",
	"\"a\"",
	"\"k\"",
	"'b'",
	"\"destroy\"",
	"\"coredump-restart\"",
	"\"soft-reset\"",
	"[[[[",
	"]]]]",
	"\0",
	"\xff",
	"\"\\n\"",
};

static void append_piece(char *buf, size_t *len, size_t cap, const char *piece, size_t plen)
{
	if (*len + plen > cap)
		return;
	memcpy(buf + *len, piece, plen);
	*len += plen;
}

static void put_dict(char *buf, size_t *len, size_t cap)
{
	unsigned int i = below(ARRAY_SIZE(dictionary));
	const char *p = dictionary[i];
	size_t plen = p[0] ? strlen(p) : 1; /* the "\0" entry is one NUL byte */

	append_piece(buf, len, cap, p, plen);
}

static void test_token_soup(void **state)
{
	static char buf[4096];

	(void)state;
	seed_rng("token soup");
	for (unsigned int it = 0; it < SOUP_ITERS * iter_scale; it++) {
		size_t len = 0, pieces = below(120);

		for (size_t i = 0; i < pieces; i++)
			put_dict(buf, &len, sizeof(buf));
		run(buf, len);
	}
}

static const char *const seeds[] = {
	"name = \"web\"\ntype = \"pvh\"\nmemory = 512\nmaxmem = 512\nvcpus = 2\nmaxvcpus = 4\n"
	"cpus = \"0-3,^1\"\ncpus_soft = [\"2\", \"3\"]\nkernel = \"/boot/vmlinuz\"\nramdisk = 'initrd'\n"
	"cmdline = \"console=hvc0 quiet\"\non_poweroff = \"destroy\"\non_crash = \"preserve\"\n"
	"cpu_weight = 512\ncap = 150\nrestart_limit = 3\n",
	"name='a';kernel=\"k\"\n---\nname = \"b\"\nkernel = \"k\"\nroot = \"/dev/ram0\"\nextra = \"x\\ty\"\n"
	"---\nname = \"c\"\nkernel = \"k\"\ncpus = [\n \"1\",\n \"2-3\",\n]\ndisk = ['phy:/dev/sda,xvda,w']\n",
	"# comment\nname = \"x\" # trailing\r\nkernel = \"guest.elf\"\r\nvcpus=128\r\ncpus=\"all\"\r\n"
	"vnuma = [ [\"pnode=0\"], [\"pnode=1\"] ]\non_reboot = \"rename-restart\"\n",
};

static void mutate(char *buf, size_t *len, size_t cap)
{
	size_t pos = *len ? below((uint32_t)*len) : 0;

	switch (below(6)) {
	case 0: /* flip a byte */
		if (*len)
			buf[pos] = (char)rnd();
		break;
	case 1: { /* insert a dictionary piece */
		char piece[64];
		size_t plen = 0, tail = *len - pos;

		put_dict(piece, &plen, sizeof(piece));
		if (*len + plen > cap)
			break;
		memmove(buf + pos + plen, buf + pos, tail);
		memcpy(buf + pos, piece, plen);
		*len += plen;
		break;
	}
	case 2: { /* delete a span */
		size_t n = below(16);

		if (n > *len - pos)
			n = *len - pos;
		memmove(buf + pos, buf + pos + n, *len - pos - n);
		*len -= n;
		break;
	}
	case 3: { /* duplicate a span */
		size_t n = below(64);

		if (n > *len - pos)
			n = *len - pos;
		if (*len + n > cap)
			break;
		memmove(buf + pos + n, buf + pos, *len - pos);
		*len += n;
		break;
	}
	case 4: /* truncate */
		*len = pos;
		break;
	default: /* a digit or quote somewhere */
		if (*len)
			buf[pos] = "0123456789\"'[],=\n#-"[below(19)];
		break;
	}
}

static void test_mutations(void **state)
{
	static char buf[8192];

	(void)state;
	seed_rng("mutations");
	/* the seeds themselves parse cleanly */
	for (size_t s = 0; s < ARRAY_SIZE(seeds); s++) {
		unsigned int count = 0;

		reports_clear();
		assert_int_equal(domcfg_parse(seeds[s], strlen(seeds[s]), "d.cfg", doms, MAX_DOMS, &count, report), 0);
		assert_true(count >= 1);
	}
	for (unsigned int it = 0; it < MUTATE_ITERS * iter_scale; it++) {
		const char *seed = seeds[below(ARRAY_SIZE(seeds))];
		size_t len = strlen(seed);
		unsigned int rounds = 1 + below(8);

		memcpy(buf, seed, len);
		for (unsigned int r = 0; r < rounds; r++)
			mutate(buf, &len, sizeof(buf));
		run(buf, len);
	}
}

/* Long inputs: many parts, long lines, a huge list. */
static void test_big_inputs(void **state)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);

	(void)state;
	assert_non_null(buf);
	for (unsigned int i = 0; len + 64 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "name = \"d%u\"\nkernel = \"k\"\n---\n", i);
	run(buf, len); /* only MAX_DOMS fit: the rest are refused */

	len = 0;
	append_piece(buf, &len, cap, "cpus = [", 8);
	while (len + 8 < cap)
		append_piece(buf, &len, cap, "\"1\",\n", 5);
	run(buf, len);

	memset(buf, 'a', cap);
	run(buf, cap); /* one identifier of 1 MiB */
	memset(buf, '[', cap);
	run(buf, cap);
	memset(buf, '\n', cap);
	run(buf, cap);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_token_soup),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_big_inputs),
	};

	return cmocka_run_group_tests_name("common/domcfg (randomized)", tests, NULL, NULL);
}
