#!/usr/bin/python3
"""Extracts the messages of the XHTML templates (data-i18n elements and
data-i18n-attr attributes) as a .pot fragment, with the same whitespace
normalisation as the views engine (src/lib/web/views.c)."""
import re
import sys
import xml.etree.ElementTree as ET


def normalize(text):
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def po_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(paths):
    found = {}
    for path in paths:
        for element in ET.parse(path).iter():
            if "data-i18n" in element.attrib:
                text = normalize("".join(element.itertext()))
                if text:
                    found.setdefault(text, []).append(path)
            for name in element.attrib.get("data-i18n-attr", "").split():
                value = element.attrib.get(name)
                if value:
                    found.setdefault(normalize(value), []).append(path)
    print('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
    for msgid, where in found.items():
        refs = " ".join(sorted(set(p.split("/", 1)[-1] if p.startswith("../") else p for p in where)))
        print(f"#: {refs}\nmsgid {po_quote(msgid)}\nmsgstr \"\"\n")


if __name__ == "__main__":
    main(sys.argv[1:])
