/*
 * Formatted output into a bounded buffer: vsnprintf and friends for printk,
 * panic messages and every place that builds a string. It implements the C99
 * subset documented in hv/lib.h (integers, characters, strings, pointers, with
 * flags, width, precision and length modifiers) and follows C's rules for each
 * of them, so host tests compare it directly against the C library. There is
 * no %n and no floating point; an unknown conversion is copied out verbatim so
 * a bad format string shows up in the output instead of eating arguments.
 */
#include <hv/lib.h>

#define INT_MAX_VALUE 0x7fffffff

/* The output cursor. 'pos' counts every character the full output needs,
 * including those that did not fit; only buf[0 .. size-2] is ever written
 * before the terminator. */
struct out {
	char *buf;
	size_t size;
	size_t pos;
};

enum flag {
	F_LEFT = 1 << 0,  /* '-': pad on the right */
	F_PLUS = 1 << 1,  /* '+': always print a sign */
	F_SPACE = 1 << 2, /* ' ': a space where a '+' would go */
	F_ALT = 1 << 3,	  /* '#': 0x prefix, leading octal zero */
	F_ZERO = 1 << 4,  /* '0': pad with zeros after sign and prefix */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct spec {
	unsigned int flags;
	size_t width;
	int precision; /* -1: none given */
	enum length length;
	char conv;
};

/* Bytes of room left before the terminator's slot. */
static size_t room(const struct out *o)
{
	return o->pos + 1 < o->size ? o->size - 1 - o->pos : 0;
}

static void put_mem(struct out *o, const char *s, size_t n)
{
	size_t fit = MIN(n, room(o));

	if (fit)
		memcpy(o->buf + o->pos, s, fit);
	o->pos += n;
}

/* Padding is counted, not looped over, so a huge width costs nothing. */
static void put_repeat(struct out *o, char c, size_t n)
{
	size_t fit = MIN(n, room(o));

	if (fit)
		memset(o->buf + o->pos, c, fit);
	o->pos += n;
}

static void put_char(struct out *o, char c)
{
	put_mem(o, &c, 1);
}

/* A string or character conversion: 'len' bytes of 's', padded to the width. */
static void put_field(struct out *o, const struct spec *sp, const char *s, size_t len)
{
	size_t pad = sp->width > len ? sp->width - len : 0;

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	put_mem(o, s, len);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

struct number {
	unsigned long long magnitude;
	char sign;	    /* '-', '+', ' ' or 0 */
	const char *prefix; /* "0x", "0X" or "" */
	unsigned int base;
	bool upper;
};

/*
 * Lay out sign, prefix, zeros and digits following C: the precision is the
 * minimum number of digits (a zero value with precision 0 prints no digits),
 * and the '0' flag pads with zeros only when no precision was given.
 */
static void put_number(struct out *o, const struct spec *sp, const struct number *num)
{
	const char *set = num->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24]; /* 22 octal digits for 2^64 - 1 */
	size_t ndigits = 0, zeros = 0, prefix_len = strlen(num->prefix), body, pad;
	size_t precision = sp->precision < 0 ? 1 : (size_t)sp->precision;

	for (unsigned long long m = num->magnitude; m; m /= num->base)
		digits[ndigits++] = set[m % num->base];
	if (ndigits < precision)
		zeros = precision - ndigits;
	/* '#' with 'o' makes the first digit a zero, adding one only if needed. */
	if ((sp->flags & F_ALT) && num->base == 8 && zeros == 0)
		zeros = 1;

	body = (num->sign ? 1 : 0) + prefix_len + zeros + ndigits;
	pad = sp->width > body ? sp->width - body : 0;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	if (num->sign)
		put_char(o, num->sign);
	put_mem(o, num->prefix, prefix_len);
	put_repeat(o, '0', zeros);
	while (ndigits)
		put_char(o, digits[--ndigits]);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

/* Default argument promotion turns hh and h arguments into int; narrow them
 * back as C requires. */
static long long fetch_signed(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long fetch_unsigned(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static void format_signed(struct out *o, const struct spec *sp, va_list *ap)
{
	long long v = fetch_signed(ap, sp->length);
	struct number num = { .prefix = "", .base = 10 };

	/* Negate in unsigned arithmetic so LLONG_MIN does not overflow. */
	num.magnitude = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	if (v < 0)
		num.sign = '-';
	else if (sp->flags & F_PLUS)
		num.sign = '+';
	else if (sp->flags & F_SPACE)
		num.sign = ' ';
	put_number(o, sp, &num);
}

static void format_unsigned(struct out *o, const struct spec *sp, va_list *ap)
{
	struct number num = { .prefix = "", .base = 10, .upper = sp->conv == 'X' };

	num.magnitude = fetch_unsigned(ap, sp->length);
	if (sp->conv == 'o')
		num.base = 8;
	else if (sp->conv == 'x' || sp->conv == 'X')
		num.base = 16;
	/* C gives a zero no 0x prefix. */
	if (num.base == 16 && (sp->flags & F_ALT) && num.magnitude)
		num.prefix = sp->conv == 'X' ? "0X" : "0x";
	put_number(o, sp, &num);
}

/* Pointers always print as 0x and 16 digits, so log columns line up. */
static void format_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
	struct spec psp = { .flags = sp->flags & F_LEFT, .width = sp->width, .precision = 16 };
	struct number num = { .prefix = "0x", .base = 16 };

	num.magnitude = (uintptr_t)va_arg(*ap, void *);
	put_number(o, &psp, &num);
}

static void format_string(struct out *o, const struct spec *sp, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);

	if (!s)
		s = "(null)";
	/* With a precision, never read past it: the string may be unterminated. */
	put_field(o, sp, s, sp->precision < 0 ? strlen(s) : strnlen(s, (size_t)sp->precision));
}

static void format_char(struct out *o, const struct spec *sp, va_list *ap)
{
	char c = (char)va_arg(*ap, int);

	put_field(o, sp, &c, 1);
}

/* Decimal digits, saturating at INT_MAX instead of overflowing. */
static int parse_decimal(const char **fmt)
{
	int v = 0;

	for (; isdigit(**fmt); (*fmt)++) {
		int d = **fmt - '0';

		v = v > (INT_MAX_VALUE - d) / 10 ? INT_MAX_VALUE : v * 10 + d;
	}
	return v;
}

static unsigned int parse_flags(const char **fmt)
{
	unsigned int flags = 0;

	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-':
			flags |= F_LEFT;
			break;
		case '+':
			flags |= F_PLUS;
			break;
		case ' ':
			flags |= F_SPACE;
			break;
		case '#':
			flags |= F_ALT;
			break;
		case '0':
			flags |= F_ZERO;
			break;
		default:
			return flags;
		}
	}
}

