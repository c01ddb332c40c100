/* Notifications: the mails of meeting changes, answers and reminders, in the
 * server's default language, each with the recipient's own links and an iMIP
 * calendar part (REQUEST or CANCEL, with the feed's UID and SEQUENCE). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "publish/ical-feed.h"
#include "mailin/reply-address.h"
#include "util/log.h"
#include "publish/mail-message.h"
#include "domain/mailaddr.h"
#include "domain/recurrence.h"
#include "web/rrule-text.h"
#include "util/memory.h"
#include "notify.h"
#include "render.h"
#include "util/strbuf.h"
#include "web/i18n.h"
#include "publish/xmpp.h"

/* What one mail says; rendered as text and as HTML (templates/mail.xhtml). */
struct mail_content {
	const char *subject;
	const char *intro;
	const char *facts[8][2]; /* label, value */
	size_t n_facts;
	const char *links[4][2]; /* label, URL */
	size_t n_links;
	const char *list_title; /* the owner's list of answers */
	const char **list;      /* from the composer's pool */
	size_t n_list;
	const char *quote; /* a person's words passed on (a forwarded reply) */
	const char *kind;  /* what the mail is, for the delivery log (outbox.kind) */
};

/* Headers of a mail besides its content: who the organiser's reply goes to
   when not the organiser, and the envelope sender when not the meeting's
   usual one (an invitee's reply address: their bounces come back to jmb). */
struct mail_envelope {
	const char *sender;
	const char *reply_to;
	bool auto_replied; /* a mail passed on in answer to another */
};

/* What an update changed, to be said in the recipient's language. */
struct changes {
	const struct jmb_meeting *before, *after;
	const struct jmb_attendee *old_a, *new_a; /* the recipient invitee; NULL: organiser */
};

struct composer {
	const struct jmbd_runtime *rt;
	struct jmb_store *store; /* for the recipients' languages; NULL: none known */
	const struct jmb_meeting *languages_of; /* whose people's languages users holds */
	struct jmb_user_language_list users;
	struct jmb_pool *pool;
	const char *lang;
	time_t now;
	struct jmb_side_effects *fx;
	size_t cap;
	/* A mail about one occurrence of a series: the facts show it and the
	   iMIP part holds it alone, with its RECURRENCE-ID. NULL otherwise. */
	const struct jmb_occurrence *occ;
};

static const char *t(struct composer *c, const char *msgid) __attribute__((format_arg(2)));

static const char *t(struct composer *c, const char *msgid)
{
	return jmb_tr(c->rt->i18n, c->lang, msgid);
}

/* "Label: value", with the punctuation of the recipient's language
   (French puts a space before the colon). */
static const char *pair(struct composer *c, const char *label, const char *value)
{
	/* TRANSLATORS: a label and its value, as in "When: Tuesday 5 January". */
	return jmb_pool_printf(c->pool, t(c, N_("%s: %s")), label, value);
}

/* A title as quoted in running text. */
static const char *quoted(struct composer *c, const char *text)
{
	/* TRANSLATORS: quotation marks around a meeting title. */
	return jmb_pool_printf(c->pool, t(c, N_("“%s”")), text);
}

static void fact(struct mail_content *mc, const char *label, const char *value)
{
	if (mc->n_facts < 8 && value != NULL && *value != '\0') {
		mc->facts[mc->n_facts][0] = label;
		mc->facts[mc->n_facts][1] = value;
		mc->n_facts++;
	}
}

static void link(struct mail_content *mc, const char *label, const char *url)
{
	if (mc->n_links < 4) {
		mc->links[mc->n_links][0] = label;
		mc->links[mc->n_links][1] = url;
		mc->n_links++;
	}
}

