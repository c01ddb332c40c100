/* jmbd: the jmb daemon. Reads the config, opens the store, serves HTTP until
 * SIGTERM (drain, exit 0); SIGHUP reloads the config. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "daemon.h"
#include "http-server.h"
#include "join-counter.h"
#include "imap-poller.h"
#include "queue-worker.h"
#include "service-notify.h"
#include "util/log.h"
#include "util/memory.h"

#define DEFAULT_CONFIG "/etc/jmb/jmb.conf"
#define DRAIN_SECONDS 10

static void usage(FILE *out)
{
	fprintf(out, "Usage: jmbd [--config FILE] [--check-config] [--syslog] [--debug]\n"
	             "  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
	             "  -t, --check-config  check the configuration and exit (0: valid)\n"
	             "  -s, --syslog        log to syslog instead of stderr\n"
	             "  -d, --debug         log debug messages\n"
	             "  -V, --version       print the version and exit\n"
	             "Signals: SIGTERM/SIGINT drain and stop, SIGHUP reloads the configuration.\n");
}

struct options {
	const char *config;
	bool check_only, use_syslog, debug;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check-config", no_argument, NULL, 't'},
	    {"syslog", no_argument, NULL, 's'},
	    {"debug", no_argument, NULL, 'd'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->config = DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:tsdVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 't':
			o->check_only = true;
			break;
		case 's':
			o->use_syslog = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'V':
			printf("jmbd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jmbd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Waits for a signal; with a watchdog, wakes up in time to ping it. Returns
 * the signal, or 0 when it woke up for the watchdog. */
static int wait_for_signal(const sigset_t *signals, uint64_t watchdog_ms)
{
	struct timespec timeout = {.tv_sec = (time_t)(watchdog_ms / 1000),
	                           .tv_nsec = (long)(watchdog_ms % 1000) * 1000000L};
	int sig;

	if (watchdog_ms == 0)
		return sigwait(signals, &sig) == 0 ? sig : 0;
	sig = sigtimedwait(signals, NULL, &timeout);
	return sig > 0 ? sig : 0;
}

/* Waits for signals in the main thread; the HTTP threads never see them. The
 * watchdog is pinged from here: a main loop that stopped running (a reload
 * stuck on a lock) stops the pings, and systemd restarts jmbd. */
static void serve_until_stopped(struct jmbd *d, const sigset_t *signals)
{
	uint64_t watchdog_ms = service_watchdog_interval_ms();

	for (;;) {
		int sig = wait_for_signal(signals, watchdog_ms);
		struct jmb_error error;

		if (watchdog_ms > 0)
			service_notify_watchdog();
		if (sig == 0)
			continue;
		if (sig != SIGHUP) {
			jmb_log(JMB_LOG_INFO, "stopping", "signal", strsignal(sig), NULL);
			service_notify_stopping();
			return;
		}
		service_notify_reloading();
		if (jmbd_reload(d, &error) == 0)
			jmb_log(JMB_LOG_INFO, "reloaded", "config", d->config_path, NULL);
		else
			jmb_log(JMB_LOG_ERROR, "reload_failed", "errors", error.text, "note",
			        "keeping the previous configuration", NULL);
		service_notify_ready(NULL);
	}
}

int main(int argc, char **argv)
{
	struct options opt = {0};
	struct jmbd d = {0};
	struct http_server *server = NULL;
	struct queue_worker *worker = NULL;
	struct imap_poller *poller = NULL;
	struct jmb_error error;
	sigset_t signals;
	int status = 1;

	metrics_init();
	if (parse_options(argc, argv, &opt) < 0)
		return 2;
	xmlInitParser();
	jmb_log_setup("jmbd", opt.use_syslog, opt.debug ? JMB_LOG_DEBUG : JMB_LOG_INFO);
	d.config_path = opt.config;
	d.rt = jmbd_runtime_load(opt.config, &error);
	if (d.rt == NULL) {
		fprintf(stderr, "%s\n", error.text);
		return opt.check_only ? 1 : 78; /* EX_CONFIG */
	}
	if (opt.check_only) {
		printf("%s: configuration is valid\n", opt.config);
		jmbd_runtime_put(&d.rt);
		return 0;
	}
	jmbd_lock_init(&d);
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (jmbd_open_store(&d, &error) < 0) {
		jmb_log(JMB_LOG_ERROR, "store_unavailable", "error", error.text, NULL);
		goto out;
	}
	d.joins = join_counter_start(d.store, &error);
	if (d.joins == NULL) {
		jmb_log(JMB_LOG_ERROR, "join_counter", "error", error.text, NULL);
		goto out;
	}
	worker = queue_worker_start(&d, &error);
	if (worker == NULL) {
		jmb_log(JMB_LOG_ERROR, "queue_worker", "error", error.text, NULL);
		goto out;
	}
	poller = imap_poller_start(&d, &error);
	if (poller == NULL) {
		jmb_log(JMB_LOG_ERROR, "imap_poller", "error", error.text, NULL);
		goto out;
	}
	server = http_server_start(&d, &error);
	if (server == NULL) {
		jmb_log(JMB_LOG_ERROR, "listen_failed", "error", error.text, NULL);
		goto out;
	}
	char port[16];
	snprintf(port, sizeof(port), "%u", http_server_port(server));
	jmb_log(JMB_LOG_INFO, "started", "version", PACKAGE_VERSION, "listen",
	        d.rt->settings.server.listen, "port", port, "store", jmb_store_driver_name(d.store),
	        "public_url", d.rt->settings.server.public_url, NULL);
	char ready[64];
	snprintf(ready, sizeof(ready), "serving on port %s", port);
	service_notify_ready(ready);
	serve_until_stopped(&d, &signals);
	http_server_stop(&server, DRAIN_SECONDS);
	imap_poller_stop(&poller);
	join_counter_stop(&d.joins);
	queue_worker_stop(&worker);
	jmb_log(JMB_LOG_INFO, "stopped", NULL);
	status = 0;
out:
	imap_poller_stop(&poller);
	join_counter_stop(&d.joins);
	queue_worker_stop(&worker);
	jmb_store_close(&d.store);
	if (d.csrf_key != NULL)
		explicit_bzero(d.csrf_key, strlen(d.csrf_key));
	free(d.csrf_key);
	jmbd_runtime_put(&d.rt);
	xmlCleanupParser();
	return status;
}
