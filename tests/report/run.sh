#!/usr/bin/env bash
# Usage: run.sh [--update] PASSAGE [CASE...]
# Golden-output tests of `passage report` (see README.md): the runner of
# tests/cli (same rules for cmd, expected, expected.rc and --update) with
# this folder's cases, a copy of fixture/ in each case's folder, and
# PASSAGE_REPORT_KEEP to keep a failing case's folder.
here=$(cd "$(dirname "$0")" && pwd)
export GOLDEN_SUITE=report GOLDEN_ROOT="$here" GOLDEN_COMMON=fixture
export PASSAGE_CLI_KEEP=${PASSAGE_REPORT_KEEP:-${PASSAGE_CLI_KEEP:-}}
exec bash "$here/../cli/run.sh" "$@"