static char *render_text(struct composer *c, const struct mail_content *mc)
{
	struct jmb_strbuf sb = {0};

	jmb_strbuf_printf(&sb, "%s\n\n", mc->intro);
	if (mc->quote != NULL) {
		for (const char *line = mc->quote; *line != '\0';) {
			size_t n = strcspn(line, "\n");
			jmb_strbuf_printf(&sb, "> %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
		}
		jmb_strbuf_putc(&sb, '\n');
	}
	for (size_t i = 0; i < mc->n_facts; i++)
		jmb_strbuf_printf(&sb, "%s\n", pair(c, mc->facts[i][0], mc->facts[i][1]));
	if (mc->list_title != NULL) {
		jmb_strbuf_printf(&sb, "\n%s\n", mc->list_title);
		for (size_t i = 0; i < mc->n_list; i++)
			jmb_strbuf_printf(&sb, "  - %s\n", mc->list[i]);
	}
	jmb_strbuf_putc(&sb, '\n');
	for (size_t i = 0; i < mc->n_links; i++)
		jmb_strbuf_printf(&sb, "%s\n  %s\n", mc->links[i][0], mc->links[i][1]);
	jmb_strbuf_puts(&sb, "\n-- \njmb\n");
	return jmb_strbuf_steal(&sb, NULL);
}

static char *render_html(struct composer *c, const struct mail_content *mc)
{
	json_t *facts = json_array(), *links = json_array(), *list = json_array();
	struct jmb_error error;
	char *html;
	json_t *model;

	for (size_t i = 0; i < mc->n_facts; i++)
		json_array_append_new(facts, json_pack("{s:s, s:s}", "label", mc->facts[i][0],
		                                       "value", mc->facts[i][1]));
	for (size_t i = 0; i < mc->n_links; i++)
		json_array_append_new(links, json_pack("{s:s, s:s}", "label", mc->links[i][0],
		                                       "url", mc->links[i][1]));
	for (size_t i = 0; i < mc->n_list; i++)
		json_array_append_new(list, json_string(mc->list[i]));
	model = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s?, s:s?}", "lang", c->lang, "intro",
	                  mc->intro, "facts", facts, "links", links, "list", list, "list_title",
	                  mc->list_title, "quote", mc->quote);
	html =
	    jmb_views_render_bare(c->rt->views, "mail", model, c->rt->i18n, c->lang, NULL, &error);
	json_decref(model);
	if (html == NULL) {
		jmb_log(JMB_LOG_ERROR, "mail_html", "error", error.text, NULL);
	}
	return html;
}

/* The iMIP part for the recipient whose addresses are mails (login may be
 * NULL), in the composer's pool. */
static const char *imip(struct composer *c, const struct jmb_meeting *m, const char *login,
                        const char *mail, const char *method, const char *organizer)
{
	const char *mails[] = {mail, NULL};
	const struct jmb_meeting *items[] = {m};
	struct jmb_meeting_list list = {.items = (struct jmb_meeting **)items, .count = 1};
	struct jmb_feed_options o = {
	    .public_url = c->rt->settings.server.public_url,
	    .join_label = t(c, N_("Join the meeting:")),
	    .now = c->now,
	    .method = method,
	    .organizer_mail = organizer,
	    .has_occurrence = c->occ != NULL,
	    .occurrence_id = c->occ != NULL ? c->occ->recurrence_id : 0,
	};
	size_t len = 0;
	char *text = jmb_ical_feed(&o, &list, login != NULL ? login : "", mails, &len);
	const char *copy = text != NULL ? jmb_pool_strdup(c->pool, text) : NULL;

	free(text);
	return copy;
}

/* The invitee's reply address, rsvp+<reply token>@domain, when [mail]
 * reply_address is set (NULL otherwise, or for an invitee booked before reply
 * tokens existed whose meeting was not saved since). */
static const char *reply_address(struct composer *c, const struct jmb_attendee *a)
{
	const struct jmb_mail_settings *ms = &c->rt->settings.mail;

	return jmb_reply_address(c->pool, ms->reply_address, ms->recipient_delimiter,
	                         a->reply_token);
}

/* Envelope sender: the organiser when their domain is the institution's
 * (their SPF allows our MTA), else [mail] from, as the legacy system did. */
static const char *envelope_sender(struct composer *c, const struct jmb_meeting *m)
{
	const struct jmb_mail_settings *ms = &c->rt->settings.mail;
	const char *at = strrchr(m->owner.mail, '@');

	for (size_t i = 0; at != NULL && ms->local_domains[i] != NULL; i++) {
		if (strcasecmp(at + 1, ms->local_domains[i]) == 0)
			return m->owner.mail;
	}
	return ms->from;
}

