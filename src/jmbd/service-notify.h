/* Telling the service manager how jmbd is doing (sd_notify(3)): ready once it
 * serves, reloading, stopping, and watchdog pings from the main loop. Without
 * a service manager (NOTIFY_SOCKET unset), or built without libsystemd, every
 * call does nothing. */
#ifndef JMBD_SERVICE_NOTIFY_H
#define JMBD_SERVICE_NOTIFY_H

#include <stdint.h>

/* status: one line shown by "systemctl status" (may be NULL). */
void service_notify_ready(const char *status);
void service_notify_reloading(void);
void service_notify_stopping(void);
/* How often the main loop must ping (half the WatchdogSec= the manager set),
 * in milliseconds; 0 when no watchdog is set. */
uint64_t service_watchdog_interval_ms(void);
void service_notify_watchdog(void);

#endif
