#!/usr/bin/env bash
# The test command: installs what the tests need (scripts/test-deps.sh), checks hygiene
# (gofmt, go vet, staticcheck, go mod tidy) and runs every test, including the end-to-end ones
# against the simulated CUCM and the third-party readers, then a time-boxed fuzz pass.
# Usage: scripts/test.sh            (FUZZTIME=20s by default; FUZZTIME=0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-deps.sh

echo "== hygiene" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
"$(go env GOPATH)/bin/staticcheck" ./...
cp go.mod /tmp/cucm-audit-go.mod.$$ && cp go.sum /tmp/cucm-audit-go.sum.$$
go mod tidy
if ! cmp -s go.mod /tmp/cucm-audit-go.mod.$$ || ! cmp -s go.sum /tmp/cucm-audit-go.sum.$$; then
	echo "go mod tidy changed go.mod/go.sum: run it and commit" >&2
	exit 1
fi

echo "== tests" >&2
go test -count=1 -timeout 15m ./...

fuzztime=${FUZZTIME:-20s}
if [ "$fuzztime" != "0" ]; then
	echo "== fuzzing ($fuzztime each)" >&2
	# Every Fuzz* function in the tree, one at a time (go test -fuzz takes one target per package).
	while read -r pkg name; do
		go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=5s "$pkg" >&2
	done < <(grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
		grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //' | while read -r n; do
			echo "./$(dirname "${f#./}") $n"
		done
	done)
fi
echo "== all checks passed" >&2
