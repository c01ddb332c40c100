/* Messages shown to users. jmbd picks the language per request; plugins hand
 * jmbd message ids (the English text) and jmbd translates them: through the
 * host's translate, render_login_form and render_error (jmb/auth-plugin.h).
 * A message id a plugin uses must be in jmb's catalogues (po/): mark it with
 * N_() so that xgettext finds it. */
#ifndef JMB_PUBLIC_I18N_H
#define JMB_PUBLIC_I18N_H

/* Marks a string for extraction without translating it here. */
#define N_(s) (s)

#endif
