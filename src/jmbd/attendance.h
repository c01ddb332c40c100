/* Attendance of a meeting for its organiser. */
#ifndef JMBD_ATTENDANCE_H
#define JMBD_ATTENDANCE_H

#include "daemon.h"
#include "domain/attendance.h"

/* The meeting's attendance now, in pool; -1 (logged) when the store fails. */
int meeting_attendance(struct jmbd *d, struct jmb_pool *pool, const struct jmb_meeting *m,
                       struct jmb_attendance *out);

#endif
