#!/bin/bash
# Load scenarios of issue 3 ("Proof"): wrk against a running jmbd with realistic
# data (1,000 users, 20,000 meetings, one user with 500 meetings in their feed).
#   (1) GET /healthz, the floor
#   (2) GET /j/<token>: personal-link join redirects over 10,000 different links
#   (3) GET /feed/<token>.ics of the 500-meeting user in full (200), also on one
#       connection for its latency (target: under 20 ms)
#   (4) the same feed answered 304 (If-None-Match)
# Prints a table, checks the targets and writes the table into doc/performance.md.
# With --callgrind N, jmbd runs under valgrind's callgrind instead, and (1), (2)
# and (4) are N sequential requests on one connection, (3) N/20: it prints the
# instructions jmbd executed per request, which other load on the machine does
# not change (the figure to compare before and after a change on a hot path).
# On demand only, never in CI. Traffic goes to 127.0.0.1 only; every load is bounded.
#
# Usage: bench/run.sh [--postgresql] [--duration SECONDS] [--connections N]
#                     [--jmbd-threads N] [--callgrind N] [--no-make]
#                     [--no-doc | --doc FILE] [--keep]
# Environment: JMB_BUILDDIR (default ./build; configured and built when missing).
# Exit status: 0 all targets met, 3 a target missed, other: the run failed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${JMB_BUILDDIR:-$top/build}
driver=sqlite
duration=10
connections=32
jmbd_threads=
make_tree=1
write_doc=1
doc=$top/doc/performance.md
keep=0
callgrind=0
args=
py=/usr/bin/python3

