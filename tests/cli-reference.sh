#!/usr/bin/env bash
# docs/cli.md must be what scripts/cli-reference makes from the binary.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if ! diff -u "$top/docs/cli.md" <("$top/scripts/cli-reference" "$1"); then
  echo "docs/cli.md is out of date: run scripts/cli-reference build/passage > docs/cli.md"
  exit 1
fi
