#!/usr/bin/env bash
# The project's test command: installs what the tests need, builds, runs every test.
# Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

# Node OTLP clients used by the end-to-end tests (from the committed lockfiles).
for dir in $(git ls-files '*package-lock.json' 2>/dev/null | xargs -r -n1 dirname); do
  echo "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done

dotnet restore HoneyHive.OtelBridge.sln
dotnet build HoneyHive.OtelBridge.sln --no-restore -c Release

log=$(mktemp)
set +e
dotnet test HoneyHive.OtelBridge.sln --no-build -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test projects.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