for a in "$@"; do
	case $a in --no-doc|--keep|--no-make|--doc|*/*) ;; *) args="$args $a" ;; esac
done
while [ $# -gt 0 ]; do
	case $1 in
	--postgresql) driver=postgresql ;;
	--duration) duration=$2; shift ;;
	--connections) connections=$2; shift ;;
	--jmbd-threads) jmbd_threads=$2; shift ;;
	--callgrind) callgrind=$2; shift ;;
	--no-make) make_tree=0 ;;
	--no-doc) write_doc=0 ;;
	--doc) doc=$2; shift ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$duration$connections$jmbd_threads$callgrind" in ''|*[!0-9]*) echo "run.sh: numbers please" >&2; exit 2 ;; esac
[ "$duration" -ge 1 ] && [ "$duration" -le 120 ] || { echo "run.sh: --duration 1..120" >&2; exit 2; }
[ "$connections" -ge 2 ] && [ "$connections" -le 1000 ] || { echo "run.sh: --connections 2..1000" >&2; exit 2; }
[ "$callgrind" -le 100000 ] || { echo "run.sh: --callgrind 0..100000" >&2; exit 2; }

say() { printf '\n== %s\n' "$*" >&2; }

# ---- tools and build ----
if ! command -v wrk >/dev/null; then
	say "installing wrk"
	apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in curl "$py"; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 2; }
done
if [ ! -f "$build/Makefile" ]; then
	say "configuring $build"
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi) ||
		{ echo "run.sh: autoreconf failed" >&2; exit 2; }
	mkdir -p "$build"
	(cd "$build" && "$top/configure" >configure.out) || { echo "run.sh: configure failed ($build/configure.out)" >&2; exit 2; }
	make_tree=1
fi
build=$(cd "$build" && pwd)
if [ "$make_tree" = 1 ]; then
	say "building $build"
	make -C "$build" -j"$(nproc)" >"$build/bench-make.out" 2>&1 ||
		{ tail -20 "$build/bench-make.out" >&2; echo "run.sh: make failed" >&2; exit 2; }
fi
jmbd_bin=$build/src/jmbd/jmbd
jmbctl_bin=$build/src/jmbctl/jmbctl
[ -x "$jmbd_bin" ] && [ -x "$jmbctl_bin" ] || { echo "run.sh: no jmbd/jmbctl in $build" >&2; exit 2; }
[ -n "$jmbd_threads" ] || jmbd_threads=$(( $(nproc) > 8 ? $(nproc) : 8 ))

# ---- a throw-away directory, cleaned up whatever happens ----
work=$(mktemp -d /tmp/jmb-bench.XXXXXX)
jmbd_pid=
pg_pid=
cleanup() {
	local rc=$?
	if [ -n "$jmbd_pid" ] && kill -0 "$jmbd_pid" 2>/dev/null; then
		kill -TERM "$jmbd_pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$jmbd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$jmbd_pid" 2>/dev/null || true
		wait "$jmbd_pid" 2>/dev/null || true
	fi
	if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
		kill -TERM "$pg_pid" 2>/dev/null || true
		wait "$pg_pid" 2>/dev/null || true
	fi
	if [ "$keep" = 1 ]; then
		echo "run.sh: kept $work" >&2
	else
		rm -rf "$work"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
conf=$work/jmb.conf
secret=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')

# ---- the store ----
if [ "$driver" = postgresql ]; then
	say "starting a throw-away PostgreSQL (tests/integration/servers/postgres.py)"
	"$py" "$top/bench/pg-server.py" "$work/pg.info" >"$work/pg-server.log" 2>&1 &
	pg_pid=$!
	for _ in $(seq 600); do
		[ -f "$work/pg.info" ] && break
		kill -0 "$pg_pid" 2>/dev/null || { cat "$work/pg-server.log" >&2; exit 2; }
		sleep 0.1
	done
	[ -f "$work/pg.info" ] || { echo "run.sh: PostgreSQL did not start" >&2; exit 2; }
	conninfo=$(sed -n 1p "$work/pg.info")
	store_version="PostgreSQL $(sed -n 2p "$work/pg.info") (throw-away server: fsync off, synchronous_commit off)"
	store_conf="driver = postgresql
conninfo = $conninfo"
else
	store_version="SQLite $("$py" -c 'import ctypes.util, ctypes; l = ctypes.CDLL(ctypes.util.find_library("sqlite3")); l.sqlite3_libversion.restype = ctypes.c_char_p; print(l.sqlite3_libversion().decode())') (WAL, synchronous=NORMAL; file in $(df --output=fstype /tmp | tail -1 | tr -d ' ') /tmp)"
	store_conf="driver = sqlite
path = $work/jmb.db"
fi

cat >"$conf" <<EOF
# bench/run.sh: a throw-away configuration
[server]
listen = 127.0.0.1:$port
public_url = https://jmb.example.org
default_language = fr
timezone = Europe/Paris
template_dir = $top/templates
static_dir = $top/templates/static
locale_dir = $build/po/locale
threads = $jmbd_threads

[store]
$store_conf

[auth]
plugins = local
plugin_dir = $build/plugins/modules

[booking]
# The join benchmark measures redirects to the room for links of meetings
# booked up to weeks ahead: personal links open at any time here.
link_opens_before = 5256000

[auth.local]
users_file = $work/users

[jitsi]
base_url = https://meet.example.org
domain = meet.example.org
app_id = jmb
app_secret = $secret

[mail]
local_domains = example.org
EOF

say "creating the schema (jmbctl migrate) and the data"
"$jmbctl_bin" --config "$conf" migrate >&2
if [ "$driver" = postgresql ]; then
	"$py" "$top/bench/gen-data.py" --pg-sql "$work/data.sql" --out "$work" >"$work/gen-data.out"
	psql -X -q "$conninfo" -f "$work/data.sql" >/dev/null
else
	"$py" "$top/bench/gen-data.py" --sqlite "$work/jmb.db" --out "$work" >"$work/gen-data.out"
fi
cat "$work/gen-data.out" >&2
read -r heavy_login heavy_mail heavy_name <"$work/heavy-user.txt"

# The heavy user, their API token and their feed go through jmb's own paths.
echo "bench-password-$secret" |
	"$jmbctl_bin" --config "$conf" user add "$heavy_login" --mail "$heavy_mail" \
		--name "$heavy_name" --password-stdin >/dev/null
api_token=$("$jmbctl_bin" --config "$conf" api-token create "$heavy_login" --label bench 2>/dev/null)

say "starting jmbd ($jmbd_threads threads) on $base, logging to $work/jmbd.log"
"$jmbd_bin" --config "$conf" >>"$work/jmbd.log" 2>&1 &
jmbd_pid=$!
for _ in $(seq 200); do
	curl -fs -o /dev/null "$base/healthz" && break
	kill -0 "$jmbd_pid" 2>/dev/null || { cat "$work/jmbd.log" >&2; exit 2; }
	sleep 0.05
done
curl -fs -o /dev/null "$base/healthz" || { echo "run.sh: jmbd did not answer" >&2; exit 2; }

feed_url=$(curl -fsS -H "Authorization: Bearer $api_token" "$base/api/v1/me/feed" |
	"$py" -c 'import json, sys; print(json.load(sys.stdin)["url"])')
feed_path=/${feed_url#https://jmb.example.org/}
curl -fsS -D "$work/feed.headers" -o "$work/feed.ics" "$base$feed_path"
events=$(grep -c 'BEGIN:VEVENT' "$work/feed.ics" || true)
cancelled=$(grep -c 'STATUS:CANCELLED' "$work/feed.ics" || true)
feed_bytes=$(wc -c <"$work/feed.ics")
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$work/feed.headers" | tr -d '\r')
[ "$events" = 500 ] || { echo "run.sh: the heavy feed has $events events, not 500" >&2; exit 2; }
[ -n "$etag" ] || { echo "run.sh: the feed has no ETag" >&2; exit 2; }
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base$feed_path")
[ "$code" = 304 ] || { echo "run.sh: If-None-Match answered $code, not 304" >&2; exit 2; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/j/$(head -1 "$work/join-tokens.txt")")
[ "$code" = 302 ] || { echo "run.sh: a personal link answered $code, not 302" >&2; exit 2; }
echo "feed: $events events ($cancelled cancelled), $feed_bytes bytes, ETag $etag" >&2

# ---- measures ----
if [ "$callgrind" -gt 0 ]; then
	# Each figure comes from two fresh jmbd processes under callgrind, both
	# started, warmed up with every kind of request and stopped the same way;
	# one also answers N requests of the kind measured. The difference of
	# their totals over N is what one request costs.
	stop_jmbd() {
		kill -TERM "$jmbd_pid" 2>/dev/null || true
		wait "$jmbd_pid" 2>/dev/null || true
		jmbd_pid=
	}
	stop_jmbd
	# cg_total KIND COUNT: the instructions of one jmbd life that answers COUNT
	# requests of KIND (healthz, join, feed, feed304) after the warm-up.
	cg_total() {
		local out
		# jmbd in the build tree is libtool's wrapper script: libtool runs
		# valgrind on the program itself.
		"$build/libtool" --mode=execute valgrind --tool=callgrind \
			--callgrind-out-file="$work/callgrind.out.%p" \
			"$jmbd_bin" --config "$conf" >>"$work/jmbd.log" 2>&1 &
		jmbd_pid=$!
		out=$work/callgrind.out.$jmbd_pid
		"$py" - "$port" "$1" "$2" "$feed_path" "$etag" "$work/join-tokens.txt" <<'PY' || return 1
import http.client, sys, time
port, kind, n, feed, etag, tokens_file = sys.argv[1:]
tokens = [t for t in open(tokens_file).read().split() if t]
def connect():
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
            c.request("GET", "/healthz"); c.getresponse().read()
            return c
        except OSError:
            time.sleep(0.1)
    sys.exit("jmbd under callgrind did not answer")
def get(c, kind, i):
    path, headers = {"healthz": ("/healthz", {}), "join": ("/j/" + tokens[i % len(tokens)], {}),
                     "feed": (feed, {}), "feed304": (feed, {"If-None-Match": etag})}[kind]
    c.request("GET", path, headers=headers)
    r = c.getresponse(); r.read()
    if r.status not in (200, 302, 304):
        sys.exit(f"{kind}: status {r.status}")
c = connect()
for k in ("healthz", "join", "feed", "feed304"):
    for i in range(3):
        get(c, k, len(tokens) - 1 - i)
for i in range(int(n)):
    get(c, kind, i)
PY
		stop_jmbd
		sed -n 's/^totals: *//p' "$out"
		rm -f "$work"/callgrind.out.*
	}
	say "instructions per request (callgrind, $callgrind requests each)"
	base_total=$(cg_total healthz 0)
	for kind in healthz join feed feed304; do
		n=$callgrind
		# a feed costs a thousand joins: fewer of them measure it as well
		[ "$kind" = feed ] && n=$(( callgrind / 20 > 5 ? callgrind / 20 : 5 ))
		total=$(cg_total "$kind" "$n")
		awk -v k="$kind" -v t="$total" -v b="$base_total" -v n="$n" \
			'BEGIN { printf "%-8s %10.0f instructions per request (%d requests)\n", k, (t - b) / n, n }'
	done
	echo "source=$(git -C "$top" describe --always --dirty 2>/dev/null) driver=$driver"
	exit 0
