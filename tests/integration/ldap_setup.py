"""What the LDAP integration tests share: jmbd configured against a slapd
(tests/integration/servers/slapd.py) and logging in through ldap-bind."""
from pathlib import Path

import requests

from conftest import csrf_of

# Values that break naive LDAP filter or DN pasting (RFC 4515 / RFC 4514).
INJECTIONS = ["*", ")(uid=*", "*)(|(uid=*", "\\", "\\2a", "alice)(|(objectClass=*)",
              "alice*", "(uid=alice)", "a,b=c", "cn=admin,dc=example,dc=org", "#x"]
EDITOR_FILTER = "(|(eduPersonAffiliation=employee)(eduPersonAffiliation=faculty)(jmbMayBook=TRUE))"


def ldap_section(server, **overrides):
    keys = {"uri": server.uri, "base": server.base, "bind_dn": server.service_dn,
            "bind_password": server.service_password, "timeout": "2"}
    keys.update(overrides)
    return {k: v for k, v in keys.items() if v is not None}


def ldap_jmbd(jmbd_factory, server, plugins="ldap-bind", ldap=None, booking=None, name="jmbd",
              **sections):
    secs = {"ldap": ldap_section(server, **(ldap or {}))}
    if booking:
        secs["booking"] = booking
    secs.update(sections)
    return jmbd_factory(name=name, plugins=plugins, sections=secs)


def ldap_login(d, login, password, follow=False):
    """POSTs the ldap-bind login form; returns (session, response)."""
    s = requests.Session()
    r = s.get(d.url + "/auth/ldap-bind/login")
    assert r.status_code == 200, r.text
    r = s.post(d.url + "/auth/ldap-bind/login", allow_redirects=follow,
               data={"csrf": csrf_of(r.text), "login": login, "password": password,
                     "next": "/meetings"})
    return s, r


def logged_in(d, login, password=None):
    s, r = ldap_login(d, login, password or f"{login}-password")
    assert r.status_code == 303, r.text
    return s


def trust_headers(login):
    return {"X-Remote-User": login}
