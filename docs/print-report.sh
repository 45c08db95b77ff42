#!/bin/sh
# Prints the monthly workbook's 汇总 as a clerk would: LibreOffice converts
# the test fixture's October workbook to PDF, pdftoppm renders its first
# page to docs/report-summary-print.png.
# Needs Debian's libreoffice-calc-nogui, poppler-utils, fonts-wqy-microhei.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HERALD_SAMPLE_WORKBOOK="$tmp/report-2026-10.xlsx" go test ./reports/ -run '^TestWriteSampleWorkbook$' -count=1 >/dev/null
soffice --headless "-env:UserInstallation=file://$tmp/lo" --convert-to pdf --outdir "$tmp" "$tmp/report-2026-10.xlsx" >/dev/null
pdftoppm -png -r 110 -f 1 -l 1 -singlefile "$tmp/report-2026-10.pdf" docs/report-summary-print
echo "docs/report-summary-print.png ($(pdfinfo "$tmp/report-2026-10.pdf" | awk '/^Pages/ {print $2}') pages in the whole workbook)"
