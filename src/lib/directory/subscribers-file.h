/* The legacy mailing-list file: one "list@domain subscriber@domain" pair per
 * line (# comments and blank lines allowed). A list address typed into the
 * invite form stands for its subscribers. */
#ifndef JMB_SUBSCRIBERS_FILE_H
#define JMB_SUBSCRIBERS_FILE_H

#include "jmb/error.h"
#include "jmb/pool.h"

/* The subscribers of list (lower-case, NULL-terminated, in pool). Returns 1
 * when list is in the file, 0 when not, -1 (error set) when the file cannot
 * be read. */
int jmb_subscribers_file_expand(const char *path, struct jmb_pool *pool, const char *list,
                                const char *const **subscribers_r, struct jmb_error *error);

#endif
