/*
 * Domain configuration parser: xl.cfg syntax, several domains per text (see
 * hv/domcfg.h for the interface and docs/domains.md for the user's view).
 *
 * The text comes from a boot module and is untrusted: any bytes, any length.
 * Every loop is bounded by the end of the text, list nesting is limited, all
 * copies are into fixed buffers with their length checked first, and a value
 * that does not fit is an error rather than something silently cut. Nothing
 * is allocated and there are no globals, so this runs unchanged on the host
 * under the unit tests (and a randomized test). The parser state is about
 * 9 KiB of stack.
 *
 * Structure: the text is cut into parts at "---" lines; each part is lexed
 * into tokens (lex()), statements "key = value" / "key += value" are parsed
 * (statement(), parse_value()) into a value buffer, and the value is applied
 * to the domain being built (apply_*()). finish_part() fills the defaults,
 * checks what involves several keys and composes the command line. Only a
 * part without errors is counted in *count.
 *
 * No locks: a call works on its own state and the caller's array.
 */
#include <hv/domcfg.h>
#include <hv/errno.h>
#include <hv/lib.h>

#define VALUE_MAX 4096	   /* one decoded value (list items NUL-separated), terminators included */
#define MAX_DEPTH 8	   /* list nesting */
#define SHOW_MAX 48	   /* characters of user text quoted in a message */
#define MSG_MAX 384	   /* one message */
#define PART_MSG_LIMIT 32  /* messages shown per domain part; the rest are counted */
#define CALL_MSG_LIMIT 256 /* messages shown per text (a module of garbage must not flood the console) */

/* ------------------------------------------------------------------ types */

enum tok {
	T_EOF,	  /* end of the part */
	T_NL,	  /* end of a line */
	T_IDENT,  /* [A-Za-z_][A-Za-z0-9_]* */
	T_NUMBER, /* a digit (or '-' and a digit), then [A-Za-z0-9_.]* */
	T_STRING, /* "..." or '...' on one line */
	T_UNTERM, /* a quote never closed on its line */
	T_EQ,
	T_PLUSEQ,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_SEMI,
	T_BAD, /* any other byte */
};

struct token {
	enum tok type;
	const char *start, *end; /* the raw text, quotes included */
	unsigned int line;
};

/* The value of the statement being parsed. */
struct value {
	bool store;   /* keep the bytes (a key Basalt implements); else only check the syntax */
	bool is_list; /* the top level is a list */
	bool nested;  /* a list inside the list */
	bool overflow;
	unsigned int n; /* atoms stored (1 for a single value) */
	size_t len;	/* bytes used in buf */
	char buf[VALUE_MAX];
};

enum key_id {
	K_NAME,
	K_TYPE,
	K_BUILDER,
	K_MEMORY,
	K_MAXMEM,
	K_VCPUS,
	K_MAXVCPUS,
	K_CPUS,
	K_CPUS_SOFT,
	K_KERNEL,
	K_RAMDISK,
	K_CMDLINE,
	K_ROOT,
	K_EXTRA,
	K_ON_POWEROFF,
	K_ON_REBOOT,
	K_ON_CRASH,
	K_ON_WATCHDOG,
	K_WEIGHT,
	K_CAP,
	K_RESTART_LIMIT,
	K_MAX_GRANT_FRAMES,
	K_MAX_MAPTRACK_FRAMES,
	NR_KEYS
};

struct key {
	const char *name;
	enum key_id id;
};

/* Affinity while it is being given: a string for every vCPU, or a list. */
struct affinity {
	bool is_list;
	unsigned int n; /* list entries seen (including any past DOMCFG_MAX_VCPUS) */
};

struct parser {
	const char *source;
	void (*report)(const char *msg);
	int errors;		    /* over the whole call */
	unsigned int shown, hidden; /* messages over the whole call: shown, and hidden by CALL_MSG_LIMIT */
	unsigned int first_hidden_line;

	/* the part being parsed */
	const char *p, *end; /* lexer cursor, end of the part */
	unsigned int line;
	unsigned int first_line; /* of the part's first statement */
	struct token tok;	 /* the current token */
	unsigned int open_lists; /* '[' not yet closed in the current value */
	struct domcfg *d;
	unsigned int part_errors, part_msgs;
	const char *key; /* the statement's key, for messages */
	size_t key_len;
	unsigned int key_line[NR_KEYS]; /* where each key was last set, 0 if not */
	struct affinity aff[2];		/* cpus, cpus_soft */
	char root[DOMCFG_CMDLINE_MAX + 1];
	char extra[DOMCFG_CMDLINE_MAX + 1];
	struct value v;

	char msg[MSG_MAX];
	size_t msg_len;
	unsigned int msg_line; /* the line the message names */
};

/* ------------------------------------------------------------------ keys */

static const struct key keys[] = {
	{ "name", K_NAME },
	{ "type", K_TYPE },
	{ "builder", K_BUILDER },
	{ "memory", K_MEMORY },
	{ "maxmem", K_MAXMEM },
	{ "vcpus", K_VCPUS },
	{ "maxvcpus", K_MAXVCPUS },
	{ "cpus", K_CPUS },
	{ "cpus_soft", K_CPUS_SOFT },
	{ "kernel", K_KERNEL },
	{ "ramdisk", K_RAMDISK },
	{ "cmdline", K_CMDLINE },
	{ "root", K_ROOT },
	{ "extra", K_EXTRA },
	{ "on_poweroff", K_ON_POWEROFF },
	{ "on_reboot", K_ON_REBOOT },
	{ "on_crash", K_ON_CRASH },
	{ "on_watchdog", K_ON_WATCHDOG },
	{ "cpu_weight", K_WEIGHT },
	{ "weight", K_WEIGHT }, /* Basalt's alias of xl's cpu_weight */
	{ "cap", K_CAP },
	{ "restart_limit", K_RESTART_LIMIT }, /* Basalt extension */
	{ "max_grant_frames", K_MAX_GRANT_FRAMES },
	{ "max_maptrack_frames", K_MAX_MAPTRACK_FRAMES },
};

/* The name the messages use for a key id (the first entry with that id). */
static const char *key_name(enum key_id id)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].id == id)
			return keys[i].name;
	return "?";
}

/*
 * xl.cfg keys Basalt does not implement (yet): accepted, reported, ignored,
 * so that a configuration written for xl still boots. From xl.cfg(5).
 */