static void queue(struct composer *c, const struct jmb_meeting *m, const char *to_name,
                  const char *to, const struct mail_content *mc, const char *calendar,
                  const char *method, const struct mail_envelope *env)
{
	const struct jmb_mail_settings *ms = &c->rt->settings.mail;
	char *text = render_text(c, mc), *html = render_html(c, mc);
	struct jmb_error error;
	struct jmb_mail_message msg = {
	    .from_name = *ms->from_name != '\0' ? ms->from_name : m->owner.name,
	    .from = ms->from,
	    .to_name = to_name,
	    .to = to,
	    .reply_to = env != NULL && env->reply_to != NULL ? env->reply_to : m->owner.mail,
	    .auto_replied = env != NULL && env->auto_replied,
	    .subject = mc->subject,
	    .id_domain = c->rt->uid_domain,
	    .date = c->now,
	    .text = text,
	    .html = html,
	    .calendar = calendar,
	    .calendar_method = method,
	};
	char *bytes = jmb_mail_message_render(&msg, &error);

	free(text);
	free(html);
	if (bytes == NULL) {
		jmb_log(JMB_LOG_WARNING, "mail_not_queued", "to", to, "error", error.text, NULL);
		return;
	}
	if (c->fx->n_mails == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		struct jmb_outbox_mail *grown = jmb_pool_calloc(c->pool, ncap, sizeof(*grown));
		if (c->fx->n_mails > 0)
			memcpy(grown, c->fx->mails, c->fx->n_mails * sizeof(*grown));
		c->fx->mails = grown;
		c->cap = ncap;
	}
	struct jmb_outbox_mail *out = (struct jmb_outbox_mail *)&c->fx->mails[c->fx->n_mails++];
	out->sender = env != NULL && env->sender != NULL ? env->sender : envelope_sender(c, m);
	out->recipient = jmb_pool_strdup(c->pool, to);
	out->kind = mc->kind;
	out->message = jmb_pool_strdup(c->pool, bytes);
	out->message_len = strlen(bytes);
	free(bytes);
}

static bool mail_enabled(const struct jmbd_runtime *rt)
{
	return *rt->settings.mail.transport != '\0';
}

/* A composer for one notification, with fx emptied; false when mail is off
   (fx then stays empty). */
static bool composer_start(struct composer *c, const struct jmbd_runtime *rt,
                           struct jmb_store *store, struct jmb_pool *pool, time_t now,
                           struct jmb_side_effects *fx)
{
	*c = (struct composer){.rt = rt,
	                       .store = store,
	                       .pool = pool,
	                       .now = now,
	                       .fx = fx,
	                       .lang = rt->settings.server.default_language};
	memset(fx, 0, sizeof(*fx));
	fx->now = now;
	return mail_enabled(rt);
}

static const char *when_text(struct composer *c, const struct jmb_meeting *m)
{
	return jmb_pool_printf(c->pool, "%s – %s (%s)",
	                       format_datetime_lang(c->rt, c->lang, c->pool, m->start, m->timezone),
	                       format_clock_pool(c->pool, m->end, m->timezone), m->timezone);
}

static void meeting_facts(struct composer *c, struct mail_content *mc, const struct jmb_meeting *m)
{
	struct jmb_meeting at;

	if (c->occ != NULL) {
		jmb_meeting_at(&at, m, c->occ);
		m = &at;
	}
	fact(mc, t(c, N_("Title")), m->title);
	fact(mc, t(c, N_("When")), when_text(c, m));
	/* A series says its rule in words, unless the mail is about one
	   occurrence (m is then that occurrence's view). */
	if (m->recurrence != NULL && c->occ == NULL)
		fact(mc, t(c, N_("Repeats")),
		     jmb_rrule_describe(c->pool, c->rt->i18n, c->lang, m->recurrence, m->start,
		                        m->timezone));
	fact(mc, t(c, N_("Organiser")),
	     jmb_pool_printf(c->pool, "%s <%s>",
	                     *m->owner.name != '\0' ? m->owner.name : m->owner.mail,
	                     m->owner.mail));
	fact(mc, t(c, N_("Description")), m->description);
}

static const char *meeting_url(struct composer *c, const struct jmb_meeting *m)
{
	return jmb_pool_printf(c->pool, "%s/meetings/%lld", c->rt->settings.server.public_url,
	                       (long long)m->id);
}

static const char *subject(struct composer *c, const char *what, const struct jmb_meeting *m)
{
	return pair(c, t(c, what), m->title);
}

/* What a mail is to calendar clients. A reminder carries no calendar part:
 * the invitation already put the event in the recipient's calendar, and any
 * iTIP part would ask their client to process it again (Thunderbird and
 * Outlook offer "Accept" for a REQUEST and "Add" for a PUBLISH). */
enum mail_kind { MAIL_REQUEST, MAIL_CANCEL, MAIL_REMINDER };

/* What a meeting mail is, for the delivery log: first is what a REQUEST
   without changes is ("invitation" to an invitee, "booked" to the owner). */
static const char *kind_name(enum mail_kind kind, const struct changes *ch, const char *first)
{
	if (kind == MAIL_CANCEL)
		return "cancellation";
	if (kind == MAIL_REMINDER)
		return "reminder";
	return ch != NULL ? "update" : first;
}

