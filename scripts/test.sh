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
# fuzz_one runs one target. Go 1.26's fuzz coordinator can report a bare "context deadline
# exceeded" when -fuzztime ends while a worker is mid-call (golang.org/issue/75804, fixed in
# 1.27): that failure, with no failing input written and nothing else wrong, is run once more;
# any real finding (a written input, a panic, a test error) or a second such failure fails.
fuzz_one() {
	local pkg=$1 name=$2 log
	log=$(mktemp)
	for attempt in 1 2; do
		if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=5s "$pkg" >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			return 0
		fi
		cat "$log" >&2
		if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' "$log" &&
			! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"; then
			echo "fuzz: $name hit Go's fuzztime shutdown race (golang.org/issue/75804), no input found: running it once more" >&2
			continue
		fi
		rm -f "$log"
		return 1
	done
}
if [ "$fuzztime" != "0" ]; then
	echo "== fuzzing ($fuzztime each)" >&2
	# Every Fuzz* function in the tree, one at a time (go test -fuzz takes one target per package).
	while read -r pkg name; do
		fuzz_one "$pkg" "$name"
	done < <(grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
		grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //' | while read -r n; do
			echo "./$(dirname "${f#./}") $n"
		done
	done)
fi
echo "== all checks passed" >&2