static const char *const xl_only_keys[] = {
	"acpi",
	"acpi_firmware",
	"acpi_laptop_slate",
	"acpi_s3",
	"acpi_s4",
	"altp2m",
	"altp2mhvm",
	"apic",
	"bios",
	"bios_path_override",
	"boot",
	"bootloader",
	"bootloader_args",
	"bootloader_restrict",
	"bootloader_user",
	"channel",
	"cpuid",
	"device_model",
	"device_model_args",
	"device_model_args_hvm",
	"device_model_args_pv",
	"device_model_override",
	"device_model_stubdomain_override",
	"device_model_stubdomain_seclabel",
	"device_model_user",
	"device_model_version",
	"device_tree",
	"disk",
	"display",
	"dm_restrict",
	"driver_domain",
	"dtdev",
	"e820_host",
	"extratime",
	"firmware",
	"gfx_passthru",
	"gic_version",
	"hap",
	"hdtype",
	"hpet",
	"hvm_pirq",
	"init_seclabel",
	"iomem",
	"ioports",
	"irqs",
	"keymap",
	"latency",
	"localtime",
	"max_event_channels",
	"max_grant_version",
	"mca_caps",
	"mmio_hole",
	"ms_vm_genid",
	"msr_relaxed",
	"nestedhvm",
	"nographic",
	"nomigrate",
	"nx",
	"on_soft_reset",
	"oos",
	"opengl",
	"p9",
	"pae",
	"passthrough",
	"pci",
	"pci_msitranslate",
	"pci_permissive",
	"pci_power_mgmt",
	"pci_seize",
	"period",
	"pool",
	"pvcalls",
	"pvshim",
	"pvshim_cmdline",
	"pvshim_extra",
	"pvshim_path",
	"rdm",
	"rdm_mem_boundary",
	"rtc_timeoffset",
	"sdl",
	"seclabel",
	"serial",
	"shadow_memory",
	"slice",
	"smbios",
	"smbios_firmware",
	"soundhw",
	"spice",
	"spice_clipboard_sharing",
	"spice_image_compression",
	"spice_streaming_video",
	"spiceagent_mouse",
	"spicedisable_ticketing",
	"spicehost",
	"spicepasswd",
	"spiceport",
	"spicetls_port",
	"spiceusbredirection",
	"spicevdagent",
	"stdvga",
	"stubdomain_cmdline",
	"stubdomain_kernel",
	"stubdomain_memory",
	"stubdomain_ramdisk",
	"sve",
	"tee",
	"timer_mode",
	"tsc_mode",
	"usb",
	"usbctrl",
	"usbdev",
	"usbdevice",
	"usbversion",
	"uuid",
	"vdispl",
	"vendor_device",
	"vfb",
	"vga",
	"vif",
	"videoram",
	"viridian",
	"virtio",
	"vkb",
	"vkb_device",
	"vmtrace_buf_kb",
	"vnc",
	"vncdisplay",
	"vnclisten",
	"vncpasswd",
	"vncunused",
	"vnuma",
	"vpmu",
	"vpt_align",
	"vsnd",
	"vtpm",
	"vuart",
	"xauthority",
	"xen_platform_pci",
	"xend_suspend_evtchn_compat",
};

static bool span_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static const struct key *find_key(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (span_is(s, len, keys[i].name))
			return &keys[i];
	return NULL;
}

static bool is_xl_only_key(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(xl_only_keys); i++)
		if (span_is(s, len, xl_only_keys[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------------ messages */

static void msg_printf(struct parser *ps, const char *fmt, ...) __printf(2, 3);
static void msg_printf(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ps->msg_len += (size_t)vscnprintf(ps->msg + ps->msg_len, sizeof(ps->msg) - ps->msg_len, fmt, ap);
	va_end(ap);
}

/* User text, bare: printable ASCII as is, anything else escaped, cut to
 * 'max' characters, so the console never receives raw bytes from a module. */
static void msg_text(struct parser *ps, const char *s, size_t len, size_t max)
{
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			msg_printf(ps, "\\%c", c);
		else if (isprint(c))
			msg_printf(ps, "%c", c);
		else
			msg_printf(ps, "\\x%02x", c);
	}
	if (len > max)
		msg_printf(ps, "...");
}

/* User text in double quotes. */
static void msg_quote(struct parser *ps, const char *s, size_t len)
{
	msg_printf(ps, "\"");
	msg_text(ps, s, len, SHOW_MAX);
	msg_printf(ps, "\"");
}

static void msg_quote_str(struct parser *ps, const char *s)
{
	msg_quote(ps, s, strnlen(s, VALUE_MAX));
}

/* "source:line: [warning: ][key: ]" */
static void msg_begin_key(struct parser *ps, unsigned int line, bool warning, const char *key, size_t key_len)
{
	ps->msg_len = 0;
	ps->msg[0] = '\0';
	ps->msg_line = line;
	msg_text(ps, ps->source, strnlen(ps->source, 256), 64);
	msg_printf(ps, ":%u: %s", line, warning ? "warning: " : "");
	if (key_len) {
		msg_text(ps, key, key_len, SHOW_MAX);
		msg_printf(ps, ": ");
	}
}

/* About the current statement's key. */
static void msg_begin(struct parser *ps, unsigned int line, bool warning)
{
	msg_begin_key(ps, line, warning, ps->key, ps->key_len);
}

/* About a key by id (checks at the end of a part). */
static void msg_begin_id(struct parser *ps, unsigned int line, bool warning, enum key_id id)
{
	const char *name = key_name(id);

	msg_begin_key(ps, line, warning, name, strlen(name));
}

/* Hand the message over, unless this text has had its share already. */
static void emit(struct parser *ps)
{
	if (ps->shown < CALL_MSG_LIMIT) {
		ps->shown++;
		if (ps->report)
			ps->report(ps->msg);
		return;
	}
	if (!ps->hidden++)
		ps->first_hidden_line = ps->msg_line;
}

static void msg_end(struct parser *ps, bool error)
{
	if (error) {
		ps->errors++;
		ps->part_errors++;
	}
	if (++ps->part_msgs <= PART_MSG_LIMIT)
		emit(ps);
}

/* Common shapes: a plain message about the current key, as error or warning. */
static void error_at(struct parser *ps, unsigned int line, const char *fmt, ...) __printf(3, 4);
static void error_at(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	msg_begin(ps, line, false);
	va_start(ap, fmt);
	ps->msg_len += (size_t)vscnprintf(ps->msg + ps->msg_len, sizeof(ps->msg) - ps->msg_len, fmt, ap);
	va_end(ap);
	msg_end(ps, true);
}

static void warning_at(struct parser *ps, unsigned int line, const char *fmt, ...) __printf(3, 4);
static void warning_at(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	msg_begin(ps, line, true);
	va_start(ap, fmt);
	ps->msg_len += (size_t)vscnprintf(ps->msg + ps->msg_len, sizeof(ps->msg) - ps->msg_len, fmt, ap);
	va_end(ap);
	msg_end(ps, false);
}

/* key: "value" <text> */
static void error_value(struct parser *ps, unsigned int line, const char *value, const char *text)
{
	msg_begin(ps, line, false);
	msg_quote_str(ps, value);
	msg_printf(ps, " %s", text);
	msg_end(ps, true);
}

/* ------------------------------------------------------------------ lexer */

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
	return ident_start(c) || isdigit(c);
}

static void lex(struct parser *ps)
{
	const char *p = ps->p, *end = ps->end;
	struct token *t = &ps->tok;
	char c, q;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p < end && *p == '#')
		while (p < end && *p != '\n')
			p++;
	t->start = p;
	t->line = ps->line;
	if (p == end) {
		t->type = T_EOF;
		goto out;
	}
	c = *p++;
	if (c == '\n') {
		t->type = T_NL;
		ps->line++;
	} else if (ident_start(c)) {
		while (p < end && ident_char(*p))
			p++;
		t->type = T_IDENT;
	} else if (isdigit(c) || (c == '-' && p < end && isdigit(*p))) {
		while (p < end && (ident_char(*p) || *p == '.'))
			p++;
		t->type = T_NUMBER;
	} else if (c == '"' || c == '\'') {
		q = c;
		/* A backslash takes the next character with it, except a newline:
		 * strings never span lines. */
		while (p < end && *p != q && *p != '\n')
			p += (*p == '\\' && p + 1 < end && p[1] != '\n') ? 2 : 1;
		if (p < end && *p == q) {
			p++;
			t->type = T_STRING;
		} else {
			t->type = T_UNTERM;
		}
	} else if (c == '+' && p < end && *p == '=') {
		p++;
		t->type = T_PLUSEQ;
	} else if (c == '=') {
		t->type = T_EQ;
	} else if (c == '[') {
		t->type = T_LBRACK;
	} else if (c == ']') {
		t->type = T_RBRACK;
	} else if (c == ',') {
		t->type = T_COMMA;
	} else if (c == ';') {
		t->type = T_SEMI;
	} else {
		t->type = T_BAD;
	}
out:
	t->end = p;
	ps->p = p;
}