/* The mail of one invitee: invitation or update (REQUEST), cancellation or reminder. */
/* The language of a mail to the user login or address mail: their own
   choice when they use jmb, else fallback, else the server's. */
static const char *language_for(struct composer *c, const char *login, const char *mail,
                                const char *fallback)
{
	for (size_t i = 0; i < c->users.count; i++) {
		const struct jmb_user_language *u = &c->users.items[i];
		if (((login != NULL && strcmp(u->login, login) == 0) ||
		     (mail != NULL && strcasecmp(u->mail, mail) == 0)) &&
		    jmb_i18n_known_language(u->language))
			return jmb_i18n_known_language(u->language);
	}
	if (jmb_i18n_known_language(fallback))
		return jmb_i18n_known_language(fallback);
	return c->rt->settings.server.default_language;
}

/* Reads, once per notification, the languages m's people chose. */
static void load_languages(struct composer *c, const struct jmb_meeting *m)
{
	const char **mails = jmb_pool_calloc(c->pool, m->n_attendees + 2, sizeof(*mails));
	struct jmb_error error;
	size_t n = 0;

	if (c->store == NULL || c->languages_of == m)
		return;
	c->languages_of = m;
	mails[n++] = m->owner.mail;
	for (size_t i = 0; i < m->n_attendees; i++)
		mails[n++] = m->attendees[i].mail;
	if (jmb_store_user_languages(c->store, c->pool, m->owner.login, mails, n, &c->users,
	                             &error) != JMB_STORE_OK) {
		/* Mails still go out, in the languages the meeting knows. */
		jmb_log(JMB_LOG_WARNING, "mail_languages", "error", error.text, NULL);
		c->users.count = 0;
	}
}

static const char *owner_language(struct composer *c, const struct jmb_meeting *m)
{
	load_languages(c, m);
	return language_for(c, m->owner.login, m->owner.mail, m->language);
}

/* A logged-in user's choice, else the language they last used on their
   invitation page, else the organiser's at booking time. */
static const char *invitee_language(struct composer *c, const struct jmb_meeting *m,
                                    const struct jmb_attendee *a)
{
	load_languages(c, m);
	return language_for(c, NULL, a->mail,
	                    a->language != NULL && *a->language ? a->language : m->language);
}

static void invitee_mail_in(struct composer *c, const struct jmb_meeting *m,
                            const struct jmb_attendee *a, const char *what, const char *intro,
                            enum mail_kind kind, const struct changes *ch);
static const char *what_changed(struct composer *c, const struct jmb_meeting *before,
                                const struct jmb_meeting *after, const struct jmb_attendee *old_a,
                                const struct jmb_attendee *new_a);

static void invitee_mail(struct composer *c, const struct jmb_meeting *m,
                         const struct jmb_attendee *a, const char *what, const char *intro,
                         enum mail_kind kind, const struct changes *ch)
{
	const char *saved = c->lang;

	c->lang = invitee_language(c, m, a);
	invitee_mail_in(c, m, a, what, intro, kind, ch);
	c->lang = saved;
}

static void invitee_mail_in(struct composer *c, const struct jmb_meeting *m,
                            const struct jmb_attendee *a, const char *what, const char *intro,
                            enum mail_kind kind, const struct changes *ch)
{
	bool cancel = kind == MAIL_CANCEL;
	const char *base = c->rt->settings.server.public_url;
	struct mail_content mc = {.subject = subject(c, what, m),
	                          .intro = t(c, intro),
	                          .kind = kind_name(kind, ch, "invitation")};
	struct jmb_meeting *view = jmb_pool_alloc(c->pool, sizeof(*view));
	const char *reply = reply_address(c, a);
	struct mail_envelope env = {.sender = reply};

