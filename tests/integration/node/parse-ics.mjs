// Reads an iCalendar text on stdin, parses it with Mozilla's ical.js and prints the
// normalised calendar as JSON (the shape tests/integration/ical_parsers.py documents).
// Times in a zone are resolved only through the feed's own VTIMEZONEs: ical.js ships
// no zone database, so a missing or wrong VTIMEZONE shows as a wrong instant.
import ICAL from 'ical.js';

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function first(comp, name) {
  const prop = comp.getFirstProperty(name);
  return prop ? prop.getFirstValue() : null;
}

function text(comp, name) {
  const v = first(comp, name);
  return v === null ? null : String(v);
}

function mailOf(uri) {
  return uri && uri.toLowerCase().startsWith('mailto:') ? uri.slice(7) : uri;
}

function person(prop) {
  return {
    mail: mailOf(prop.getFirstValue()),
    cn: prop.getParameter('cn') ?? null,
    role: prop.getParameter('role') ?? null,
    partstat: prop.getParameter('partstat') ?? null,
    cutype: prop.getParameter('cutype') ?? null,
  };
}

function pad(n) {
  return String(n).padStart(2, '0');
}

function timeOf(vevent, name) {
  const prop = vevent.getFirstProperty(name);
  if (!prop) return null;
  const t = prop.getFirstValue();
  const tzid = prop.getParameter('tzid') ?? null;
  const local = `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
  // The zone ical.js found for the TZID: one of the feed's VTIMEZONEs, or none.
  const resolved = tzid === null ? t.zone === ICAL.Timezone.utcTimezone
    : Boolean(t.zone && t.zone.component && t.zone.tzid === tzid);
  return {
    utc: resolved ? new Date(t.toUnixTime() * 1000).toISOString().replace('.000Z', '+00:00') : null,
    local,
    tzid,
    resolved,
  };
}

function utcOf(t) {
  return new Date(t.toUnixTime() * 1000).toISOString().replace('.000Z', '+00:00');
}

// RRULE parts sorted by name, so that both parsers' orders compare equal.
function ruleOf(vevent) {
  const rule = first(vevent, 'rrule');
  if (rule === null) return null;
  return rule.toString().split(';').sort().join(';');
}

function exdatesOf(vevent) {
  return vevent.getAllProperties('exdate').flatMap((p) => p.getValues()).map(utcOf);
}

function alarmOf(valarm) {
  const trigger = valarm.getFirstProperty('trigger');
  const value = trigger ? trigger.getFirstValue() : null;
  return {
    action: text(valarm, 'action'),
    trigger_minutes: value instanceof ICAL.Duration ? value.toSeconds() / 60 : null,
    related: trigger ? trigger.getParameter('related') ?? null : null,
    description: text(valarm, 'description'),
  };
}

function eventOf(vevent) {
  const start = timeOf(vevent, 'dtstart');
  const end = timeOf(vevent, 'dtend');
  const rid = timeOf(vevent, 'recurrence-id');
  const organizer = vevent.getFirstProperty('organizer');
  const stamp = first(vevent, 'dtstamp');
  return {
    uid: text(vevent, 'uid'),
    sequence: first(vevent, 'sequence'),
    summary: text(vevent, 'summary'),
    description: text(vevent, 'description'),
    dtstart: start && start.utc,
    dtstart_local: start && start.local,
    dtend: end && end.utc,
    tzid: start && start.tzid,
    tz_resolved: Boolean(start && start.resolved && (!end || end.resolved) && (!rid || rid.resolved)),
    recurrence_id: rid && rid.utc,
    recurrence_id_local: rid && rid.local,
    rrule: ruleOf(vevent),
    exdates: exdatesOf(vevent),
    dtstamp: stamp ? new Date(stamp.toUnixTime() * 1000).toISOString().replace('.000Z', '+00:00') : null,
    status: text(vevent, 'status'),
    url: text(vevent, 'url'),
    location: text(vevent, 'location'),
    organizer: organizer ? person(organizer) : null,
    attendees: vevent.getAllProperties('attendee').map(person),
    alarms: vevent.getAllSubcomponents('valarm').map(alarmOf),
  };
}

function durationMinutes(comp, name) {
  const prop = comp.getFirstProperty(name);
  if (!prop) return null;
  const v = prop.getFirstValue();
  const d = v instanceof ICAL.Duration ? v : ICAL.Duration.fromString(String(v));
  return d.toSeconds() / 60;
}

function valueType(prop) {
  return prop && prop.type !== 'unknown' ? prop.type.toUpperCase() : null;
}

const input = await readStdin();
const vcalendar = new ICAL.Component(ICAL.parse(input));
const result = {
  calendar: {
    prodid: text(vcalendar, 'prodid'),
    version: text(vcalendar, 'version'),
    calscale: text(vcalendar, 'calscale'),
    method: text(vcalendar, 'method'),
    name: text(vcalendar, 'x-wr-calname'),
    refresh_minutes: durationMinutes(vcalendar, 'refresh-interval'),
    // ical.js turns VALUE=DURATION into the property's type (no default for this property)
    refresh_value_type: valueType(vcalendar.getFirstProperty('refresh-interval')),
    published_ttl_minutes: durationMinutes(vcalendar, 'x-published-ttl'),
    timezones: vcalendar.getAllSubcomponents('vtimezone').map((z) => text(z, 'tzid')),
  },
  events: vcalendar.getAllSubcomponents('vevent').map(eventOf),
};
process.stdout.write(JSON.stringify(result));