/* "found ..." for syntax errors. */
static void msg_found(struct parser *ps)
{
	const struct token *t = &ps->tok;

	switch (t->type) {
	case T_EOF:
		msg_printf(ps, "found the end of the domain");
		break;
	case T_NL:
		msg_printf(ps, "found the end of the line");
		break;
	default:
		msg_printf(ps, "found ");
		msg_quote(ps, t->start, (size_t)(t->end - t->start));
		break;
	}
}

static void syntax_error(struct parser *ps, const char *expected)
{
	if (ps->tok.type == T_UNTERM) {
		msg_begin(ps, ps->tok.line, false);
		msg_printf(ps, "unterminated string ");
		msg_quote(ps, ps->tok.start, (size_t)(ps->tok.end - ps->tok.start));
		msg_end(ps, true);
		return;
	}
	msg_begin(ps, ps->tok.line, false);
	msg_printf(ps, "syntax error: expected %s, ", expected);
	msg_found(ps);
	msg_end(ps, true);
}

/*
 * After a syntax error: leave the list the error was in (if any), then skip
 * to the end of the line, so that one mistake gives one message.
 */
static void recover(struct parser *ps)
{
	while (ps->open_lists && ps->tok.type != T_EOF) {
		if (ps->tok.type == T_LBRACK)
			ps->open_lists++;
		else if (ps->tok.type == T_RBRACK)
			ps->open_lists--;
		lex(ps);
	}
	ps->open_lists = 0;
	if (ps->tok.type == T_NL || ps->tok.type == T_EOF)
		return;
	while (ps->p < ps->end && *ps->p != '\n')
		ps->p++;
	lex(ps);
}

/* ------------------------------------------------------------------ values */

static void value_reset(struct value *v, bool store)
{
	v->store = store;
	v->is_list = false;
	v->nested = false;
	v->overflow = false;
	v->n = 0;
	v->len = 0;
	v->buf[0] = '\0';
}

static void value_putc(struct value *v, char c)
{
	if (!v->store)
		return;
	if (v->len + 1 >= sizeof(v->buf)) { /* keep room for the terminator */
		v->overflow = true;
		return;
	}
	v->buf[v->len++] = c;
}

static void value_end_atom(struct value *v)
{
	if (!v->store)
		return;
	v->buf[v->len] = '\0';
	if (v->len + 1 < sizeof(v->buf))
		v->len++;
	else
		v->overflow = true;
	v->n++;
}