	*view = *m;
	view->attendees = (struct jmb_attendee *)a;
	view->n_attendees = 1;
	if (cancel && view->deleted == 0)
		view->deleted = c->now; /* a removed invitee sees it cancelled */
	if (ch != NULL)
		fact(&mc, t(c, N_("What changed")),
		     what_changed(c, ch->before, ch->after, ch->old_a, ch->new_a));
	meeting_facts(c, &mc, m);
	fact(&mc, t(c, N_("Your role")),
	     t(c, a->role == JMB_ROLE_MODERATOR ? N_("Moderator") : N_("Guest")));
	if (!cancel) {
		link(&mc, t(c, N_("Join the meeting (your personal link, do not share it):")),
		     jmb_pool_printf(c->pool, "%s/j/%s", base, a->token));
		link(&mc, t(c, N_("Accept or decline:")),
		     jmb_pool_printf(c->pool, "%s/r/%s", base, a->token));
		link(&mc, t(c, N_("Add to my calendar:")),
		     jmb_pool_printf(c->pool, "%s/r/%s.ics", base, a->token));
	}
	if (kind == MAIL_REMINDER)
		queue(c, m, a->name, a->mail, &mc, NULL, NULL, &env);
	else
		queue(c, m, a->name, a->mail, &mc,
		      imip(c, view, NULL, a->mail, cancel ? "CANCEL" : "REQUEST", reply),
		      cancel ? "CANCEL" : "REQUEST", &env);
}

static const char *answer_line(struct composer *c, const struct jmb_attendee *a)
{
	const char *status = partstat_label(a->status);
	return pair(
	    c,
	    jmb_pool_printf(c->pool, "%s (%s)", a->mail,
	                    t(c, a->role == JMB_ROLE_MODERATOR ? N_("Moderator") : N_("Guest"))),
	    t(c, status));
}

static void owner_mail_in(struct composer *c, const struct jmb_meeting *m, const char *what,
                          const char *intro, enum mail_kind kind, const struct changes *ch);

static void owner_mail(struct composer *c, const struct jmb_meeting *m, const char *what,
                       const char *intro, enum mail_kind kind, const struct changes *ch)
{
	const char *saved = c->lang;

	c->lang = owner_language(c, m);
	owner_mail_in(c, m, what, intro, kind, ch);
	c->lang = saved;
}

static void owner_mail_in(struct composer *c, const struct jmb_meeting *m, const char *what,
                          const char *intro, enum mail_kind kind, const struct changes *ch)
{
	bool cancel = kind == MAIL_CANCEL;
	const char *base = c->rt->settings.server.public_url;
	struct mail_content mc = {.subject = subject(c, what, m),
	                          .intro = t(c, intro),
	                          .kind = kind_name(kind, ch, "booked")};

	if (ch != NULL)
		fact(&mc, t(c, N_("What changed")),
		     what_changed(c, ch->before, ch->after, NULL, NULL));
	meeting_facts(c, &mc, m);
	/* Every invitee, however many the [booking] limits allow. */
	mc.list_title = m->n_attendees > 0 ? t(c, N_("Invitees")) : NULL;
	mc.list = jmb_pool_calloc(c->pool, m->n_attendees + 1, sizeof(*mc.list));
	for (size_t i = 0; i < m->n_attendees; i++)
		mc.list[mc.n_list++] = answer_line(c, &m->attendees[i]);
	if (!cancel) {
		link(&mc, t(c, N_("Start the meeting:")),
		     jmb_pool_printf(c->pool, "%s/start/%s", base, m->room));
		/* A new meeting has no id before it is stored: link the list. */
		link(&mc, t(c, N_("Manage your meetings:")),
		     jmb_pool_printf(c->pool, "%s/meetings", base));
		if (m->id != 0)
			link(&mc, t(c, N_("Add to my calendar:")),
			     jmb_pool_printf(c->pool, "%s/meetings/%lld.ics", base,
			                     (long long)m->id));
	}
	/* The organiser's own copy is published, not an invitation to answer. */
	if (kind == MAIL_REMINDER)
		queue(c, m, m->owner.name, m->owner.mail, &mc, NULL, NULL, NULL);
	else
		queue(c, m, m->owner.name, m->owner.mail, &mc,
		      imip(c, m, m->owner.login, m->owner.mail, cancel ? "CANCEL" : NULL, NULL),
		      cancel ? "CANCEL" : "PUBLISH", NULL);
}

static const struct jmb_attendee *find_attendee(const struct jmb_meeting *m, const char *mail)
{
	for (size_t i = 0; m != NULL && i < m->n_attendees; i++) {
		if (strcmp(m->attendees[i].mail, mail) == 0)
			return &m->attendees[i];
	}
	return NULL;
}

static const struct jmb_attendee *find_attendee(const struct jmb_meeting *m, const char *mail);

static const char *role_name(struct composer *c, enum jmb_role role)
{
	return t(c, role == JMB_ROLE_MODERATOR ? N_("Moderator") : N_("Guest"));
}

