#!/usr/bin/env bash
# Collector CPU side by side with an earlier release (issue 17): builds this tree and the release
# BASE (default 505a957, the release before the fast decoding path), starts this tree's simulator
# with the megacluster scenario (80,000 devices, 8 nodes, 15 RisPort requests per 1-second
# window), and collects it RUNS times with each build, one after the other, into a new database
# each time. Prints the CPU (user + system) and peak RSS of every collection, then the ratio of
# this tree's CPU to BASE's, per pair and over all runs. Not a test: the numbers go to
# docs/benchmarks.md.
# Usage: scripts/bench-collect-cpu.sh [BASE] [RUNS]    (needs bash, git, awk and GNU time at /usr/bin/time)
set -euo pipefail
export LC_ALL=C
base=${1:-505a957}
runs=${2:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/bin/time ] || { echo "bench-collect-cpu: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
sim=""
cleanup() {
	if [ -n "$sim" ]; then
		kill "$sim" 2>/dev/null || true
		wait "$sim" 2>/dev/null || true
	fi
	git -C "$repo" worktree remove --force "$work/base-tree" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -C "$repo" -o "$work/new" ./cmd/cucm-audit
git -C "$repo" rev-parse --verify -q "$base^{commit}" >/dev/null ||
	{ echo "bench-collect-cpu: $base is not a commit of $repo" >&2; exit 2; }
git -C "$repo" worktree add --detach "$work/base-tree" "$base" >/dev/null
go build -C "$work/base-tree" -o "$work/base" ./cmd/cucm-audit

"$work/new" sim --scenario megacluster --listen 127.0.0.1:0 >"$work/sim.log" 2>&1 &
sim=$!
url=""
for _ in $(seq 600); do
	url=$(sed -n 's/^ *AXL: *//p' "$work/sim.log")
	[ -n "$url" ] && break
	kill -0 "$sim" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
	sleep 0.2
done
[ -n "$url" ] || { echo "bench-collect-cpu: the simulator did not start within 120 s" >&2; cat "$work/sim.log" >&2; exit 1; }
export AXL_URL="$url" AXL_USER=axladmin AXL_PASS=demo-password RISPORT_RATE_WINDOW=1s

collect() { # build run -> "cpu rss wall"
	rm -f "$work/$1.db"*
	/usr/bin/time -f "%U %S %M %e" -o "$work/time" "$work/$1" collect --db "$work/$1.db" >/dev/null 2>"$work/err" ||
		{ cat "$work/err" >&2; exit 1; }
	awk '{printf "%.2f %.0f %.1f\n", $1 + $2, $3 / 1024, $4}' "$work/time"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-12s %8s %8s %8s   %-12s %8s %8s %8s   %s\n' run build CPU-s RSS-MB wall-s build CPU-s RSS-MB wall-s ratio
sum_new=0
sum_base=0
for i in $(seq "$runs"); do
	read -r cb rb wb < <(collect base)
	read -r cn rn wn < <(collect new)
	sum_new=$(awk "BEGIN {print $sum_new + $cn}")
	sum_base=$(awk "BEGIN {print $sum_base + $cb}")
	printf '%-4s %-12s %8s %8s %8s   %-12s %8s %8s %8s   %.3f\n' "$i" "$base" "$cb" "$rb" "$wb" "this tree" "$cn" "$rn" "$wn" "$(awk "BEGIN {print $cn / $cb}")"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'CPU of this tree / %s over %d runs: %.3f (target at most 0.333)\n' "$base" "$runs" "$(awk "BEGIN {print $sum_new / $sum_base}")"