/* A '*' width that is negative means '-' with the absolute value (C99). */
static void parse_width(const char **fmt, struct spec *sp, va_list *ap)
{
	if (**fmt == '*') {
		int w = va_arg(*ap, int);

		(*fmt)++;
		if (w < 0) {
			sp->flags |= F_LEFT;
			sp->width = (size_t)0 - (size_t)(long)w;
		} else {
			sp->width = (size_t)w;
		}
	} else {
		sp->width = (size_t)parse_decimal(fmt);
	}
}

/* A lone '.' means precision 0; a negative '*' precision means none. */
static void parse_precision(const char **fmt, struct spec *sp, va_list *ap)
{
	sp->precision = -1;
	if (**fmt != '.')
		return;
	(*fmt)++;
	if (**fmt == '*') {
		int p = va_arg(*ap, int);

		(*fmt)++;
		sp->precision = p < 0 ? -1 : p;
	} else {
		sp->precision = parse_decimal(fmt);
	}
}

static enum length parse_length(const char **fmt)
{
	const char *f = *fmt;
	enum length len = LEN_NONE;

	if (f[0] == 'h')
		len = f[1] == 'h' ? LEN_HH : LEN_H;
	else if (f[0] == 'l')
		len = f[1] == 'l' ? LEN_LL : LEN_L;
	else if (f[0] == 'z')
		len = LEN_Z;
	else if (f[0] == 't')
		len = LEN_T;
	else if (f[0] == 'j')
		len = LEN_J;
	*fmt += len == LEN_NONE ? 0 : (len == LEN_HH || len == LEN_LL) ? 2 : 1;
	return len;
}

/*
 * Handle one conversion; *fmt points just past its '%' and is advanced past
 * the conversion character. Returns false at the end of the format string.
 */
static bool format_one(struct out *o, const char **fmt, va_list *ap)
{
	const char *start = *fmt - 1;
	struct spec sp = { 0 };

	sp.flags = parse_flags(fmt);
	parse_width(fmt, &sp, ap);
	parse_precision(fmt, &sp, ap);
	sp.length = parse_length(fmt);
	sp.conv = **fmt;

	switch (sp.conv) {
	case 'd':
	case 'i':
		format_signed(o, &sp, ap);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		format_unsigned(o, &sp, ap);
		break;
	case 'p':
		format_pointer(o, &sp, ap);
		break;
	case 's':
		format_string(o, &sp, ap);
		break;
	case 'c':
		format_char(o, &sp, ap);
		break;
	case '%':
		put_char(o, '%');
		break;
	case '\0':
		/* Truncated specification: show what there was and stop. */
		put_mem(o, start, (size_t)(*fmt - start));
		return false;
	default:
		put_mem(o, start, (size_t)(*fmt - start) + 1);
		break;
	}
	(*fmt)++;
	return true;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { .buf = buf, .size = size, .pos = 0 };
	va_list ap;

	/* A va_list parameter may be an array type; take the address of a copy. */
	va_copy(ap, args);
	while (*fmt) {
		const char *lit = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		put_mem(&o, lit, (size_t)(fmt - lit));
		if (*fmt == '%') {
			fmt++;
			if (!format_one(&o, &fmt, &ap))
				break;
		}
	}
	va_end(ap);

	if (size)
		buf[MIN(o.pos, size - 1)] = '\0';
	/* Beyond INT_MAX the true length is not representable; saturate rather
	 * than return a negative value callers would misread as small. */
	return o.pos > INT_MAX_VALUE ? INT_MAX_VALUE : (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int n = vsnprintf(buf, size, fmt, args);

	if (size == 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}
