/* The time zone list of the forms: every IANA zone jmb knows, grouped by
 * region, after a group of the likely ones. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "meeting-actions.h"
#include "render.h"
#include "util/memory.h"
#include "util/timeutil.h"
#include "zone-options.h"

/* The regions of IANA zone names, as the option groups of the zone list. */
static const char *const zone_regions[][2] = {
    {"Africa", N_("Africa")},
    {"America", N_("Americas")},
    {"Antarctica", N_("Antarctica")},
    {"Arctic", N_("Arctic")},
    {"Asia", N_("Asia")},
    {"Atlantic", N_("Atlantic Ocean")},
    {"Australia", N_("Australia")},
    {"Europe", N_("Europe")},
    {"Indian", N_("Indian Ocean")},
    {"Pacific", N_("Pacific Ocean")},
};

/* "America/Argentina/Buenos_Aires" shown as "Argentina / Buenos Aires". */
static const char *zone_label(struct jmb_pool *pool, const char *zone, bool in_region)
{
	const char *shown = in_region && strchr(zone, '/') ? strchr(zone, '/') + 1 : zone;
	char *label = jmb_pool_calloc(pool, 3 * strlen(shown) + 1, 1), *o = label;

	for (const char *p = shown; *p != '\0'; p++) {
		if (*p == '/')
			o += sprintf(o, " / ");
		else
			*o++ = *p == '_' ? ' ' : *p;
	}
	return label;
}

static json_t *zone_option(struct jmb_pool *pool, const char *zone, const char *selected,
                           bool in_region)
{
	return json_pack("{s:s, s:s, s:b}", "value", zone, "label",
	                 zone_label(pool, zone, in_region), "selected",
	                 selected != NULL && strcmp(zone, selected) == 0);
}

json_t *zone_groups(struct jmbd *d, struct jmb_request *req, const char *selected)
{
	const char *likely[8] = {selected, viewer_zone(d, req), d->rt->settings.server.timezone};
	size_t n_likely = 3, n_zones, r;
	const char *const *zones = jmb_timezone_names(&n_zones);
	struct jmb_meeting_list recent;
	json_t *groups = json_array(), *first = json_array();

	if (req->identity != NULL &&
	    meeting_window(d, req, jmbd_now() - 400 * 86400L, &recent) == ACTION_OK) {
		for (size_t i = recent.count; i > 0 && n_likely < 8; i--)
			likely[n_likely++] = recent.items[i - 1]->timezone;
	}
	for (size_t i = 0; i < n_likely; i++) {
		bool again = likely[i] == NULL || *likely[i] == '\0';
		for (size_t j = 0; j < i && !again; j++)
			again = likely[j] != NULL && strcmp(likely[i], likely[j]) == 0;
		if (!again)
			json_array_append_new(first,
			                      zone_option(req->pool, likely[i], selected, false));
	}
	json_array_append_new(
	    groups, json_pack("{s:s, s:o}", "label", tr(d, req, N_("Suggested")), "zones", first));
	for (r = 0; r < sizeof(zone_regions) / sizeof(zone_regions[0]); r++) {
		json_t *list = json_array();
		size_t len = strlen(zone_regions[r][0]);
		for (size_t i = 0; i < n_zones; i++) {
			if (strncmp(zones[i], zone_regions[r][0], len) == 0 && zones[i][len] == '/')
				json_array_append_new(list,
				                      zone_option(req->pool, zones[i], NULL, true));
		}
		json_array_append_new(groups,
		                      json_pack("{s:s, s:o}", "label",
		                                tr(d, req, zone_regions[r][1]), "zones", list));
	}
	json_array_append_new(groups,
	                      json_pack("{s:s, s:[o]}", "label", tr(d, req, N_("Other")), "zones",
	                                zone_option(req->pool, "UTC", NULL, false)));
	return groups;
}
