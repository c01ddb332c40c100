/* Internals shared by the PostgreSQL driver's two files: the connection with
 * its named prepared statements, and the mapping of results to store codes. */
#ifndef JMB_STORE_PG_PRIVATE_H
#define JMB_STORE_PG_PRIVATE_H

#include <libpq-fe.h>

#include "store-sql.h"

/* Statements a connection has prepared, keyed by their SQL text's address:
   statement i is named "jmb_<i>". More distinct texts than this run unnamed. */
#define PG_STATEMENT_CACHE 96

struct pg_conn {
	struct jmb_sql_conn base;
	PGconn *db;
	const char *prepared[PG_STATEMENT_CACHE];
	size_t n_prepared;
};

static inline struct pg_conn *pg_conn(struct jmb_sql_conn *conn)
{
	return (struct pg_conn *)conn;
}

/* store-pg-conn.c */
struct jmb_sql_conn *jmb_pg_connect(const struct jmb_store_settings *settings,
                                    struct jmb_error *error);
void jmb_pg_disconnect(struct jmb_sql_conn *conn);
/* True unless the connection is lost, marked broken, or left inside a transaction. */
bool jmb_pg_reset(struct jmb_sql_conn *conn);
/* Maps a result to a store code: 23505 is CONFLICT, 40001/40P01/55P03 RETRY,
   a lost connection marks c broken. res may be NULL. */
enum jmb_store_result jmb_pg_check(struct pg_conn *c, const PGresult *res, struct jmb_error *error);

#endif
