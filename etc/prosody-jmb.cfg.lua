-- jmb as the reservation backend of Jitsi's Prosody (mod_reservations, from
-- jitsi-meet-prosody). Put these lines inside the VirtualHost of your Jitsi
-- Meet domain in /etc/prosody/conf.d/<domain>.cfg.lua, with:
--   * the token that jmb reads from [jitsi] prosody_token_file (the same
--     secret on both sides; keep the file readable by prosody only);
--   * jmb's public URL.
-- Then a room can be created only while jmb says it is booked (or is a
-- private room), and Prosody closes it when the meeting's time is up.

modules_enabled = {
    "reservations";
    "muc_max_occupants"; -- needed for the per-meeting participant limit
}
reservations_api_prefix = "https://booking.example.org/jitsi/reservations"
reservations_api_headers = {
    ["Authorization"] = "Bearer REPLACE-WITH-THE-CONTENT-OF-prosody-token";
}
reservations_api_timeout = 10
reservations_api_retry_count = 3
reservations_api_retry_delay = 1
-- Pass the meeting's participant limit and lobby to the room when jmb
-- answers with them.
reservations_enable_max_occupants = true
reservations_enable_lobby_support = true
