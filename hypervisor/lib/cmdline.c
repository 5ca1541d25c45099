/*
 * The boot command line parser (Xen style, see hv/param.h). The line comes
 * from the boot loader and is untrusted text: any bytes, any length, quotes
 * that never close. Each space-separated token is "name" or "name=value";
 * double quotes group spaces into a value and are removed from it. Problems
 * are reported through the caller's callback with the option and value named,
 * never abort the parse, and leave the variable concerned unchanged. Nothing
 * is allocated: the only copy is one bounded buffer for the current value.
 */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/param.h>

#include "internal.h"

#define VALUE_MAX 1024 /* a value after quote removal, with its terminator */
#define SHOW_MAX 48    /* characters of user text quoted in a message */
#define MSG_MAX 512

/* One token as it appears in the command line; nothing is copied. */
struct token {
	const char *start, *end;
	const char *name_end; /* the first '=', or 'end' when there is none */
	bool has_value;
	bool unterminated; /* a quote was still open at the end of the line */
};

struct parser {
	const char *line;
	const struct kernel_param *params;
	size_t nr_params;
	void (*report)(const char *msg);
	int problems;
	char value[VALUE_MAX];
};

struct msg {
	char buf[MSG_MAX];
	size_t len;
};

static bool blank(char c)
{
	return c != '\0' && isspace(c);
}

/* Find the token at or after *p and advance *p past it; false at the end. */
static bool next_token(const char **p, struct token *t)
{
	const char *s = *p;
	bool quoted = false;

	while (blank(*s))
		s++;
	if (!*s)
		return false;

	t->start = s;
	t->name_end = NULL;
	for (; *s && (quoted || !blank(*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '=' && !t->name_end)
			t->name_end = s;
	}
	t->end = s;
	t->has_value = t->name_end != NULL;
	if (!t->name_end)
		t->name_end = s;
	t->unterminated = quoted;
	*p = s;
	return true;
}

/* '-' and '_' are the same character in option names. */
static char name_char(char c)
{
	return c == '_' ? '-' : c;
}

/* Does the declared name equal the text [s, e)? */
static bool name_is(const char *name, const char *s, const char *e)
{
	for (; s < e; s++, name++)
		if (!*name || name_char(*name) != name_char(*s))
			return false;
	return *name == '\0';
}

static bool same_name(const struct token *a, const struct token *b)
{
	size_t len = (size_t)(a->name_end - a->start);

	if (len != (size_t)(b->name_end - b->start))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name_char(a->start[i]) != name_char(b->start[i]))
			return false;
	return true;
}

static const struct kernel_param *find_param(const struct parser *ps, const char *s, const char *e)
{
	for (size_t i = 0; i < ps->nr_params; i++)
		if (ps->params[i].name && name_is(ps->params[i].name, s, e))
			return &ps->params[i];
	return NULL;
}

/*
 * Was an option of this name already seen earlier on the line? Names decide
 * the lookup, so an earlier token with the same name was unknown too and has
 * been reported. Rescanning keeps the parser free of any table that could
 * fill up; it costs time only for unknown options, quadratic in their number,
 * which is nothing on a boot command line of a few KiB (about 0.6 s for a
 * pathological 64 KiB line of nothing but distinct unknown options).
 */
static bool seen_before(const struct parser *ps, const struct token *cur)
{
	const char *p = ps->line;
	struct token t;

	while (next_token(&p, &t) && t.start < cur->start)
		if (same_name(&t, cur))
			return true;
	return false;
}

static void msg_printf(struct msg *m, const char *fmt, ...) __printf(2, 3);
static void msg_printf(struct msg *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m->len += (size_t)vscnprintf(m->buf + m->len, sizeof(m->buf) - m->len, fmt, ap);
	va_end(ap);
}

/* Quote user text for a message: printable ASCII as is, anything else
 * escaped, so a console never receives raw control bytes from the line. */
static void msg_quote(struct msg *m, const char *s, const char *e)
{
	size_t len = (size_t)(e - s);

	msg_printf(m, "\"");
	for (size_t i = 0; i < len && i < SHOW_MAX; i++) {
		if (s[i] == '"' || s[i] == '\\')
			msg_printf(m, "\\%c", s[i]);
		else if (isprint(s[i]))
			msg_printf(m, "%c", s[i]);
		else
			msg_printf(m, "\\x%02x", (unsigned char)s[i]);
	}
	msg_printf(m, "%s\"", len > SHOW_MAX ? "..." : "");
}

/* Start a message about the option named by token 't'. */
static void msg_option(struct msg *m, const struct token *t)
{
	m->len = 0;
	m->buf[0] = '\0';
	msg_printf(m, "option ");
	msg_quote(m, t->start, t->name_end);
	msg_printf(m, ": ");
}

