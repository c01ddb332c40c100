/* jmbctl send-xmpp ROOM MESSAGE: what jmbd does for an end-of-meeting
 * reminder, by hand: join ROOM (a Jitsi room name, or a full room JID) with
 * the [xmpp] account, post MESSAGE, leave. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmbctl.h"
#include "publish/xmpp.h"

int cmd_send_xmpp(struct jmbctl *ctl, int argc, char **argv)
{
	enum jmb_xmpp_result result;
	struct jmb_error error;
	char *room_jid;

	if (argc != 3 || *argv[2] == '\0') {
		fprintf(stderr, "Usage: jmbctl send-xmpp ROOM MESSAGE\n");
		return CTL_USAGE;
	}
	if (!jmb_xmpp_enabled(&ctl->settings.xmpp)) {
		fprintf(stderr, "jmbctl: send-xmpp needs [xmpp] jid and password in %s\n",
		        ctl->config_path);
		return CTL_CONFIG;
	}
	room_jid = jmb_xmpp_room_jid(&ctl->settings.xmpp, argv[1]);
	if (room_jid == NULL) {
		fprintf(stderr, "jmbctl: '%s' is not a room name\n", argv[1]);
		return CTL_USAGE;
	}
	result = jmb_xmpp_post(&ctl->settings.xmpp, argv[1], argv[2], &error);
	if (result != JMB_XMPP_OK) {
		fprintf(stderr, "jmbctl: send-xmpp failed at %s: %s\n", jmb_xmpp_step(result),
		        error.text);
		free(room_jid);
		return CTL_FAIL;
	}
	printf("posted to %s\n", room_jid);
	free(room_jid);
	return CTL_OK;
}
