#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs and starts what the tests need
# (PostgreSQL with trust auth on 127.0.0.1:5432, the sqlite3 and psql clients, migra), then checks
# formatting and lints and runs every test. Database tests fail (not skip) when a server is down.
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
command -v psql >/dev/null || apt_install postgresql-client
# migra: the independent differ the inspection tests cross-check PostgreSQL results with.
if ! command -v migra >/dev/null; then
  command -v pip3 >/dev/null || apt_install python3-pip
  log "installing migra (PyPI)"
  pip3 install --quiet migra psycopg2-binary "psycopg[binary]" 2>/dev/null \
    || pip3 install --quiet --break-system-packages migra psycopg2-binary "psycopg[binary]"
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

# With the servers guaranteed up, a database test that cannot connect is a failure, not a skip.
export CI="${CI:-1}"

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
log "cargo test"
cargo test --workspace --locked
# The benchmark harness in smoke mode (50 revisions, 50 tables, one run, with the debug binary the
# tests just built): it checks that every tool's run gives the right result, so the harness does
# not rot. The timed benchmark is `cargo build --release && python3 bench/run.py` (bench/README.md).
log "bench/run.py --quick"
python3 bench/run.py --quick --retort target/debug/retort
