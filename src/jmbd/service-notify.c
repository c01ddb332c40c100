/* sd_notify(3) for jmbd: see service-notify.h. */
#include "config.h"

#include <stdio.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "service-notify.h"

#ifdef HAVE_SYSTEMD
void service_notify_ready(const char *status)
{
	if (status != NULL)
		sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	else
		sd_notify(0, "READY=1");
}

void service_notify_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void service_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

uint64_t service_watchdog_interval_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	/* systemd's advice: ping at half the interval, so one late wake-up
	   does not cost the service a restart */
	return usec / 2000 > 0 ? usec / 2000 : 1;
}

void service_notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}
#else
void service_notify_ready(const char *status)
{
	(void)status;
}

void service_notify_reloading(void)
{
}

void service_notify_stopping(void)
{
}

uint64_t service_watchdog_interval_ms(void)
{
	return 0;
}

void service_notify_watchdog(void)
{
}
#endif
