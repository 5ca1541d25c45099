/*
 * Shared by the domain configuration tests: the parser's reports are
 * collected here, and every one is checked on the way in (printable ASCII,
 * bounded length, starting with the source name), so every test checks the
 * message rules whatever else it looks at.
 */
#ifndef TESTS_DOMCFG_TEST_H
#define TESTS_DOMCFG_TEST_H

#include <hv/domcfg.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_REPORTS 512
#define REPORT_LEN 400

static char reports[MAX_REPORTS][REPORT_LEN];
static unsigned int nr_reports;
static const char *expect_source = "d.cfg";

static void report(const char *msg)
{
	size_t len = strlen(msg);

	assert_true(len < REPORT_LEN - 1);
	for (const char *p = msg; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	if (expect_source)
		assert_memory_equal(msg, expect_source, strlen(expect_source));
	if (nr_reports < MAX_REPORTS)
		strcpy(reports[nr_reports], msg);
	nr_reports++;
}

static void reports_clear(void)
{
	nr_reports = 0;
}

/* Was exactly this message reported? */
static __attribute__((unused)) int reported(const char *msg)
{
	for (unsigned int i = 0; i < nr_reports && i < MAX_REPORTS; i++)
		if (!strcmp(reports[i], msg))
			return 1;
	return 0;
}

/* Was a message containing 'part' reported? */
static __attribute__((unused)) int reported_part(const char *part)
{
	for (unsigned int i = 0; i < nr_reports && i < MAX_REPORTS; i++)
		if (strstr(reports[i], part))
			return 1;
	return 0;
}

static __attribute__((unused)) void dump_reports(void)
{
	for (unsigned int i = 0; i < nr_reports && i < MAX_REPORTS; i++)
		printf("  report: %s\n", reports[i]);
}

#define assert_reported(m)                                 \
	do {                                               \
		if (!reported(m)) {                        \
			dump_reports();                    \
			fail_msg("not reported: %s", (m)); \
		}                                          \
	} while (0)
#define assert_reported_part(m)                                     \
	do {                                                        \
		if (!reported_part(m)) {                            \
			dump_reports();                             \
			fail_msg("nothing reported with: %s", (m)); \
		}                                                   \
	} while (0)

#endif