/* The invitees of a who are not in b, as "x@y, z@w" ("" for none). */
static const char *invitees_not_in(struct composer *c, const struct jmb_meeting *a,
                                   const struct jmb_meeting *b)
{
	const char *list = "";

	for (size_t i = 0; i < a->n_attendees; i++) {
		if (find_attendee(b, a->attendees[i].mail) == NULL)
			list = jmb_pool_printf(c->pool, "%s%s%s", list, *list ? ", " : "",
			                       a->attendees[i].mail);
	}
	return list;
}

/* What an update changed, one line each, for the "What changed" fact: the
   time, the title, the description, the recipient's role (invitee) or who
   was invited or dropped (organiser, old_a and new_a NULL). */
static const char *what_changed(struct composer *c, const struct jmb_meeting *before,
                                const struct jmb_meeting *after, const struct jmb_attendee *old_a,
                                const struct jmb_attendee *new_a)
{
	const char *text = "", *added, *removed;

	if (before->start != after->start || before->duration != after->duration ||
	    strcmp(before->timezone, after->timezone) != 0)
		text =
		    jmb_pool_printf(c->pool, "%s%s\n", text,
		                    pair(c, t(c, N_("When")),
		                         jmb_pool_printf(c->pool, "%s → %s", when_text(c, before),
		                                         when_text(c, after))));
	if (strcmp(before->title, after->title) != 0)
		text = jmb_pool_printf(
		    c->pool, "%s%s\n", text,
		    pair(c, t(c, N_("Title")),
		         jmb_pool_printf(c->pool, "%s → %s", quoted(c, before->title),
		                         quoted(c, after->title))));
	if (strcmp(before->description, after->description) != 0)
		text =
		    jmb_pool_printf(c->pool, "%s%s\n", text, t(c, N_("The description changed.")));
	if (old_a != NULL && new_a != NULL && old_a->role != new_a->role)
		text = jmb_pool_printf(
		    c->pool, "%s%s\n", text,
		    pair(c, t(c, N_("Your role")),
		         jmb_pool_printf(c->pool, "%s → %s", role_name(c, old_a->role),
		                         role_name(c, new_a->role))));
	if (old_a == NULL && *(added = invitees_not_in(c, after, before)) != '\0')
		text = jmb_pool_printf(c->pool, "%s%s\n", text,
		                       pair(c, t(c, N_("Newly invited")), added));
	if (old_a == NULL && *(removed = invitees_not_in(c, before, after)) != '\0')
		text = jmb_pool_printf(c->pool, "%s%s\n", text,
		                       pair(c, t(c, N_("No longer invited")), removed));
	return text;
}

/* A series' rule or its overrides changed. */
static bool series_changed(const struct jmb_meeting *a, const struct jmb_meeting *b)
{
	if ((a->recurrence == NULL) != (b->recurrence == NULL) ||
	    (a->recurrence != NULL && strcmp(a->recurrence, b->recurrence) != 0) ||
	    a->n_overrides != b->n_overrides)
		return true;
	for (size_t i = 0; i < a->n_overrides; i++) {
		const struct jmb_override *x = &a->overrides[i], *y = &b->overrides[i];

		if (x->recurrence_id != y->recurrence_id || x->start != y->start ||
		    x->duration != y->duration || x->cancelled != y->cancelled)
			return true;
	}
	return false;
}

static bool meeting_changed(const struct jmb_meeting *a, const struct jmb_meeting *b)
{
	return strcmp(a->title, b->title) != 0 || strcmp(a->description, b->description) != 0 ||
	       a->start != b->start || a->duration != b->duration ||
	       strcmp(a->timezone, b->timezone) != 0 || series_changed(a, b);
}

/* The reminders still to come, for every occurrence of a series: mails
   before the start and, when [xmpp] is set, messages in the room before the end. */
static void plan_reminders(struct composer *c, const struct jmb_meeting *m)
{
	size_t n = 0;

	c->fx->reminders = jmb_reminder_plan(c->pool, m, &c->rt->settings.reminders,
	                                     jmb_xmpp_enabled(&c->rt->settings.xmpp), c->now, &n);
	c->fx->n_reminders = n;
}