static void problem(struct parser *ps, const struct msg *m)
{
	ps->problems++;
	if (ps->report)
		ps->report(m->buf);
}

/* "option "name": <what>" with no value to show. */
static void report_plain(struct parser *ps, const struct token *t, const char *what)
{
	struct msg m;

	msg_option(&m, t);
	msg_printf(&m, "%s", what);
	problem(ps, &m);
}

/* "option "name": bad value "v" (<expected>)" */
static void report_bad_value(struct parser *ps, const struct token *t, const char *expected)
{
	struct msg m;

	msg_option(&m, t);
	msg_printf(&m, "bad value ");
	msg_quote(&m, ps->value, ps->value + strlen(ps->value));
	if (expected)
		msg_printf(&m, " (expected %s)", expected);
	problem(ps, &m);
}

static void report_range(struct parser *ps, const struct token *t, uint64_t max)
{
	struct msg m;

	msg_option(&m, t);
	msg_printf(&m, "value ");
	msg_quote(&m, ps->value, ps->value + strlen(ps->value));
	msg_printf(&m, " out of range (at most %llu)", (unsigned long long)max);
	problem(ps, &m);
}

/* A whole-token message: "<what> "token"". */
static void report_token(struct parser *ps, const struct token *t, const char *what)
{
	struct msg m = { .len = 0 };

	msg_printf(&m, "%s ", what);
	msg_quote(&m, t->start, t->end);
	problem(ps, &m);
}

/*
 * Copy the value of 't' into ps->value without its quotes. A value too long
 * for the buffer is reported rather than cut, since a cut value would be
 * parsed as something the user did not write.
 */
static bool extract_value(struct parser *ps, const struct token *t)
{
	size_t n = 0;
	struct msg m;

	ps->value[0] = '\0';
	if (!t->has_value)
		return true;
	for (const char *s = t->name_end + 1; s < t->end; s++) {
		if (*s == '"')
			continue;
		if (n == VALUE_MAX - 1) {
			msg_option(&m, t);
			msg_printf(&m, "value ");
			msg_quote(&m, t->name_end + 1, t->end);
			msg_printf(&m, " too long (at most %u characters)", VALUE_MAX - 1);
			problem(ps, &m);
			return false;
		}
		ps->value[n++] = *s;
	}
	ps->value[n] = '\0';
	return true;
}

/* The largest value a 'len'-byte unsigned variable holds, 0 if unsupported. */
static uint64_t uint_max(size_t len)
{
	switch (len) {
	case 1:
		return UINT8_MAX;
	case 2:
		return UINT16_MAX;
	case 4:
		return UINT32_MAX;
	case 8:
		return UINT64_MAX;
	default:
		return 0;
	}
}

/*
 * Store into a variable of 1, 2, 4 or 8 bytes (callers checked uint_max).
 * memcpy from a value of the right width: the variable's declared type may
 * be bool, int or unsigned long long, none of which uintN_t may alias.
 */
static void store_uint(void *var, size_t len, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (len == 1)
		memcpy(var, &v8, len);
	else if (len == 2)
		memcpy(var, &v16, len);
	else if (len == 4)
		memcpy(var, &v32, len);
	else
		memcpy(var, &v, len);
}

/* A declaration the parser cannot honour (e.g. an integer of 3 bytes) is a
 * bug in the hypervisor, but still reported rather than trusted. */
static bool decl_ok(const struct kernel_param *kp)
{
	switch (kp->type) {
	case PARAM_BOOL:
	case PARAM_UINT:
	case PARAM_SIZE:
		return kp->var && uint_max(kp->len) != 0;
	case PARAM_STRING:
		return kp->var && kp->len > 0;
	case PARAM_CUSTOM:
		return kp->func != NULL;
	}
	return false;
}

static bool check_decl(struct parser *ps, const struct token *t, const struct kernel_param *kp)
{
	struct msg m;

	if (decl_ok(kp))
		return true;
	msg_option(&m, t);
	msg_printf(&m, "unsupported declaration (type %d, size %zu)", (int)kp->type, kp->len);
	problem(ps, &m);
	return false;
}

static void set_bool(struct parser *ps, const struct token *t, const struct kernel_param *kp, bool negated)
{
	int v = 1;

	if (negated && t->has_value) {
		struct msg m;

		msg_option(&m, t);
		msg_printf(&m, "unexpected value ");
		msg_quote(&m, ps->value, ps->value + strlen(ps->value));
		msg_printf(&m, " (a \"no-\" option takes none)");
		problem(ps, &m);
		return;
	}
	if (negated)
		v = 0;
	else if (t->has_value)
		v = parse_bool(ps->value, NULL);
	if (v < 0) {
		report_bad_value(ps, t, "a boolean");
		return;
	}
	store_uint(kp->var, kp->len, (uint64_t)v);
}

