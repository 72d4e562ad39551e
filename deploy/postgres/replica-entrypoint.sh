#!/bin/sh
# The streaming replica (decision 0103): on first start, copy the primary with pg_basebackup (-R writes
# primary_conninfo and standby.signal), then run as a hot standby that follows the primary's WAL.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres -p 5432 -q; do sleep 2; done
  until PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" pg_basebackup -h postgres -p 5432 -U replicator \
      -D "$PGDATA" -R -X stream -c fast; do
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