fi
results=$work/results.txt
clk_tck=$(getconf CLK_TCK)
jmbd_cpu_ticks() { awk '{print $14 + $15}' "/proc/$jmbd_pid/stat"; }
# The PostgreSQL server's CPU (postmaster and backends): on this machine too.
store_cpu_ticks() {
	[ "$driver" = postgresql ] || { echo 0; return; }
	local pm
	pm=$(head -1 "$(sed -n 3p "$work/pg.info")/postmaster.pid")
	for p in "$pm" $(ps -o pid= --ppid "$pm"); do cat "/proc/$p/stat" 2>/dev/null; done |
		awk '{t += $14 + $15} END {print t + 0}'
}

# measure NAME CONNECTIONS [wrk options...]: one bounded wrk run, with the answers
# jmbd logged for it and the CPU time jmbd spent per request.
measure() {
	local name=$1 conns=$2 threads=2 off cpu0 cpu1 scpu0 scpu1 statuses line
	shift 2
	[ "$conns" -lt 2 ] && threads=1
	sleep 1 # let the previous run's last answers reach the log
	off=$(stat -c %s "$work/jmbd.log")
	cpu0=$(jmbd_cpu_ticks)
	scpu0=$(store_cpu_ticks)
	line=$(wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 10s \
		-s "$top/bench/wrk.lua" "$@" | grep '^requests=')
	sleep 0.5
	cpu1=$(jmbd_cpu_ticks)
	scpu1=$(store_cpu_ticks)
	statuses=$(tail -c +"$((off + 1))" "$work/jmbd.log" | grep 'event=request' |
		grep -o ' status=[0-9]*' | cut -d= -f2 | sort | uniq -c |
		awk '{printf "%s%s:%s", (NR > 1 ? "," : ""), $2, $1}')
	local n=${line#requests=}
	n=${n%% *}
	local cpu_ms store_ms
	cpu_ms=$(awk -v t="$((cpu1 - cpu0))" -v hz="$clk_tck" -v n="$n" \
		'BEGIN { printf "%.3f", (n > 0 ? t * 1000 / hz / n : 0) }')
	store_ms=$(awk -v t="$((scpu1 - scpu0))" -v hz="$clk_tck" -v n="$n" \
		'BEGIN { printf "%.3f", (n > 0 ? t * 1000 / hz / n : 0) }')
	echo "scenario=$name conns=$conns wrk_threads=$threads $line statuses=$statuses cpu_ms_per_req=$cpu_ms store_cpu_ms_per_req=$store_ms loadavg=$(cut -d' ' -f1 /proc/loadavg) body_bytes=$feed_bytes" |
		tee -a "$results" >&2
}

say "warming up (2 s each, not counted)"
for url in "$base/healthz" "$base$feed_path"; do
	wrk -t2 -c"$connections" -d2s "$url" >/dev/null
done
JMB_TOKENS=$work/join-tokens.txt wrk -t2 -c"$connections" -d2s -s "$top/bench/wrk.lua" "$base" >/dev/null
wrk -t2 -c"$connections" -d2s -H "If-None-Match: $etag" "$base$feed_path" >/dev/null

say "measuring (${duration} s each)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure healthz "$connections" "$base/healthz"
measure healthz-1 1 "$base/healthz"
JMB_TOKENS=$work/join-tokens.txt measure join "$connections" "$base"
measure feed "$connections" "$base$feed_path"
measure feed-1 1 "$base$feed_path"
measure feed304 "$connections" -H "If-None-Match: $etag" "$base$feed_path"
measure feed304-1 1 -H "If-None-Match: $etag" "$base$feed_path"

# ---- report ----
meta=$work/meta.txt
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "driver=$driver"
	echo "args=$args"
	echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "nproc=$(nproc) (wrk, jmbd$([ "$driver" = postgresql ] && echo ", PostgreSQL") and whatever else runs share them)"
	echo "load=load average $load_before before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after"
	echo "memory=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel=$(uname -sr)"
	echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "cflags=$(sed -n 's/^CFLAGS = //p' "$build/Makefile") ($(sed -n 's/^  \$ //p' "$build/config.log" | head -1 | sed "s|$top|<src>|g"); $("$jmbd_bin" --version 2>&1 | head -1), $(cc --version | head -1))"
	echo "source=${JMB_BENCH_SOURCE:-$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)}"
	echo "store_version=$store_version"
	echo "wrk=$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), ${duration} s per run after a 2 s warm-up, 2 threads (1 for one connection), loopback; Lua script bench/wrk.lua"
	echo "jmbd_threads=$jmbd_threads ([server] threads)"
	echo "logging=as shipped: info level, one 'request' line per request (a join's room and role on it) on stderr, redirected to a file"
	echo "data=$(sed 's/^gen-data: //; s/, [0-9.]* s$//' "$work/gen-data.out"); the feed user: $events meetings in the feed window ($cancelled cancelled), $feed_bytes bytes"
} >"$meta"
say "results"
rc=0
if [ "$write_doc" = 1 ]; then
	"$py" "$top/bench/report.py" "$results" "$meta" "$doc" || rc=$?
else
	"$py" "$top/bench/report.py" "$results" "$meta" || rc=$?
fi
[ "$keep" = 1 ] && cp "$results" "$meta" "$work/jmbd.log" "$work" 2>/dev/null
exit "$rc"