static int hex_digit(char c)
{
	if (isdigit(c))
		return c - '0';
	c = (char)tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/*
 * One escape sequence at s (after the backslash), inside [s, e). xl's escapes:
 * \" \' \\ \a \b \f \n \r \t \v, \xHH (two hex digits) and \ooo (one to three
 * octal digits). Returns the characters used, or 0 after reporting.
 */
static size_t escape(struct parser *ps, const char *s, const char *e, unsigned int line, char *out)
{
	static const char simple_in[] = "\"'\\abfnrtv";
	static const char simple_out[] = "\"'\\\a\b\f\n\r\t\v";
	const char *hit = memchr(simple_in, *s, sizeof(simple_in) - 1);
	unsigned int val = 0;
	size_t n = 0;

	if (hit) {
		*out = simple_out[hit - simple_in];
		return 1;
	}
	if (*s == 'x') {
		if (e - s < 3 || hex_digit(s[1]) < 0 || hex_digit(s[2]) < 0) {
			error_at(ps, line, "bad escape in a string: \\x needs two hex digits");
			return 0;
		}
		val = (unsigned int)(hex_digit(s[1]) * 16 + hex_digit(s[2]));
		n = 3;
	} else if (*s >= '0' && *s <= '7') {
		while (n < 3 && s + n < e && s[n] >= '0' && s[n] <= '7')
			val = val * 8 + (unsigned int)(s[n++] - '0');
		if (val > 0xff) {
			error_at(ps, line, "bad escape in a string: \\%.3s is more than \\377", s);
			return 0;
		}
	} else {
		msg_begin(ps, line, false);
		msg_printf(ps, "bad escape in a string: ");
		msg_quote(ps, s - 1, 2);
		msg_printf(ps, " (xl knows \\\" \\' \\\\ \\a \\b \\f \\n \\r \\t \\v \\xHH \\ooo)");
		msg_end(ps, true);
		return 0;
	}
	if (!val) {
		error_at(ps, line, "a string may not contain a NUL character");
		return 0;
	}
	*out = (char)val;
	return n;
}

/* The current token, a string or a number, becomes one atom of the value. */
static bool parse_atom(struct parser *ps)
{
	const struct token *t = &ps->tok;
	struct value *v = &ps->v;

	if (t->type == T_NUMBER) {
		for (const char *s = t->start; s < t->end; s++)
			value_putc(v, *s);
	} else {
		const char *e = t->end - 1; /* the closing quote */

		for (const char *s = t->start + 1; s < e;) {
			char c = *s++;

			if (c == '\\') {
				size_t used = s < e ? escape(ps, s, e, t->line, &c) : 0;

				if (!used)
					return false;
				s += used;
			} else if (c == '\0') {
				error_at(ps, t->line, "a string may not contain a NUL character");
				return false;
			}
			value_putc(v, c);
		}
	}
	value_end_atom(v);
	lex(ps);
	return true;
}

static void skip_newlines(struct parser *ps)
{
	while (ps->tok.type == T_NL)
		lex(ps);
}

static bool parse_value(struct parser *ps, unsigned int depth);

/* '[' value, value, ... [','] ']' with newlines allowed between the items. */
static bool parse_list(struct parser *ps, unsigned int depth)
{
	if (depth >= MAX_DEPTH) {
		error_at(ps, ps->tok.line, "lists nested more than %u deep", MAX_DEPTH);
		return false;
	}
	if (depth)
		ps->v.nested = true;
	ps->open_lists++;
	lex(ps);
	skip_newlines(ps);
	while (ps->tok.type != T_RBRACK) {
		if (!parse_value(ps, depth + 1))
			return false;
		skip_newlines(ps);
		if (ps->tok.type == T_RBRACK)
			break;
		if (ps->tok.type != T_COMMA) {
			syntax_error(ps, "',' or ']' in the list");
			return false;
		}
		lex(ps);
		skip_newlines(ps);
	}
	ps->open_lists--;
	lex(ps);
	return true;
}

static bool parse_value(struct parser *ps, unsigned int depth)
{
	switch (ps->tok.type) {
	case T_STRING:
	case T_NUMBER:
		return parse_atom(ps);
	case T_LBRACK:
		if (!depth)
			ps->v.is_list = true;
		return parse_list(ps, depth);
	default:
		syntax_error(ps, "a value (a \"string\", a number or a [list])");
		return false;
	}
}

/* ------------------------------------------------------------------ applying values */

/* The value is one atom (not a list); says so if not. */
static bool want_single(struct parser *ps, unsigned int line)
{
	if (!ps->v.is_list)
		return true;
	error_at(ps, line, "expected a single value, not a list");
	return false;
}

/*
 * A number as xl reads one (C's strtol with base 0): decimal, 0x hex, 0
 * octal, an optional sign, nothing else. 0, -1 (not a number) or -2 (does not
 * fit in 63 bits).
 */
static int parse_number(const char *s, int64_t *out)
{
	bool neg = false;
	unsigned int base = 10;
	uint64_t v = 0;
	const char *digits;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	digits = s;
	for (; *s; s++) {
		int d = hex_digit(*s);

		if (d < 0 || (unsigned int)d >= base)
			return -1;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)d) / base)
			return -2;
		v = v * base + (uint64_t)d;
	}
	if (s == digits)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static bool get_number(struct parser *ps, unsigned int line, int64_t min, int64_t max, const char *unit, int64_t *out)
{
	int rc;

	if (!want_single(ps, line))
		return false;
	rc = parse_number(ps->v.buf, out);
	if (rc == -1) {
		error_value(ps, line, ps->v.buf, "is not a number");
		return false;
	}
	if (rc == -2 || *out < min || *out > max) {
		msg_begin(ps, line, false);
		msg_text(ps, ps->v.buf, strlen(ps->v.buf), SHOW_MAX);
		msg_printf(ps, " is out of range (%lld to %lld%s)", (long long)min, (long long)max, unit);
		msg_end(ps, true);
		return false;
	}
	return true;
}

static void apply_number(struct parser *ps, enum key_id id, unsigned int line)
{
	struct domcfg *d = ps->d;
	int64_t v;

	switch (id) {
	case K_MEMORY:
		if (get_number(ps, line, DOMCFG_MIN_MEMORY_MIB, DOMCFG_MAX_MEMORY_MIB, " MiB", &v))
			d->memory_mib = (uint64_t)v;
		break;
	case K_MAXMEM:
		if (get_number(ps, line, DOMCFG_MIN_MEMORY_MIB, DOMCFG_MAX_MEMORY_MIB, " MiB", &v))
			d->maxmem_mib = (uint64_t)v;
		break;
	case K_VCPUS:
		if (get_number(ps, line, 1, DOMCFG_MAX_VCPUS, "", &v))
			d->vcpus = (unsigned int)v;
		break;
	case K_MAXVCPUS:
		if (get_number(ps, line, 1, DOMCFG_MAX_VCPUS, "", &v))
			d->max_vcpus = (unsigned int)v;
		break;
	case K_WEIGHT:
		if (get_number(ps, line, 1, DOMCFG_MAX_WEIGHT, "", &v))
			d->weight = (unsigned int)v;
		break;
	case K_CAP:
		/* the upper bound that depends on maxvcpus is checked at the end */
		if (get_number(ps, line, 0, 100 * DOMCFG_MAX_VCPUS, " %", &v))
			d->cap = (unsigned int)v;
		break;
	case K_RESTART_LIMIT:
		if (get_number(ps, line, 0, DOMCFG_MAX_RESTART_LIMIT, "", &v))
			d->restart_limit = (unsigned int)v;
		break;
	case K_MAX_GRANT_FRAMES:
		if (get_number(ps, line, 1, DOMCFG_MAX_GRANT_FRAMES, "", &v))
			d->max_grant_frames = (unsigned int)v;
		break;
	case K_MAX_MAPTRACK_FRAMES:
		if (get_number(ps, line, 0, DOMCFG_MAX_MAPTRACK_FRAMES, "", &v))
			d->max_maptrack_frames = (unsigned int)v;
		break;
	default:
		break;
	}
}

