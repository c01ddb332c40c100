#!/bin/sh
# jmb quick start on Debian 12: installs the build dependencies (if missing),
# builds jmb in ./build, writes a demo configuration in ./demo (SQLite store,
# `local` auth plugin with a demo user) and runs jmbd on http://127.0.0.1:8080.
# Stop it with Ctrl-C. Run it again at any time: it keeps the demo data.
set -eu
cd "$(dirname "$0")"
top=$(pwd)

BUILD_DEPS="build-essential autoconf automake libtool pkg-config gettext tzdata
 libmicrohttpd-dev libsqlite3-dev libpq-dev libxml2-dev libjansson-dev libinih-dev
 libldap-dev
 libssl-dev libcrypt-dev libical-dev libgmime-3.0-dev libutf8proc-dev libcmocka-dev libjwt-dev libcurl4-openssl-dev sqlite3
 libstrophe-dev libsystemd-dev
 libxmlsec1-dev zlib1g-dev"

install_missing() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "Installing:$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
}

build() {
	[ -x configure ] || autoreconf -fi
	mkdir -p build
	cd build
	[ -f Makefile ] || ../configure --quiet
	make -j"$(nproc)" --quiet >/dev/null
	cd "$top"
}

write_demo_config() {
	mkdir -p demo/mail
	chmod 700 demo
	[ -f demo/jmb.conf ] && return 0
	cat > demo/jmb.conf <<CONF
# Demo configuration written by quickstart.sh (see doc/jmb.conf.5 for every key).
[server]
listen = 127.0.0.1:8080
public_url = http://127.0.0.1:8080
default_language = fr
timezone = Europe/Paris
template_dir = $top/templates
static_dir = $top/templates/static
locale_dir = $top/build/po/locale

[store]
driver = sqlite
path = $top/demo/jmb.db

[auth]
plugins = local
plugin_dir = $top/build/plugins/modules

[auth.local]
users_file = $top/demo/users

[mail]
# Mails are written as .eml files into this folder instead of going to an MTA.
transport = file:$top/demo/mail
from = noreply@example.org
from_name = jmb (demo)
local_domains = example.org

[jitsi]
base_url = https://meet.example.org
domain = meet.example.org
app_id = jmb
app_secret_file = $top/demo/jitsi-secret
CONF
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > demo/jitsi-secret
	chmod 600 demo/jitsi-secret
}

add_demo_user() {
	if [ -f demo/users ] && grep -q '^demo:' demo/users; then
		echo "Demo user: demo, password in demo/demo-password"
		return 0
	fi
	password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	printf '%s\n' "$password" | build/src/jmbctl/jmbctl --config demo/jmb.conf \
		user add demo --mail demo@example.org --name "Demo User" --password-stdin >/dev/null
	printf '%s\n' "$password" > demo/demo-password
	chmod 600 demo/demo-password
	echo "Demo user: demo, password: $password (also in demo/demo-password)"
}

install_missing $BUILD_DEPS
build
write_demo_config
build/src/jmbctl/jmbctl --config demo/jmb.conf check-config
add_demo_user
echo "jmbd is starting on http://127.0.0.1:8080 (Ctrl-C stops it)"
exec build/src/jmbd/jmbd --config demo/jmb.conf
