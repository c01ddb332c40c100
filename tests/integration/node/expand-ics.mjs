// Reads an iCalendar text on stdin and prints, as JSON, every occurrence ical.js's own
// recurrence expansion gives each UID: {uid: [{start, end, status}]}, UTC epoch seconds.
// Series are expanded with ICAL.Event's iterator (RRULE, EXDATE) and their VEVENTs with a
// RECURRENCE-ID related to them as exceptions; zoned times are read through the feed's
// own VTIMEZONEs only (ical.js ships no zone database). For tests/integration/
// test_ical_series.py.
import ICAL from 'ical.js';

const MAX = 10000; // no sample series comes near: a runaway expansion fails the test

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function resolved(t, prop) {
  const tzid = prop ? prop.getParameter('tzid') : null;
  if (tzid == null) return t.zone === ICAL.Timezone.utcTimezone;
  return Boolean(t.zone && t.zone.component && t.zone.tzid === tzid);
}

function statusOf(component) {
  const s = component.getFirstPropertyValue('status');
  return s === null ? null : String(s);
}

const vcalendar = new ICAL.Component(ICAL.parse(await readStdin()));
const masters = new Map();
const exceptions = [];
for (const vevent of vcalendar.getAllSubcomponents('vevent')) {
  if (vevent.hasProperty('recurrence-id')) exceptions.push(vevent);
  else masters.set(String(vevent.getFirstPropertyValue('uid')), new ICAL.Event(vevent));
}
for (const vevent of exceptions) {
  const master = masters.get(String(vevent.getFirstPropertyValue('uid')));
  if (!master) throw new Error('an occurrence without its series');
  master.relateException(vevent);
}
const out = {};
for (const [uid, event] of masters) {
  const start = event.component.getFirstProperty('dtstart');
  if (!resolved(event.startDate, start)) throw new Error(`${uid}: zone not resolved`);
  const list = [];
  if (!event.isRecurring()) {
    list.push({ start: event.startDate.toUnixTime(), end: event.endDate.toUnixTime(),
                status: statusOf(event.component) });
  } else {
    const it = event.iterator();
    for (let next = it.next(); next; next = it.next()) {
      if (list.length >= MAX) throw new Error(`${uid}: more than ${MAX} occurrences`);
      const d = event.getOccurrenceDetails(next);
      list.push({ start: d.startDate.toUnixTime(), end: d.endDate.toUnixTime(),
                  status: statusOf(d.item.component) });
    }
  }
  out[uid] = list;
}
process.stdout.write(JSON.stringify(out));