/* Store (or with +=, append) the single value into a buffer of 'size'. */
static bool set_string(struct parser *ps, unsigned int line, bool append, char *dst, size_t size)
{
	size_t have = append ? strnlen(dst, size) : 0;

	if (!want_single(ps, line))
		return false;
	if (have + strlen(ps->v.buf) >= size) {
		error_at(ps, line, "too long (%zu bytes%s, at most %zu)", have + strlen(ps->v.buf),
			 append ? " with +=" : "", size - 1);
		return false;
	}
	memcpy(dst + have, ps->v.buf, strlen(ps->v.buf) + 1);
	return true;
}

static bool name_char(char c)
{
	return ident_char(c) || c == '.' || c == '-';
}

static void check_name(struct parser *ps, unsigned int line)
{
	const char *s = ps->d->name;

	for (const char *c = s; *c; c++) {
		if (!name_char(*c)) {
			error_value(ps, line, s, "is not a valid domain name (use A-Z a-z 0-9 _ . -)");
			return;
		}
	}
	if (!*s)
		error_at(ps, line, "the name is empty");
}

/* A boot module's name is the first word of its command line. */
static void check_module_name(struct parser *ps, unsigned int line, const char *s)
{
	if (!*s) {
		error_at(ps, line, "empty module name");
		return;
	}
	for (const char *c = s; *c; c++) {
		if (*c == ' ' || *c == '\t') {
			error_value(ps, line, s,
				    "is not a module name: it has a space (a module's name is the first word of "
				    "its command line)");
			return;
		}
		if (!isprint((unsigned char)*c)) {
			error_value(ps, line, s, "is not a module name: it has a control character");
			return;
		}
	}
}

static void apply_type(struct parser *ps, enum key_id id, unsigned int line)
{
	const char *s = ps->v.buf;

	if (!want_single(ps, line))
		return;
	if (id == K_TYPE && !strcmp(s, "pvh"))
		return;
	if ((id == K_TYPE && (!strcmp(s, "pv") || !strcmp(s, "hvm"))) ||
	    (id == K_BUILDER && (!strcmp(s, "generic") || !strcmp(s, "hvm")))) {
		error_value(ps, line, s, "is not supported: Basalt builds PVH domains only (type = \"pvh\")");
		return;
	}
	error_value(ps, line, s,
		    id == K_TYPE ? "is not a domain type (xl knows \"pv\", \"pvh\" and \"hvm\")"
				 : "is not a builder (xl knows \"generic\" and \"hvm\")");
}

static void apply_action(struct parser *ps, enum key_id id, unsigned int line)
{
	static const struct {
		const char *name;
		enum domcfg_action action;
		const char *note; /* accepted with this warning */
	} actions[] = {
		{ "destroy", DOMCFG_DESTROY, NULL },
		{ "restart", DOMCFG_RESTART, NULL },
		{ "preserve", DOMCFG_PRESERVE, NULL },
		{ "rename-restart", DOMCFG_RESTART, "is treated as \"restart\" (the dead domain is not kept)" },
		{ "coredump-destroy", DOMCFG_DESTROY, "is treated as \"destroy\" (no core dump is written)" },
		{ "coredump-restart", DOMCFG_RESTART, "is treated as \"restart\" (no core dump is written)" },
	};
	enum domcfg_action *dst = id == K_ON_POWEROFF ? &ps->d->on_poweroff
				  : id == K_ON_REBOOT ? &ps->d->on_reboot
				  : id == K_ON_CRASH  ? &ps->d->on_crash
						      : &ps->d->on_watchdog;
	const char *s = ps->v.buf;

	if (!want_single(ps, line))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (strcmp(s, actions[i].name))
			continue;
		*dst = actions[i].action;
		if (actions[i].note) {
			msg_begin(ps, line, true);
			msg_quote_str(ps, s);
			msg_printf(ps, " %s", actions[i].note);
			msg_end(ps, false);
		}
		return;
	}
	if (!strcmp(s, "soft-reset"))
		error_value(ps, line, s, "is not supported yet");
	else
		error_value(ps, line, s,
			    "is not an action (destroy, restart, preserve, rename-restart, coredump-destroy, "
			    "coredump-restart)");
}

/* ------------------------------------------------------------------ CPU lists */

static void cpumap_fill(unsigned long *map)
{
	bitmap_fill(map, DOMCFG_MAX_PCPUS);
}

/* Skip blanks on both sides of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* A decimal CPU number in [*s, e); advances *s. */
static bool cpu_number(const char **s, const char *e, unsigned int *out)
{
	unsigned int v = 0;
	const char *start = *s;

	for (; *s < e && isdigit(**s); (*s)++) {
		v = v * 10 + (unsigned int)(**s - '0');
		if (v > 1000000)
			v = 1000000; /* far out of range; stays out of range */
	}
	*out = v;
	return *s > start;
}

