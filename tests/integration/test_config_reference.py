"""The configuration keys jmb knows, the manual page jmb.conf(5) and the sample
etc/jmb.conf.sample name the same keys in the same sections: a key cannot be
added to the code and forgotten in one of them, nor documented after it is gone.

The keys are read from the key tables of the code (src/lib/config/settings.c
and each plugin's table), as jmbd applies them."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEY = re.compile(r'^\s*\{"([a-z_]+)",\s*JMB_CONF_([A-Z]+),', re.M)


def tables(path):
    """{table variable: {key: type}} of one C file."""
    text = path.read_text()
    found = {}
    for m in re.finditer(r"static const struct jmb_config_key (\w+)\[\] = \{(.*?)\n\};", text,
                         re.S):
        found[m.group(1)] = {k: t for k, t in KEY.findall(m.group(2))}
    return text, found


def code_keys():
    keys = {}
    text, found = tables(REPO / "src/lib/config/settings.c")
    applied = r'(?:jmb_config_apply|apply_section)\(\s*file,\s*"([a-z.-]+)",\s*(\w+)'
    for section, table in re.findall(applied, text):
        keys[section] = found[table]
    for plugin in sorted((REPO / "plugins").iterdir()):
        for src in plugin.glob("auth-*.c"):
            text, found = tables(src)
            name = re.search(r'\.name = "([a-z-]+)"', text)
            table = re.search(r"\.config_keys = (\w+)", text)
            if name and table:
                keys[f"auth.{name.group(1)}"] = found[table.group(1)]
    return keys


def term_keys(line):
    """The key names of a .TP term line: ".B a", ".BR a " (or " b ,",
    ".B a\\fR, \\fBb" (bold words; quoted text is roman)."""
    if not line.startswith((".B ", ".BR ")):
        return set()
    text = re.sub(r'"[^"]*"', " ", line.split(" ", 1)[1])
    text = re.sub(r"\\f[BRIP]", " ", text)
    return set(re.findall(r"\b[a-z][a-z_]*[a-z]\b", text))


def man_keys():
    keys, section = {}, None
    lines = (REPO / "doc/jmb.conf.5").read_text().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'^\.S[HS] "\[([a-z.-]+)\]"', line)
        if m:
            section = m.group(1)
            keys[section] = set()
        elif line.startswith(".S"):
            section = None
        elif section and line == ".TP" and i + 1 < len(lines):
            keys[section] |= term_keys(lines[i + 1])
    return keys


def sample_keys():
    keys, section = {}, None
    for line in (REPO / "etc/jmb.conf.sample").read_text().splitlines():
        m = re.match(r"^#?\s*\[([a-z.-]+)\]\s*$", line)
        if m:
            section = m.group(1)
            keys.setdefault(section, set())
            continue
        m = re.match(r"^#?([a-z_]+) =", line)
        if m and section:
            keys[section].add(m.group(1))
    return keys


def known(code, section, key):
    """key, or <secret key>_file, is a key of section."""
    table = code.get(section, {})
    return key in table or (key.endswith("_file") and table.get(key[:-5]) == "SECRET")


def test_the_code_has_key_tables_to_compare():
    code = code_keys()
    assert {"server", "store", "auth", "booking", "jitsi", "mail", "reminders", "ldap",
            "metrics", "xmpp", "auth.local", "auth.header-trust"} <= set(code), sorted(code)
    assert "listen" in code["server"] and "users_file" in code["auth.local"]


def test_every_key_is_in_the_manual_page_and_no_other():
    code, man = code_keys(), man_keys()
    missing = sorted(f"[{s}] {k}" for s, table in code.items() for k in table
                     if k not in man.get(s, set()))
    unknown = sorted(f"[{s}] {k}" for s, ks in man.items() for k in ks if not known(code, s, k))
    assert not missing, f"not in jmb.conf(5): {missing}"
    assert not unknown, f"in jmb.conf(5) but not in the code: {unknown}"


def test_every_key_is_in_the_sample_and_no_other():
    code, sample = code_keys(), sample_keys()
    missing = sorted(f"[{s}] {k}" for s, table in code.items() for k in table
                     if k not in sample.get(s, set())
                     and f"{k}_file" not in sample.get(s, set()))
    unknown = sorted(f"[{s}] {k}" for s, ks in sample.items() for k in ks
                     if not known(code, s, k))
    assert not missing, f"not in etc/jmb.conf.sample: {missing}"
    assert not unknown, f"in etc/jmb.conf.sample but not in the code: {unknown}"