/* Integers in any C base; the whole value must be the number. */
static void set_uint(struct parser *ps, const struct token *t, const struct kernel_param *kp)
{
	uint64_t v, max = uint_max(kp->len);
	const char *end;
	int rc;

	if (!t->has_value) {
		report_plain(ps, t, "missing value");
		return;
	}
	rc = strtou64(ps->value, &end, 0, &v);
	if (rc == -XEN_EINVAL || *end != '\0')
		report_bad_value(ps, t, "an integer");
	else if (rc == -XEN_ERANGE || v > max)
		report_range(ps, t, max);
	else
		store_uint(kp->var, kp->len, v);
}

static void set_size(struct parser *ps, const struct token *t, const struct kernel_param *kp)
{
	uint64_t v, max = uint_max(kp->len);
	const char *end;
	int rc;

	if (!t->has_value) {
		report_plain(ps, t, "missing value");
		return;
	}
	rc = parse_size(ps->value, &end, &v);
	if (rc == -XEN_EINVAL || *end != '\0')
		report_bad_value(ps, t, "a size such as 512M");
	else if (rc == -XEN_ERANGE || v > max)
		report_range(ps, t, max);
	else
		store_uint(kp->var, kp->len, v);
}

/* A string too long for its buffer is stored cut short, and reported. */
static void set_string(struct parser *ps, const struct token *t, const struct kernel_param *kp)
{
	struct msg m;

	if (!t->has_value) {
		report_plain(ps, t, "missing value");
		return;
	}
	if (strlcpy(kp->var, ps->value, kp->len) < kp->len)
		return;
	msg_option(&m, t);
	msg_printf(&m, "value ");
	msg_quote(&m, ps->value, ps->value + strlen(ps->value));
	msg_printf(&m, " truncated to %zu characters", kp->len - 1);
	problem(ps, &m);
}

static void set_custom(struct parser *ps, const struct token *t, const struct kernel_param *kp)
{
	if (kp->func(t->has_value ? ps->value : NULL) == 0)
		return;
	if (t->has_value)
		report_bad_value(ps, t, NULL);
	else
		report_plain(ps, t, "a value is required");
}

/* Look the token's name up, directly or as "no-<boolean>". */
static const struct kernel_param *lookup(struct parser *ps, const struct token *t, bool *negated)
{
	const struct kernel_param *kp = find_param(ps, t->start, t->name_end);
	size_t len = (size_t)(t->name_end - t->start);

	*negated = false;
	if (kp || len < 3 || t->start[0] != 'n' || t->start[1] != 'o' || name_char(t->start[2]) != '-')
		return kp;
	kp = find_param(ps, t->start + 3, t->name_end);
	*negated = kp != NULL;
	return kp;
}

static void handle_token(struct parser *ps, const struct token *t)
{
	const struct kernel_param *kp;
	bool negated;

	if (t->unterminated) {
		report_token(ps, t, "unterminated quote in");
		return;
	}
	kp = lookup(ps, t, &negated);
	if (!kp) {
		if (!seen_before(ps, t))
			report_token(ps, t, "unknown option");
		return;
	}
	if (!check_decl(ps, t, kp) || !extract_value(ps, t))
		return;
	if (negated && kp->type != PARAM_BOOL) {
		report_plain(ps, t, "only boolean options can be negated");
		return;
	}

	switch (kp->type) {
	case PARAM_BOOL:
		set_bool(ps, t, kp, negated);
		break;
	case PARAM_UINT:
		set_uint(ps, t, kp);
		break;
	case PARAM_SIZE:
		set_size(ps, t, kp);
		break;
	case PARAM_STRING:
		set_string(ps, t, kp);
		break;
	case PARAM_CUSTOM:
		set_custom(ps, t, kp);
		break;
	}
}

int cmdline_parse(const char *cmdline, const struct kernel_param *params, size_t n, void (*report)(const char *msg))
{
	struct parser ps = { .line = cmdline, .params = params, .nr_params = n, .report = report };
	const char *p = cmdline;
	struct token t;

	if (!cmdline)
		return 0;
	while (next_token(&p, &t))
		handle_token(&ps, &t);
	return ps.problems;
}

int parse_bool(const char *s, const char *end)
{
	static const char *const words[] = { "0", "no", "off", "false", "disable", "1", "yes", "on", "true", "enable" };
	size_t len;

	if (!s)
		return -1;
	len = !end ? strlen(s) : end > s ? (size_t)(end - s) : 0;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
			return i >= ARRAY_SIZE(words) / 2;
	return -1;
}
