/* Declarative configuration keys, shared by the core and the plugins.
 * A component lists its keys once; one parser fills a settings struct and reports file:line errors.
 */
#ifndef JMB_PUBLIC_CONFIG_H
#define JMB_PUBLIC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum jmb_config_type {
	JMB_CONF_STRING, /* char *            */
	JMB_CONF_INT,    /* long, within [min, max] */
	JMB_CONF_BOOL,   /* bool: yes/no, true/false, on/off, 1/0 */
	JMB_CONF_LIST,   /* char **, NULL-terminated, from a comma-separated value */
	JMB_CONF_ENUM,   /* int: index into choices */
	JMB_CONF_SECRET, /* char *: the value, or the first line of the file named by <key>_file */
};

enum jmb_config_flags {
	JMB_CONF_REQUIRED = 1 << 0,
	JMB_CONF_PATH = 1 << 1, /* a relative path is taken relative to the config file's folder */
};

struct jmb_config_key {
	const char *name;
	enum jmb_config_type type;
	size_t offset;
	const char *default_value; /* parsed like a value from the file; NULL: none */
	unsigned flags;
	long min, max;
	const char *const *choices;
};

#define JMB_CONF_END                                                                               \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0, 0, NULL                                                    \
	}

#endif
