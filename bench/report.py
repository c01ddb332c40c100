#!/usr/bin/python3
"""Turns bench/run.sh's measures into a table, checks the targets of issue 3,
and writes the table into doc/performance.md between markers of its driver
(the rest of the file, other benchmarks' sections included, is kept).

Usage: report.py RESULTS META [DOC]    (no DOC: print only)
"""
import sys


def read_kv_lines(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            row = {}
            for item in line.split(" "):
                if "=" in item:
                    k, v = item.split("=", 1)
                    row[k] = v
            rows.append(row)
    return rows


def read_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    return meta


SCENARIOS = [
    ("healthz", "`GET /healthz` (the floor)"),
    ("healthz-1", "`GET /healthz`, one connection"),
    ("join", "`GET /j/<token>`, 10,000 different personal links"),
    ("feed", "`GET /feed/<token>.ics`, 500 meetings, 200 in full"),
    ("feed-1", "the same feed, one connection"),
    ("feed304", "the same feed, `If-None-Match` → 304"),
    ("feed304-1", "the same 304, one connection"),
]


def f1(x):
    return f"{float(x):,.1f}"


def f2(x):
    return f"{float(x):.2f}"


def build(results, meta):
    by = {r["scenario"]: r for r in results}
    out = []
    out.append(f"Measured {meta.get('date', '?')} by `bench/run.sh{meta.get('args', '')}` "
               f"(driver **{meta.get('driver', '?')}**).")
    out.append("")
    pg = meta.get("driver") == "postgresql"
    out.append("| Scenario | Conn. | Requests/s | Mean ms | p50 ms | p99 ms | Answers | "
               "jmbd CPU ms/req |" + (" PostgreSQL CPU ms/req |" if pg else ""))
    out.append("|---|---:|---:|---:|---:|---:|---|---:|" + ("---:|" if pg else ""))
    for key, label in SCENARIOS:
        r = by.get(key)
        if r is None:
            continue
        out.append(f"| {label} | {r['conns']} | {f1(r['rps'])} | {f2(r['lat_mean_ms'])} | "
                   f"{f2(r['lat_p50_ms'])} | {f2(r['lat_p99_ms'])} | "
                   f"{r.get('statuses', '?').replace(',', ', ')} | "
                   f"{f2(r.get('cpu_ms_per_req', 'nan'))} |"
                   + (f" {f2(r.get('store_cpu_ms_per_req', 'nan'))} |" if pg else ""))
    out.append("")
    targets = []
    h = float(by["healthz"]["rps"]) if "healthz" in by else None
    if h and "join" in by:
        ratio = float(by["join"]["rps"]) / h
        targets.append(("Join redirects ≥ 50% of the `/healthz` rate",
                        f"{ratio:.0%} ({f1(by['join']['rps'])} vs {f1(h)} req/s)", ratio >= 0.5))
    if "feed-1" in by:
        mean = float(by["feed-1"]["lat_mean_ms"])
        targets.append(("A 500-meeting feed in under 20 ms (one connection, mean)",
                        f"{mean:.2f} ms (p99 {f2(by['feed-1']['lat_p99_ms'])} ms, "
                        f"{int(by['feed-1'].get('body_bytes', 0)):,} bytes)", mean < 20))
    if h and "feed304" in by:
        ratio = float(by["feed304"]["rps"]) / h
        targets.append(("304 feed answers ≥ 50% of the `/healthz` rate",
                        f"{ratio:.0%} ({f1(by['feed304']['rps'])} vs {f1(h)} req/s)",
                        ratio >= 0.5))
    out.append("| Target (issue 3) | Measured | Met |")
    out.append("|---|---|---|")
    for name, measured, ok in targets:
        out.append(f"| {name} | {measured} | {'**yes**' if ok else '**no**'} |")
    out.append("")
    out.append("Machine and build:")
    out.append("")
    for key, label in (("cpu", "CPU"), ("nproc", "CPUs (nproc)"), ("load", "Load"),
                       ("memory", "Memory"),
                       ("kernel", "Kernel"), ("os", "OS"), ("source", "Source"), ("cflags", "Build"),
                       ("store_version", "Store"), ("wrk", "Load generator"),
                       ("jmbd_threads", "jmbd threads"), ("logging", "Logging"),
                       ("data", "Data")):
        if key in meta:
            out.append(f"- {label}: {meta[key]}")
    out.append("")
    return "\n".join(out), targets


def update_doc(doc, driver, text):
    begin = f"<!-- bench/run.sh {driver}: begin (generated, do not edit) -->"
    end = f"<!-- bench/run.sh {driver}: end -->"
    block = f"{begin}\n{text}\n{end}"
    try:
        with open(doc, encoding="utf-8") as f:
            content = f.read()
    except FileNotFoundError:
        content = "# Performance\n"
    if begin in content and end in content:
        before = content[:content.index(begin)]
        after = content[content.index(end) + len(end):]
        content = before + block + after
    else:
        title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(driver, driver)
        content = (content.rstrip("\n") + f"\n\n### Results: {title}\n\n" + block + "\n")
    with open(doc, "w", encoding="utf-8") as f:
        f.write(content)


def main():
    results = read_kv_lines(sys.argv[1])
    meta = read_meta(sys.argv[2])
    text, targets = build(results, meta)
    print(text)
    if len(sys.argv) > 3:
        update_doc(sys.argv[3], meta.get("driver", "sqlite"), text)
        print(f"(written into {sys.argv[3]})")
    return 0 if all(ok for _, _, ok in targets) else 3


if __name__ == "__main__":
    sys.exit(main())
