#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine that has only Go, gcc, Node 20 and
# Python 3: the third-party readers that judge our output (poppler-utils, qpdf, cmark-gfm,
# python3-openpyxl, python3-pandas, chromium for the HTML report), tmux (the terminal the progress
# line is checked in), the DejaVu fonts, and staticcheck. Safe to run again: it skips what is there.
set -euo pipefail

need=()
# poppler-utils: pdftotext, pdftoppm (the PDF tests render every page), pdfinfo, pdffonts.
for tool in pdftotext pdftoppm pdfinfo pdffonts; do
	if ! command -v "$tool" >/dev/null; then
		need+=(poppler-utils)
		break
	fi
done
command -v qpdf >/dev/null || need+=(qpdf)
command -v cmark-gfm >/dev/null || need+=(cmark-gfm)
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || need+=(python3-openpyxl)
/usr/bin/python3 -c 'import pandas' 2>/dev/null || need+=(python3-pandas)
command -v chromium >/dev/null || need+=(chromium)
command -v tmux >/dev/null || need+=(tmux)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "test-deps: installing ${need[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

gobin="$(go env GOPATH)/bin"
if [ ! -x "$gobin/staticcheck" ]; then
	echo "test-deps: installing staticcheck" >&2
	go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
