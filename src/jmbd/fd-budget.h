/* How many client connections fit in the file descriptors jmbd may open. */
#ifndef JMBD_FD_BUDGET_H
#define JMBD_FD_BUDGET_H

#include "jmb/error.h"

/* The connection cap to use: wanted, or fewer when RLIMIT_NOFILE leaves less
 * than wanted + reserve descriptors (the soft limit is first raised toward
 * the hard one). -1 with a message when not even 16 connections fit. */
long fd_budget_connections(long wanted, long reserve, struct jmb_error *error);

#endif