/* One item of a CPU list ("3", "0-7", "^2", "all"). */
static bool cpu_item(struct parser *ps, unsigned int line, const char *list, const char *s, const char *e,
		     unsigned long *map)
{
	bool clear = false;
	unsigned int a, b;
	const char *item = s;

	if (s < e && *s == '^') {
		clear = true;
		s++;
	}
	if ((size_t)(e - s) >= 5 && (!memcmp(s, "node:", 5) || ((size_t)(e - s) >= 6 && !memcmp(s, "nodes:", 6)))) {
		error_value(ps, line, list, "names NUMA nodes: not supported yet");
		return false;
	}
	if (span_is(s, (size_t)(e - s), "all")) {
		if (clear) {
			error_value(ps, line, list, "combines '^' with \"all\"");
			return false;
		}
		cpumap_fill(map);
		return true;
	}
	if (!cpu_number(&s, e, &a))
		goto bad;
	b = a;
	if (s < e && *s == '-') {
		s++;
		if (!cpu_number(&s, e, &b) || b < a)
			goto bad;
	}
	if (s != e)
		goto bad;
	if (b >= DOMCFG_MAX_PCPUS) {
		msg_begin(ps, line, false);
		msg_quote_str(ps, list);
		msg_printf(ps, " names CPU %u; Basalt supports CPUs 0 to %u", b, DOMCFG_MAX_PCPUS - 1);
		msg_end(ps, true);
		return false;
	}
	for (; a <= b; a++)
		if (clear)
			clear_bit(a, map);
		else
			set_bit(a, map);
	return true;
bad:
	msg_begin(ps, line, false);
	msg_printf(ps, "bad CPU range ");
	msg_quote(ps, item, (size_t)(e - item));
	msg_printf(ps, " in ");
	msg_quote_str(ps, list);
	msg_printf(ps, " (use \"all\", \"N\", \"N-M\", \"^N\", separated by commas)");
	msg_end(ps, true);
	return false;
}

/* Apply the comma-separated items of 'list' to map, in order (xl's CPULIST). */
static bool cpulist_apply(struct parser *ps, unsigned int line, const char *list, unsigned long *map)
{
	const char *s = list;

	while (*s) {
		const char *e = strchr(s, ',');
		const char *next;

		if (!e)
			e = s + strlen(s);
		next = *e ? e + 1 : e;
		trim(&s, &e);
		if (s < e && !cpu_item(ps, line, list, s, e, map))
			return false;
		s = next;
	}
	if (bitmap_empty(map, DOMCFG_MAX_PCPUS)) {
		error_value(ps, line, list, "leaves no CPU to run on");
		return false;
	}
	return true;
}

static void apply_cpus(struct parser *ps, enum key_id id, unsigned int line, bool append)
{
	bool soft = id == K_CPUS_SOFT;
	unsigned long(*maps)[DOMCFG_CPUMAP_LONGS] = soft ? ps->d->cpus_soft : ps->d->cpus;
	struct affinity *a = &ps->aff[soft];
	DECLARE_BITMAP(map, DOMCFG_MAX_PCPUS);
	const char *item = ps->v.buf;
	bool ignored = false;

	if (ps->v.nested) {
		error_at(ps, line, "a list of lists is not allowed here");
		return;
	}
	if (append && a->is_list != ps->v.is_list) {
		error_at(ps, line, "can't add [list] to \"string\" or vice versa");
		return;
	}
	if (!append) {
		for (unsigned int v = 0; v < DOMCFG_MAX_VCPUS; v++)
			cpumap_fill(maps[v]);
		a->n = 0;
	}
	a->is_list = ps->v.is_list;
	if (soft)
		ps->d->cpus_soft_given = true;
	else
		ps->d->cpus_given = true;

	if (!ps->v.is_list) {
		/* one string for every vCPU; += adds its ranges to the current map */
		if (append)
			bitmap_copy(map, maps[0], DOMCFG_MAX_PCPUS);
		else
			bitmap_zero(map, DOMCFG_MAX_PCPUS);
		if (!cpulist_apply(ps, line, item, map))
			return;
		for (unsigned int v = 0; v < DOMCFG_MAX_VCPUS; v++)
			bitmap_copy(maps[v], map, DOMCFG_MAX_PCPUS);
		return;
	}
	for (unsigned int i = 0; i < ps->v.n; i++, item += strlen(item) + 1) {
		bitmap_zero(map, DOMCFG_MAX_PCPUS);
		if (!cpulist_apply(ps, line, item, map))
			return;
		if (a->n < DOMCFG_MAX_VCPUS)
			bitmap_copy(maps[a->n], map, DOMCFG_MAX_PCPUS);
		else
			ignored = true;
		a->n++;
	}
	if (ignored)
		warning_at(ps, line, "entries past vCPU %u ignored (a domain has at most %u vCPUs)",
			   DOMCFG_MAX_VCPUS - 1, DOMCFG_MAX_VCPUS);
}

/* ------------------------------------------------------------------ statements */

static void apply(struct parser *ps, enum key_id id, unsigned int line, bool append)
{
	struct domcfg *d = ps->d;
	bool plus = append; /* as written; 'append' is what it means for strings and lists */

	if (ps->key_line[id] && !append)
		warning_at(ps, line, "set again (first on line %u); this value replaces it", ps->key_line[id]);
	if (append && !ps->key_line[id])
		append = false; /* as in xl: += on a key not yet set just sets it */
	ps->key_line[id] = line;

	switch (id) {
	case K_MEMORY:
	case K_MAXMEM:
	case K_VCPUS:
	case K_MAXVCPUS:
	case K_WEIGHT:
	case K_CAP:
	case K_RESTART_LIMIT:
	case K_MAX_GRANT_FRAMES:
	case K_MAX_MAPTRACK_FRAMES:
		if (plus)
			error_at(ps, line, "can't use += with numbers");
		else
			apply_number(ps, id, line);
		break;
	case K_TYPE:
	case K_BUILDER:
	case K_ON_POWEROFF:
	case K_ON_REBOOT:
	case K_ON_CRASH:
	case K_ON_WATCHDOG:
		if (plus)
			error_at(ps, line, "+= is not supported for this key");
		else if (id == K_TYPE || id == K_BUILDER)
			apply_type(ps, id, line);
		else
			apply_action(ps, id, line);
		break;
	case K_NAME:
		if (set_string(ps, line, append, d->name, sizeof(d->name)))
			check_name(ps, line);
		break;
	case K_KERNEL:
		if (set_string(ps, line, append, d->kernel, sizeof(d->kernel)))
			check_module_name(ps, line, d->kernel);
		break;
	case K_RAMDISK:
		if (set_string(ps, line, append, d->ramdisk, sizeof(d->ramdisk)))
			check_module_name(ps, line, d->ramdisk);
		break;
	case K_CMDLINE:
		set_string(ps, line, append, d->cmdline, sizeof(d->cmdline));
		break;
	case K_ROOT:
		set_string(ps, line, append, ps->root, sizeof(ps->root));
		break;
	case K_EXTRA:
		set_string(ps, line, append, ps->extra, sizeof(ps->extra));
		break;
	case K_CPUS:
	case K_CPUS_SOFT:
		apply_cpus(ps, id, line, append);
		break;
	case NR_KEYS:
		break;
	}
}

