#!/usr/bin/env bash
# Usage: tests/pg.sh COMMAND [ARG...]
# Runs a test against PostgreSQL: the store contract suite, a golden case
# of tests/cli or tests/report, an HTTP case or script, each the very test
# that runs on SQLite, given the location template of the cluster that
# scripts/with-postgres started (make check starts one for the whole run):
# PASSAGE_TEST_STORES for test_store, PASSAGE_TEST_DB for the runners.
# Without a cluster (PASSAGE_TEST_PG unset) the test is skipped (77).
if [ -z "${PASSAGE_TEST_PG:-}" ]; then
  echo "skipped: no PostgreSQL cluster (run it in scripts/with-postgres, as make check does)"
  exit 77
fi
export PASSAGE_TEST_STORES=$PASSAGE_TEST_PG PASSAGE_TEST_DB=$PASSAGE_TEST_PG
exec "$@"
