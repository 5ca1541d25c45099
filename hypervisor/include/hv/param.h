/*
 * Command line options, Xen style: "key=value" (value may be "quoted"),
 * booleans as "key", "no-key", "key=0/1/no/yes/off/on/false/true", sizes
 * with K/M/G/T suffixes, integers in any C base. An option is declared next
 * to the code it configures:
 *
 *     static unsigned int loglvl = 3;
 *     integer_param("loglvl", loglvl);
 *
 * Unknown options are reported once (with the whole token) and never fatal;
 * a bad value is reported with the option's name and left at its default.
 */
#ifndef HV_PARAM_H
#define HV_PARAM_H

#include <hv/types.h>

enum param_type { PARAM_BOOL, PARAM_UINT, PARAM_SIZE, PARAM_STRING, PARAM_CUSTOM };

struct kernel_param {
	const char *name;
	enum param_type type;
	void *var;
	size_t len; /* bytes of var (string: buffer size) */
	/* PARAM_CUSTOM: parse the value (NULL if "key" had no '=');
	 * return 0 or -XEN_EINVAL. */
	int (*func)(const char *value);
};

#define __PARAM_CAT2(a, b) a##b
#define __PARAM_CAT(a, b) __PARAM_CAT2(a, b)
#define __param(_name, _type, _var, _len, _func)                                               \
	static const struct kernel_param __PARAM_CAT(__param_, __LINE__) __attribute__((used)) \
	__section(".data.param") __aligned(8) = { _name, _type, _var, _len, _func }
#define boolean_param(name, var) __param(name, PARAM_BOOL, &(var), sizeof(var), NULL)
#define integer_param(name, var) __param(name, PARAM_UINT, &(var), sizeof(var), NULL)
#define size_param(name, var) __param(name, PARAM_SIZE, &(var), sizeof(var), NULL)
#define string_param(name, var) __param(name, PARAM_STRING, (var), sizeof(var), NULL)
#define custom_param(name, fn) __param(name, PARAM_CUSTOM, NULL, 0, fn)

/*
 * lib/cmdline.c: parse 'cmdline' against params[0..n). Each problem (unknown
 * option, bad value) is passed to 'report' with a message; the caller decides
 * how to print it. Returns the number of problems.
 */
int cmdline_parse(const char *cmdline, const struct kernel_param *params, size_t n, void (*report)(const char *msg));
/* Parse one boolean word: 1/0, or -1 if it is not a boolean. */
int parse_bool(const char *s, const char *end);

#endif