/* The current token is an identifier: one "key = value" statement. */
static void statement(struct parser *ps)
{
	const struct token id = ps->tok;
	const struct key *k;
	bool append, xl_only = false;

	ps->key = id.start;
	ps->key_len = (size_t)(id.end - id.start);
	k = find_key(id.start, ps->key_len);
	if (!k) {
		xl_only = is_xl_only_key(id.start, ps->key_len);
		if (!xl_only)
			error_at(ps, id.line, "not an xl.cfg key Basalt knows (see docs/domains.md)");
	}
	if (!ps->first_line)
		ps->first_line = id.line;

	lex(ps);
	if (ps->tok.type != T_EQ && ps->tok.type != T_PLUSEQ) {
		syntax_error(ps, "'=' or '+=' after the key");
		recover(ps);
		return;
	}
	append = ps->tok.type == T_PLUSEQ;
	lex(ps);
	value_reset(&ps->v, k != NULL);
	if (!parse_value(ps, 0)) {
		recover(ps);
		return;
	}
	if (ps->tok.type != T_NL && ps->tok.type != T_SEMI && ps->tok.type != T_EOF) {
		syntax_error(ps, "the end of the line or ';' after the value");
		recover(ps);
		return;
	}
	if (xl_only) {
		warning_at(ps, id.line, "not supported yet, ignored");
		return;
	}
	if (!k)
		return;
	if (ps->v.overflow) {
		error_at(ps, id.line, "value too long (at most %u bytes)", VALUE_MAX - 1);
		return;
	}
	apply(ps, k->id, id.line, append);
}

/* ------------------------------------------------------------------ a whole part */

static void set_defaults(struct domcfg *d)
{
	memset(d, 0, sizeof(*d));
	d->memory_mib = DOMCFG_DEFAULT_MEMORY_MIB;
	d->vcpus = 1;
	for (unsigned int v = 0; v < DOMCFG_MAX_VCPUS; v++) {
		cpumap_fill(d->cpus[v]);
		cpumap_fill(d->cpus_soft[v]);
	}
	d->on_poweroff = DOMCFG_DESTROY;
	d->on_reboot = DOMCFG_RESTART;
	d->on_crash = DOMCFG_DESTROY;
	d->on_watchdog = DOMCFG_DESTROY;
	d->weight = DOMCFG_DEFAULT_WEIGHT;
	d->max_grant_frames = DOMCFG_DEFAULT_GRANT_FRAMES;
	d->max_maptrack_frames = DOMCFG_DEFAULT_MAPTRACK_FRAMES;
}

/* A per-vCPU list longer than maxvcpus: xl ignores the extra entries. */
static void finish_affinity(struct parser *ps, enum key_id id)
{
	bool soft = id == K_CPUS_SOFT;
	struct affinity *a = &ps->aff[soft];
	unsigned long(*maps)[DOMCFG_CPUMAP_LONGS] = soft ? ps->d->cpus_soft : ps->d->cpus;

	if (!a->is_list || a->n <= ps->d->max_vcpus)
		return;
	msg_begin_id(ps, ps->key_line[id], true, id);
	msg_printf(ps, "%u entries but maxvcpus is %u; the entries past vCPU %u are ignored", a->n, ps->d->max_vcpus,
		   ps->d->max_vcpus - 1);
	msg_end(ps, false);
	for (unsigned int v = ps->d->max_vcpus; v < DOMCFG_MAX_VCPUS; v++)
		cpumap_fill(maps[v]);
}

static void finish_memory(struct parser *ps)
{
	struct domcfg *d = ps->d;
	unsigned int line = ps->key_line[K_MAXMEM];

	if (!line || !d->maxmem_mib) { /* not set, or its value was refused */
		d->maxmem_mib = d->memory_mib;
	} else if (d->maxmem_mib < d->memory_mib) {
		msg_begin_id(ps, line, false, K_MAXMEM);
		msg_printf(ps, "%llu is less than memory (%llu)", (unsigned long long)d->maxmem_mib,
			   (unsigned long long)d->memory_mib);
		msg_end(ps, true);
	}
	/* more than memory: the domain starts with memory and may populate up
	 * to maxmem (memory_op populate_physmap, the balloon driver) */
}

static void finish_vcpus(struct parser *ps)
{
	struct domcfg *d = ps->d;

	if (!ps->key_line[K_MAXVCPUS] || !d->max_vcpus) { /* not set, or its value was refused */
		d->max_vcpus = d->vcpus;
	} else if (d->max_vcpus < d->vcpus) {
		msg_begin_id(ps, ps->key_line[K_MAXVCPUS], false, K_MAXVCPUS);
		msg_printf(ps, "%u is less than vcpus (%u)", d->max_vcpus, d->vcpus);
		msg_end(ps, true);
		d->max_vcpus = d->vcpus; /* for the checks that follow */
	}
	if (d->cap > 100 * d->max_vcpus) {
		msg_begin_id(ps, ps->key_line[K_CAP], false, K_CAP);
		msg_printf(ps, "%u is more than %u vCPU%s can use (at most %u %%)", d->cap, d->max_vcpus,
			   d->max_vcpus == 1 ? "" : "s", 100 * d->max_vcpus);
		msg_end(ps, true);
	}
	finish_affinity(ps, K_CPUS);
	finish_affinity(ps, K_CPUS_SOFT);
}

