#!/usr/bin/env bash
# Executes the notebooks headless against a database filled by a short demo run, as CI does. A failing cell or an
# empty plot fails the script. Needs the built jar (mvn package) and Debian's jupyter-nbconvert, python3-ipykernel,
# python3-pandas, python3-matplotlib and python3-psycopg2. Usage: notebooks/run-in-ci.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-notebooks/out}"
mkdir -p "$out"
log="$out/demo.log"

java -jar demo/target/riskstream-demo.jar demo --duration 20s --rate 400 --keep-running --pg-port 54329 >"$log" 2>&1 &
demo=$!
trap 'kill -TERM $demo 2>/dev/null || true; wait $demo 2>/dev/null || true' EXIT

for _ in $(seq 1 240); do
  grep -q "Ready for analysts" "$log" && break
  kill -0 $demo 2>/dev/null || { echo "the demo stopped early:"; tail -40 "$log"; exit 1; }
  sleep 1
done
grep -q "Ready for analysts" "$log" || { echo "the demo did not get ready:"; tail -40 "$log"; exit 1; }
url=$(grep -m1 -o 'DATABASE_URL=[^ ]*' "$log" | cut -d= -f2-)
grep -A4 "PostgreSQL tables" "$log"

for notebook in notebooks/*.ipynb; do
  echo "executing $notebook"
  DATABASE_URL="$url" FIGURE_DIR="$out" jupyter nbconvert --to notebook --execute \
    --ExecutePreprocessor.timeout=300 --output-dir "$out" "$notebook"
done
ls "$out"/*.png