void notify_meeting_change(struct jmbd *d, struct jmb_pool *pool, enum notify_change change,
                           const struct jmb_meeting *before, const struct jmb_meeting *after,
                           time_t now, struct jmb_side_effects *fx)
{
	struct composer c;
	bool mail = composer_start(&c, d->rt, d->store, pool, now, fx);

	if (after != NULL)
		plan_reminders(&c, after);
	if (!mail)
		return;
	if (change == NOTIFY_DELETED) {
		owner_mail(&c, before, N_("Cancelled"), N_("This meeting was cancelled."),
		           MAIL_CANCEL, NULL);
		for (size_t i = 0; i < before->n_attendees; i++)
			invitee_mail(&c, before, &before->attendees[i], N_("Cancelled"),
			             N_("This meeting was cancelled."), MAIL_CANCEL, NULL);
		return;
	}
	bool changed = before == NULL || meeting_changed(before, after);
	if (change == NOTIFY_CREATED)
		owner_mail(&c, after, N_("Meeting booked"), N_("Your meeting is booked."),
		           MAIL_REQUEST, NULL);
	for (size_t i = 0; i < after->n_attendees; i++) {
		const struct jmb_attendee *a = &after->attendees[i],
		                          *old = find_attendee(before, a->mail);
		if (old == NULL)
			invitee_mail(&c, after, a, N_("Invitation"),
			             N_("You are invited to a video meeting."), MAIL_REQUEST, NULL);
		else if (changed || old->role != a->role)
			invitee_mail(&c, after, a, N_("Meeting changed"),
			             N_("A meeting you are invited to has changed."), MAIL_REQUEST,
			             &(struct changes){before, after, old, a});
	}
	/* A removed invitee's CANCEL must carry the meeting's new SEQUENCE, or
	   their calendar ignores it as older than the event it holds. */
	struct jmb_meeting *gone = before != NULL ? jmb_pool_alloc(pool, sizeof(*gone)) : NULL;
	if (gone != NULL) {
		*gone = *before;
		gone->sequence = after->sequence;
	}
	for (size_t i = 0; before != NULL && i < before->n_attendees; i++) {
		if (find_attendee(after, before->attendees[i].mail) == NULL)
			invitee_mail(&c, gone, &before->attendees[i], N_("Cancelled"),
			             N_("You are no longer invited to this meeting."), MAIL_CANCEL,
			             NULL);
	}
	if (change == NOTIFY_UPDATED && changed)
		owner_mail(&c, after, N_("Meeting changed"), N_("Your meeting was changed."),
		           MAIL_REQUEST, &(struct changes){before, after, NULL, NULL});
}

void notify_occurrence_change(struct jmbd *d, struct jmb_pool *pool,
                              const struct jmb_meeting *before, const struct jmb_meeting *after,
                              const struct jmb_occurrence *was, const struct jmb_occurrence *now_is,
                              time_t now, struct jmb_side_effects *fx)
{
	struct composer c;
	bool mail = composer_start(&c, d->rt, d->store, pool, now, fx);
	struct jmb_meeting *old_at = jmb_pool_alloc(pool, sizeof(*old_at)),
	                   *new_at = jmb_pool_alloc(pool, sizeof(*new_at));
	bool cancel = now_is->cancelled;

	plan_reminders(&c, after);
	if (!mail)
		return;
	c.occ = now_is;
	jmb_meeting_at(old_at, before, was);
	jmb_meeting_at(new_at, after, now_is);
	for (size_t i = 0; i < after->n_attendees; i++) {
		const struct jmb_attendee *a = &after->attendees[i];

		if (cancel)
			invitee_mail(
			    &c, after, a, N_("Cancelled"),
			    N_("One occurrence of a series you are invited to is cancelled."),
			    MAIL_CANCEL, NULL);
		else
			invitee_mail(
			    &c, after, a, N_("Meeting changed"),
			    N_("One occurrence of a series you are invited to has changed."),
			    MAIL_REQUEST, &(struct changes){old_at, new_at, a, a});
	}
	if (cancel)
		owner_mail(&c, after, N_("Cancelled"),
		           N_("One occurrence of your series is cancelled."), MAIL_CANCEL, NULL);
	else
		owner_mail(&c, after, N_("Meeting changed"),
		           N_("One occurrence of your series has changed."), MAIL_REQUEST,
		           &(struct changes){old_at, new_at, NULL, NULL});
}

void notify_answer(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                   const struct jmb_meeting *m, const struct jmb_attendee *a,
                   enum jmb_partstat answer, time_t now, struct jmb_side_effects *fx)
{
	struct composer c;
	struct jmb_attendee answered = *a;
	const char *what = partstat_label(answer);

	if (!composer_start(&c, rt, store, pool, now, fx) || !rt->settings.mail.notify_organiser)
		return;
	c.lang = owner_language(&c, m);
	answered.status = answer;
	struct mail_content mc = {
	    .subject = pair(&c, t(&c, what), jmb_pool_printf(pool, "%s — %s", a->mail, m->title)),
	    .intro = jmb_pool_printf(pool, "%s", answer_line(&c, &answered)),
	    .kind = "answer",
	};
	meeting_facts(&c, &mc, m);
	link(&mc, t(&c, N_("See who answered:")), meeting_url(&c, m));
	queue(&c, m, m->owner.name, m->owner.mail, &mc, NULL, NULL, NULL);
}