/* xl's rule: cmdline wins; else "root=<root> <extra>", "root=<root>" or "<extra>". */
static void finish_cmdline(struct parser *ps)
{
	struct domcfg *d = ps->d;
	int n;

	if (ps->key_line[K_CMDLINE]) {
		for (enum key_id id = K_ROOT; id <= K_EXTRA; id++) {
			if (!ps->key_line[id])
				continue;
			msg_begin_id(ps, ps->key_line[id], true, id);
			msg_printf(ps, "ignored, because cmdline (line %u) is set", ps->key_line[K_CMDLINE]);
			msg_end(ps, false);
		}
		return;
	}
	if (ps->key_line[K_ROOT] && ps->key_line[K_EXTRA])
		n = snprintf(d->cmdline, sizeof(d->cmdline), "root=%s %s", ps->root, ps->extra);
	else if (ps->key_line[K_ROOT])
		n = snprintf(d->cmdline, sizeof(d->cmdline), "root=%s", ps->root);
	else
		n = snprintf(d->cmdline, sizeof(d->cmdline), "%s", ps->extra);
	if (n >= (int)sizeof(d->cmdline)) {
		msg_begin_id(ps, MAX(ps->key_line[K_ROOT], ps->key_line[K_EXTRA]), false,
			     ps->key_line[K_EXTRA] ? K_EXTRA : K_ROOT);
		msg_printf(ps, "the command line made of root and extra is too long (%d bytes, at most %u)", n,
			   DOMCFG_CMDLINE_MAX);
		msg_end(ps, true);
	}
}

static void finish_required(struct parser *ps, const struct domcfg *out, unsigned int count)
{
	if (!ps->key_line[K_NAME]) {
		msg_begin_id(ps, ps->first_line, false, K_NAME);
		msg_printf(ps, "missing: every domain needs a name");
		msg_end(ps, true);
	} else {
		for (unsigned int i = 0; i < count; i++) {
			if (strcmp(out[i].name, ps->d->name))
				continue;
			msg_begin_id(ps, ps->key_line[K_NAME], false, K_NAME);
			msg_quote_str(ps, ps->d->name);
			msg_printf(ps, " is already the name of another domain");
			msg_end(ps, true);
			break;
		}
	}
	if (!ps->key_line[K_KERNEL]) {
		msg_begin_id(ps, ps->first_line, false, K_KERNEL);
		msg_printf(ps, "missing: say which boot module is the domain's kernel");
		msg_end(ps, true);
	}
}

/* Does the part hold anything but blank lines and comments? Leaves the
 * lexer on the first real token. */
static bool part_empty(struct parser *ps)
{
	lex(ps);
	skip_newlines(ps);
	return ps->tok.type == T_EOF;
}

static void parse_part(struct parser *ps, const char *start, const char *end, unsigned int line, struct domcfg *out,
		       unsigned int max, unsigned int *count)
{
	ps->p = start;
	ps->end = end;
	ps->line = line;
	ps->first_line = 0;
	ps->open_lists = 0;
	ps->part_errors = 0;
	ps->part_msgs = 0;
	ps->key = NULL;
	ps->key_len = 0;
	if (part_empty(ps))
		return;
	if (*count >= max) {
		msg_begin_key(ps, ps->tok.line, false, NULL, 0);
		msg_printf(ps, "too many domains (at most %u): this one is not built", max);
		msg_end(ps, true);
		return;
	}

	ps->d = &out[*count];
	set_defaults(ps->d);
	memset(ps->key_line, 0, sizeof(ps->key_line));
	memset(ps->aff, 0, sizeof(ps->aff));
	ps->root[0] = ps->extra[0] = '\0';

	while (ps->tok.type != T_EOF) {
		if (ps->tok.type == T_NL || ps->tok.type == T_SEMI) {
			lex(ps);
		} else if (ps->tok.type == T_IDENT) {
			statement(ps);
		} else {
			ps->key = NULL;
			ps->key_len = 0;
			syntax_error(ps, "a key at the start of a statement");
			recover(ps);
		}
	}
	if (!ps->first_line)
		ps->first_line = line; /* only syntax errors: no statement */
	ps->key = NULL;
	ps->key_len = 0;

	finish_memory(ps);
	finish_vcpus(ps);
	finish_cmdline(ps);
	finish_required(ps, out, *count);
	ps->d->first_line = ps->first_line;

	if (!ps->part_errors) {
		(*count)++;
		return;
	}
	if (ps->part_msgs > PART_MSG_LIMIT) {
		msg_begin_key(ps, ps->first_line, false, NULL, 0);
		msg_printf(ps, "%u more messages about this domain not shown", ps->part_msgs - PART_MSG_LIMIT);
		emit(ps);
	}
	msg_begin_key(ps, ps->first_line, false, NULL, 0);
	msg_printf(ps, "domain ");
	if (ps->key_line[K_NAME] && ps->d->name[0]) {
		msg_quote_str(ps, ps->d->name);
		msg_printf(ps, " ");
	}
	msg_printf(ps, "refused (%u error%s)", ps->part_errors, ps->part_errors == 1 ? "" : "s");
	emit(ps);
}

/* Is [s, e) a separator line: "---" with nothing but blanks around it? */
static bool separator_line(const char *s, const char *e)
{
	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	trim(&s, &e);
	return e - s == 3 && !memcmp(s, "---", 3);
}

int domcfg_parse(const char *text, size_t len, const char *source_name, struct domcfg *out, unsigned int max,
		 unsigned int *count, void (*report)(const char *msg))
{
	struct parser ps;
	const char *pos = text, *end;
	unsigned int line = 1;

	if (!out || !count || *count > max || (!text && len))
		return -XEN_EINVAL;
	if (!text)
		return 0;
	end = text + len;
	memset(&ps, 0, sizeof(ps));
	ps.source = source_name ? source_name : "config";
	ps.report = report;

	for (;;) {
		const char *part = pos, *q = pos, *sep = NULL;
		unsigned int part_line = line;

		/* find the next separator line */
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			const char *eol = nl ? nl : end;

			if (separator_line(q, eol)) {
				sep = q;
				break;
			}
			q = nl ? nl + 1 : end;
			if (nl)
				line++;
		}
		parse_part(&ps, part, sep ? sep : end, part_line, out, max, count);
		if (!sep)
			break;
		pos = memchr(sep, '\n', (size_t)(end - sep));
		if (!pos)
			break;
		pos++;
		line++;
	}
	if (ps.hidden) {
		msg_begin_key(&ps, ps.first_hidden_line, false, NULL, 0);
		msg_printf(&ps, "%u more messages about this text not shown (%u were)", ps.hidden, CALL_MSG_LIMIT);
		if (ps.report)
			ps.report(ps.msg);
	}
	return ps.errors;
}

const char *domcfg_action_name(enum domcfg_action a)
{
	switch (a) {
	case DOMCFG_DESTROY:
		return "destroy";
	case DOMCFG_RESTART:
		return "restart";
	case DOMCFG_PRESERVE:
		return "preserve";
	}
	return "?";
}
