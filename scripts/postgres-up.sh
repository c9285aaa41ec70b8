#!/usr/bin/env bash
# Start a local PostgreSQL for the test suite (Debian packages) and print DATABASE_URL.
# Used by .ci/run; safe to run again. Needs root (apt-get) the first time.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
    pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
    su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
    sleep 0.5
done
su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='restflow'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"create role restflow login superuser password 'restflow'\"" >/dev/null
su postgres -c "psql -qAtc \"select 1 from pg_database where datname='restflow'\"" | grep -q 1 ||
    su postgres -c "createdb -O restflow restflow"
echo "postgres://restflow:restflow@127.0.0.1:5432/restflow"
