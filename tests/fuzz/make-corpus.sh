#!/usr/bin/env bash
# Regenerates the seed corpora of the fuzz harnesses (corpus/<harness>/) from the bundled files:
# whole scenarios, and excerpts of a few KB of the traces and release files (a seed's size bounds
# every mutation's cost), plus small hand-made samples of the CSV forms the trace loader knows.
# The HDF5 seeds are CSV excerpts imported with `ccsim import` and files written by
# make_h5_seeds (other layouts, types and attributes than the importer's).
#   tests/fuzz/make-corpus.sh BUILD_DIR      (a build with tests, e.g. build-fuzz)
# Run from anywhere; it replaces the corpus folders' contents. Regression inputs are never touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
c=$here/corpus
rm -rf "$c"
mkdir -p "$c"/{scenario,trace_csv,trace_h5,releases,csv,prices}

# ---- scenario: every bundled scenario and validation case, two profiles, and overrides ----
for f in "$root"/scenarios/*.yaml "$root"/validation/*.yaml "$root"/tests/bench-sweep.yaml; do
  cp "$f" "$c/scenario/$(basename "$(dirname "$f")")-$(basename "$f")"
done
cp "$root/models/hardware/l4.yaml" "$c/scenario/profile-hardware-l4.yaml"
cp "$root/models/profiles/llm-8b.yaml" "$c/scenario/profile-model-llm-8b.yaml"
{ cat "$root/scenarios/default.yaml"; printf '#--set\nseed=7\nservices.search-rerank.replicas=2\npolicy.name=greenest-window\njobs.0.deadline=20h\n'; } \
  > "$c/scenario/set-default.yaml"
{ cat "$root/scenarios/chatbot.yaml"; printf '#--set\nduration=2d\nregions.0.pue=1.5\nname="with \\"quotes\\""\nservices.0.arrivals={process: poisson, rate_per_s: 3}\npolicy={name: carbon-cap, carbon_cap_g_per_kwh: 200}\n'; } \
  > "$c/scenario/set-chatbot.yaml"
{ cat "$root/validation/mm1.yaml"; printf '#--set\nservices.0.service_time.mean_ms=5\nwarmup=1h\nnew.key=[1, 2, {a: b}]\nname=multi\\\nline\n'; } \
  > "$c/scenario/set-mm1.yaml"
printf '#--set\nstart=2023-01-01\nduration=1d\nservices=[{name: s, arrivals: {process: poisson, rate_per_s: 1}, service_time: {mean_ms: 10}}]\n' \
  > "$c/scenario/set-only.yaml"

# ---- CSV excerpts: a header and the first rows of each bundled form ----
excerpt() { head -n "$2" "$1"; }
t=$root/traces
excerpt "$t/carbon/carbon-intensity-DE-LU-2023-hourly.csv" 25 > "$c/trace_csv/electricitymaps-de-lu.csv"
excerpt "$t/carbon/carbon-intensity-DK-DK1-2022-hourly.csv" 49 > "$c/trace_csv/generic-dk1.csv"
excerpt "$t/carbon/carbon-intensity-FR-2020-30min.csv" 49 > "$c/trace_csv/letswaitawhile-fr.csv"
# GB moves from 30 to 15 minutes on 2020-10-31: keep both steps
{ head -n 1 "$t/carbon/carbon-intensity-GB-2020-30min.csv"; grep -A 30 '^2020-10-30 23:00' "$t/carbon/carbon-intensity-GB-2020-30min.csv" | head -n 30; } \
  > "$c/trace_csv/letswaitawhile-gb-step-change.csv"
excerpt "$t/price/price-day-ahead-DE-LU-2023-hourly-usd.csv" 49 > "$c/trace_csv/price-de-lu-negative.csv"
excerpt "$t/traffic/nasa-http-1995-07-per-minute.csv" 61 > "$c/trace_csv/nasa-http-07.csv"
# the August outage: zeros
{ head -n 1 "$t/traffic/nasa-http-1995-08-per-minute.csv"; grep -B 5 -A 20 '^1995-08-01T19:00:00Z' "$t/traffic/nasa-http-1995-08-per-minute.csv"; } \
  > "$c/trace_csv/nasa-http-08-outage.csv"
cat > "$c/trace_csv/ember-two-countries.csv" <<'CSV'
Country,ISO3 Code,Datetime (UTC),Datetime (Local),Price (EUR/MWhe)
Denmark,DNK,2023-01-01 00:00:00,2023-01-01 01:00:00,1.5
Denmark,DNK,2023-01-01 01:00:00,2023-01-01 02:00:00,-2.25
Germany,DEU,2023-01-01 00:00:00,2023-01-01 01:00:00,-5.17
Germany,DEU,2023-01-01 01:00:00,2023-01-01 02:00:00,-1.07
Germany,DEU,2023-01-01 02:00:00,2023-01-01 03:00:00,-1.47
CSV
cat > "$c/trace_csv/energinet-newest-first.csv" <<'CSV'
HourUTC;HourDK;PriceArea;SpotPriceDKK;SpotPriceEUR
2023-01-01 02:00;2023-01-01 03:00;DK2;20,000000;2,690000
2023-01-01 02:00;2023-01-01 03:00;DK1;15,000000;2,010000
2023-01-01 01:00;2023-01-01 02:00;DK2;10,500000;1,410000
2023-01-01 01:00;2023-01-01 02:00;DK1;7,440000;1,000000
2023-01-01 00:00;2023-01-01 01:00;DK2;;
2023-01-01 00:00;2023-01-01 01:00;DK1;8,000000;1,070000
CSV
printf 'timestamp,value\n2023-01-01T00:00:00Z,100\n2023-01-01T01:00:00Z,NaN\n2023-01-01T02:00:00Z,\n2023-01-01T05:00:00Z,400\n2023-01-01T07:00:00+01:00,NA\n2023-01-01T07:00:00.5Z,null\n2023-01-01 08:00,600\n' \
  > "$c/trace_csv/generic-gaps-missing.csv"
printf '\xef\xbb\xbftimestamp,value\r\n2023-01-01,1e2\r\n2023-01-02,"2.5E+01"\r\n2023-01-03, 7 \r\n' > "$c/trace_csv/generic-bom-crlf-quoted.csv"
printf 'timestamp,value\n2023-01-01T00:00:00Z,1\n2023-01-01T00:00:00Z,2\n2022-12-31T23:00:00Z,-3\n' > "$c/trace_csv/generic-duplicate-disorder.csv"

# ---- HDF5: CSV excerpts imported, and other layouts ----
ccsim=$build/ccsim
"$ccsim" import "$c/trace_csv/generic-dk1.csv" -o "$c/trace_h5/import-generic-dk1.h5" >/dev/null
"$ccsim" import "$c/trace_csv/price-de-lu-negative.csv" -o "$c/trace_h5/import-price-de-lu.h5" >/dev/null
"$ccsim" import "$c/trace_csv/generic-gaps-missing.csv" --fill linear -o "$c/trace_h5/import-filled.h5" >/dev/null
head -n 4 "$c/trace_csv/nasa-http-07.csv" > "$c/trace_h5/nasa-3-rows.csv"
"$ccsim" import "$c/trace_h5/nasa-3-rows.csv" -o "$c/trace_h5/import-nasa-3-rows.h5" --source 'a "quoted" source' >/dev/null
rm "$c/trace_h5/nasa-3-rows.csv"
"$build/tests/fuzz/make_h5_seeds" "$c/trace_h5"

# ---- releases ----
head -n 41 "$root/validation/lwa-ml-jobs-2020.csv" > "$c/releases/lwa-ml-jobs-excerpt.csv"
printf 'timestamp\n2023-01-02T09:00:00Z\n2023-01-02T09:00:00Z\n2023-01-03\n2023-01-04 12:30:15.25+02:00\n' > "$c/releases/stamps-only.csv"
printf 'duration_h,timestamp,note\n1.5,2023-01-02T09:00:00Z,"a, b"\n1e-3,2023-01-02T10:00:00Z,\n' > "$c/releases/reordered-columns.csv"

# ---- csv: every CSV above, the Azure per-request form, and quoting ----
cp "$c"/trace_csv/*.csv "$c"/releases/*.csv "$c/csv/"
excerpt "$t/traffic/AzureLLMInferenceTrace_conv.csv" 41 > "$c/csv/azure-conv.csv"
printf 'a,"b ""quoted""","multi\nline",""\n"x";y;"z;w"\n\n  ,\t,\r\n"unterminated\n' > "$c/csv/quoting.csv"
printf 'a\rb\rc\r"d\re"\r' > "$c/csv/bare-cr.csv"
echo "corpus: $(find "$c" -type f | wc -l) files, $(du -sh "$c" | cut -f1)"

# ---- prices: the bundled instance price table, an excerpt, and a reordered one ----
cp "$root/traces/cloud/instance-prices.csv" "$c/prices/instance-prices.csv"
head -n 4 "$root/traces/cloud/instance-prices.csv" > "$c/prices/excerpt.csv"
printf 'source,price_date,currency,on_demand_per_hour,devices,hardware,cloud_region\n"a, b",2026-01-01,USD,1.5,2,l4,aws/eu-central-1\n' > "$c/prices/reordered.csv"