void notify_bounce(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                   const struct jmb_meeting *m, const struct jmb_attendee *a,
                   const char *diagnostic, time_t now, struct jmb_side_effects *fx)
{
	struct composer c;

	if (!composer_start(&c, rt, store, pool, now, fx))
		return;
	c.lang = owner_language(&c, m);
	struct mail_content mc = {
	    .subject = pair(&c, t(&c, N_("Not delivered")),
	                    jmb_pool_printf(pool, "%s — %s", a->mail, m->title)),
	    .intro = jmb_pool_printf(
	        pool, t(&c, N_("The invitation to %s could not be delivered.")), a->mail),
	    .kind = "bounce",
	};
	fact(&mc, t(&c, N_("Reason")), diagnostic);
	meeting_facts(&c, &mc, m);
	link(&mc, t(&c, N_("Check the address on the meeting page:")), meeting_url(&c, m));
	queue(&c, m, m->owner.name, m->owner.mail, &mc, NULL, NULL, NULL);
}

void notify_forward(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                    const struct jmb_meeting *m, const struct jmb_attendee *a,
                    const struct notify_forwarded *mail, time_t now, struct jmb_side_effects *fx)
{
	struct composer c;
	/* The organiser's answer goes to the person who wrote, when their
	   address is one a mail can be sent to; else to the invitee's. */
	struct mail_envelope env = {
	    .reply_to = mail->from != NULL && jmb_mail_is_valid(mail->from) ? mail->from : a->mail,
	    .auto_replied = true,
	};
	const char *who = *mail->from_name != '\0' ? mail->from_name : env.reply_to;

	if (!composer_start(&c, rt, store, pool, now, fx))
		return;
	c.lang = owner_language(&c, m);
	struct mail_content mc = {
	    .subject =
	        pair(&c, t(&c, N_("Reply")), *mail->subject != '\0' ? mail->subject : m->title),
	    .intro = jmb_pool_printf(pool, t(&c, N_("%s wrote about your meeting:")), who),
	    .quote = mail->text != NULL && *mail->text != '\0'
	                 ? mail->text
	                 : t(&c, N_("(The mail has no text.)")),
	    .kind = "forward",
	};
	meeting_facts(&c, &mc, m);
	link(&mc, t(&c, N_("See the meeting:")), meeting_url(&c, m));
	queue(&c, m, m->owner.name, m->owner.mail, &mc, NULL, NULL, &env);
}

void notify_reminder(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                     const struct jmb_meeting *m, time_t recurrence_id, time_t now,
                     struct jmb_side_effects *fx)
{
	struct composer c;
	struct jmb_meeting *occ = jmb_pool_alloc(pool, sizeof(*occ));

	if (!composer_start(&c, rt, store, pool, now, fx))
		return;
	/* Everyone's answer for this occurrence: the owner's list shows it, and
	   whoever declined it (or the series, not accepting it) gets nothing. */
	*occ = *m;
	occ->attendees = jmb_pool_calloc(pool, m->n_attendees + 1, sizeof(*occ->attendees));
	for (size_t i = 0; i < m->n_attendees; i++) {
		occ->attendees[i] = m->attendees[i];
		occ->attendees[i].status = jmb_attendee_answer_for(&m->attendees[i], recurrence_id);
	}
	owner_mail(&c, occ, N_("Reminder"), N_("Your meeting starts soon."), MAIL_REMINDER, NULL);
	for (size_t i = 0; i < occ->n_attendees; i++) {
		if (occ->attendees[i].status != JMB_PARTSTAT_DECLINED)
			invitee_mail(&c, occ, &occ->attendees[i], N_("Reminder"),
			             N_("A meeting you are invited to starts soon."), MAIL_REMINDER,
			             NULL);
	}
}

void notify_invitation_again(const struct jmbd_runtime *rt, struct jmb_store *store,
                             struct jmb_pool *pool, const struct jmb_meeting *m,
                             const struct jmb_attendee *a, time_t now, struct jmb_side_effects *fx)
{
	struct composer c;

	if (composer_start(&c, rt, store, pool, now, fx))
		invitee_mail(&c, m, a, N_("Invitation"), N_("You are invited to a video meeting."),
		             MAIL_REQUEST, NULL);
}
