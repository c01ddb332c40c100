-- Live occupancy and attendance for jmb: the event_sync component of
-- jitsi-contrib/prosody-plugins (copy mod_event_sync_component.lua into
-- /usr/share/jitsi-meet/prosody-plugins/) POSTs room and occupant events to
-- jmb. Add these lines at the end of /etc/prosody/conf.d/<domain>.cfg.lua,
-- with your Jitsi domain, jmb's public URL and the same token as in
-- prosody-jmb.cfg.lua ([jitsi] prosody_token_file on jmb's side).

Component "esync.meet.example.org" "event_sync_component"
    muc_component = "conference.meet.example.org"
    breakout_component = "breakout.meet.example.org"
    api_prefix = "https://booking.example.org/jitsi"
    api_headers = {
        ["Authorization"] = "Bearer REPLACE-WITH-THE-CONTENT-OF-prosody-token";
    }
    api_timeout = 10
    api_retry_count = 3
    api_retry_delay = 1
