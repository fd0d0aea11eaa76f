#!/usr/bin/env bash
# Regenerates the tool-made fixtures in __tests__/fixtures/harness/ by running each benchmark
# harness for real on a tiny benchmark. Formats whose tools do not install on Debian or from npm
# (cargo-criterion, jmh, benchmarkdotnet, k6, gungraun, Julia, asv, Luau, Dart) use output taken
# from the tools' own repositories or github-action-benchmark's and Bencher's test data instead;
# see __tests__/fixtures/harness/SOURCE.md.
#
# Usage: scripts/make-harness-fixtures.sh [FORMAT...]   (default: every format whose tool is found)
# HARNESS_FIXTURES_OUT=DIR writes elsewhere (to check that fresh tool output still parses).
# Needs (Debian): hyperfine golang-go python3-pytest-benchmark libbenchmark-dev g++ catch2 cargo
# librust-criterion-dev ruby ruby-benchmark-ips; and npm.
# After regenerating, update the golden files: UPDATE_GOLDEN=1 npx vitest run __tests__/harness
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${HARNESS_FIXTURES_OUT:-$ROOT/__tests__/fixtures/harness}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

selected() {
  local f="$1"
  shift
  [ ${#ARGS[@]} -eq 0 ] && return 0
  for a in "${ARGS[@]}"; do [ "$a" = "$f" ] && return 0; done
  return 1
}
ARGS=("$@")
have() { command -v "$1" >/dev/null 2>&1; }
skip() { echo "skip $1: $2" >&2; }

# Replaces the temporary directory in an output with a stable placeholder so fixtures carry no
# machine paths.
scrub() { sed -e "s#$WORK/#WORKDIR/#g" -e "s#$WORK#WORKDIR#g" -e "s#$HOME/#HOME/#g"; }

npm_tools() {
  if [ ! -d "$WORK/npm/node_modules" ]; then
    mkdir -p "$WORK/npm"
    (cd "$WORK/npm" && npm init -y >/dev/null && npm i --no-audit --no-fund --silent \
      vitest@4 tinybench@6 tinybench2@npm:tinybench@2 tinybench3@npm:tinybench@3 benchmark@2 autocannon@9 >/dev/null)
  fi
}

# --- hyperfine: JSON export of two commands, 5 runs each -------------------------------------
if selected hyperfine; then
  if have hyperfine; then
    mkdir -p "$OUT/hyperfine"
    (cd "$WORK" && hyperfine --style none --warmup 1 --runs 5 --export-json "$OUT/hyperfine/two-commands.json" \
      -n sleep-short 'sleep 0.01' -n sleep-long 'sleep 0.02' >/dev/null)
    (cd "$WORK" && hyperfine --style none --runs 3 --export-json "$OUT/hyperfine/parameter-scan.json" \
      --parameter-scan n 1 2 'sleep 0.0{n}' >/dev/null)
  else skip hyperfine "hyperfine not found"; fi
fi

# --- go test -bench: text, with -benchmem, a custom ReportMetric, SetBytes and -count 3 ---------
if selected go; then
  if have go; then
    mkdir -p "$OUT/go" "$WORK/gobench"
    cat >"$WORK/gobench/go.mod" <<'EOF'
module example.com/fixture

go 1.19
EOF
    cat >"$WORK/gobench/fixture_test.go" <<'EOF'
package fixture

import (
	"sort"
	"strconv"
	"strings"
	"testing"
)

func BenchmarkSort(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s := []int{5, 2, 8, 1, 9, 3, 7, 4, 6, 0}
		sort.Ints(s)
	}
}

func BenchmarkJoin(b *testing.B) {
	parts := []string{"a", "b", "c", "d"}
	b.SetBytes(7)
	for i := 0; i < b.N; i++ {
		_ = strings.Join(parts, ",")
	}
}

func BenchmarkItoa(b *testing.B) {
	for _, n := range []int{7, 123456789} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				_ = strconv.Itoa(n)
			}
			b.ReportMetric(float64(len(strconv.Itoa(n))), "digits/op")
		})
	}
}
EOF
    (cd "$WORK/gobench" && GOFLAGS=-mod=mod go test -run '^$' -bench . -benchmem -benchtime 2000x -count 3 . \
      | scrub >"$OUT/go/count3-benchmem.txt")
    (cd "$WORK/gobench" && GOFLAGS=-mod=mod go test -run '^$' -bench 'Sort|Join' -benchtime 2000x -count 1 . \
      | scrub >"$OUT/go/count1.txt")
  else skip go "go not found"; fi
fi

# --- benchmark.js: the usual String(event.target) lines from a suite ---------------------------
if selected benchmarkjs; then
  npm_tools
  mkdir -p "$OUT/benchmarkjs"
  cat >"$WORK/npm/bjs.cjs" <<'EOF'
const Benchmark = require('benchmark');
new Benchmark.Suite()
  .add('RegExp#test', () => /o/.test('Hello World!'))
  .add('String#indexOf', () => 'Hello World!'.indexOf('o') > -1)
  .add('Array#join (long name, with spaces)', () => ['a', 'b', 'c'].join(','))
  .on('cycle', (event) => console.log(String(event.target)))
  .on('complete', function () { console.log('Fastest is ' + this.filter('fastest').map('name')); })
  .run({ maxTime: 0.3, minSamples: 5 });
EOF
  (cd "$WORK/npm" && node bjs.cjs >"$OUT/benchmarkjs/suite.txt")
fi

# --- vitest bench --outputJson ------------------------------------------------------------------
if selected vitest; then
  npm_tools
  mkdir -p "$OUT/vitest"
  cat >"$WORK/npm/sort.bench.mjs" <<'EOF'
import { bench, describe } from 'vitest';

describe('sort', () => {
  bench('normal', () => { [5, 2, 8, 1, 9, 3].sort((a, b) => a - b); }, { time: 100 });
  bench('reverse', () => { [5, 2, 8, 1, 9, 3].reverse(); }, { time: 100 });
});
bench('top-level join', () => { ['a', 'b'].join(','); }, { time: 100 });
EOF
  (cd "$WORK/npm" && npx vitest bench --run --outputJson vitest.json sort.bench.mjs >/dev/null 2>&1)
  scrub <"$WORK/npm/vitest.json" >"$OUT/vitest/bench.json"
fi

# --- tinybench: bench.table() as JSON, and console.table as text -------------------------------
if selected tinybench; then
  npm_tools
  mkdir -p "$OUT/tinybench"
  cat >"$WORK/npm/tb.mjs" <<'EOF'
import { Bench } from 'tinybench';
const bench = new Bench({ name: 'fixture', time: 100 });
bench
  .add('faster task', () => { [3, 1, 2].sort(); })
  .add('slower task', () => { JSON.parse(JSON.stringify({ a: [1, 2, 3], b: 'x' })); });
await bench.run();
if (process.argv[2] === 'json') console.log(JSON.stringify(bench.table(), null, 2));
else console.table(bench.table());
EOF
  (cd "$WORK/npm" && node tb.mjs json >"$OUT/tinybench/table.json" && node tb.mjs text >"$OUT/tinybench/console-table.txt")
  # Older majors: v2 names its columns differently ("ops/sec", "Average Time (ns)"); v3 as v6.
  for v in 2 3; do
    sed -e "s/from 'tinybench'/from 'tinybench$v'/" \
      "$WORK/npm/tb.mjs" >"$WORK/npm/tb$v.mjs"
    (cd "$WORK/npm" && node "tb$v.mjs" json >"$OUT/tinybench/table-v$v.json")
  done
fi

# --- autocannon --json against a tiny local server ---------------------------------------------
if selected autocannon; then
  npm_tools
  mkdir -p "$OUT/autocannon"
  cat >"$WORK/npm/server.cjs" <<'EOF'
const http = require('node:http');
const s = http.createServer((req, res) => res.end('hello'));
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
EOF
  node "$WORK/npm/server.cjs" >"$WORK/port" &
  SERVER=$!
  for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  (cd "$WORK/npm" && npx autocannon --json -c 4 -d 2 "http://127.0.0.1:$(cat "$WORK/port")/" \
    2>/dev/null >"$OUT/autocannon/run.json")
  kill "$SERVER"
fi

# --- pytest-benchmark --benchmark-json ----------------------------------------------------------
if selected pytest; then
  if python3 -c 'import pytest_benchmark' 2>/dev/null || /usr/bin/python3 -c 'import pytest_benchmark' 2>/dev/null; then
    PY=python3
    python3 -c 'import pytest_benchmark' 2>/dev/null || PY=/usr/bin/python3
    mkdir -p "$OUT/pytest" "$WORK/py"
    cat >"$WORK/py/test_fixture.py" <<'EOF'
import time


def test_sorted(benchmark):
    data = list(range(2000, 0, -1))
    benchmark.pedantic(sorted, args=(data,), rounds=12, iterations=20)


def test_sleep(benchmark):
    benchmark(time.sleep, 0.002)
EOF
    (cd "$WORK/py" && "$PY" -m pytest -q -p no:cacheprovider --benchmark-json=out.json \
      --benchmark-max-time=0.05 test_fixture.py >/dev/null)
    scrub <"$WORK/py/out.json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
# The machine and commit blocks describe this machine, not the format; keep their keys, blank the values.
for k in ("machine_info", "commit_info"):
    d[k] = {key: None for key in d.get(k, {})}
json.dump(d, sys.stdout, indent=4)
' >"$OUT/pytest/benchmark.json"
  else skip pytest "pytest-benchmark not importable"; fi
fi

# --- Google Benchmark: JSON, with and without repetitions, custom time unit --------------------
if selected google-benchmark; then
  if have g++ && [ -e /usr/include/benchmark/benchmark.h ]; then
    mkdir -p "$OUT/google-benchmark" "$WORK/gb"
    cat >"$WORK/gb/bench.cc" <<'EOF'
#include <benchmark/benchmark.h>
#include <algorithm>
#include <string>
#include <vector>

static void BM_Sort(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<int> v(state.range(0));
    for (int i = 0; i < (int)v.size(); ++i) v[i] = (i * 7919) % 101;
    std::sort(v.begin(), v.end());
    benchmark::DoNotOptimize(v.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sort)->Arg(8)->Arg(64)->Unit(benchmark::kMicrosecond);

static void BM_StringCopy(benchmark::State& state) {
  std::string x = "hello, world";
  for (auto _ : state) {
    std::string copy(x);
    benchmark::DoNotOptimize(copy);
  }
  state.SetBytesProcessed(state.iterations() * x.size());
  state.counters["strings"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StringCopy);

BENCHMARK_MAIN();
EOF
    g++ -O2 -std=c++17 "$WORK/gb/bench.cc" -o "$WORK/gb/bench" -lbenchmark -lpthread
    "$WORK/gb/bench" --benchmark_format=json --benchmark_min_time=0.01 2>/dev/null | scrub \
      >"$OUT/google-benchmark/single.json"
    "$WORK/gb/bench" --benchmark_format=json --benchmark_min_time=0.01 --benchmark_repetitions=3 2>/dev/null \
      | scrub >"$OUT/google-benchmark/repetitions.json"
    "$WORK/gb/bench" --benchmark_format=json --benchmark_min_time=0.01 --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true 2>/dev/null | scrub >"$OUT/google-benchmark/aggregates-only.json"
  else skip google-benchmark "g++ or libbenchmark-dev not found"; fi
fi

# --- Catch2 v2: XML reporter with BENCHMARK ----------------------------------------------------
if selected catch2; then
  if have g++ && [ -e /usr/include/catch2/catch.hpp ]; then
    mkdir -p "$OUT/catch2" "$WORK/c2"
    cat >"$WORK/c2/bench.cc" <<'EOF'
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>
#include <algorithm>
#include <vector>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

TEST_CASE("Fibonacci") {
  BENCHMARK("fib 10") { return fib(10); };
  BENCHMARK("fib 15") { return fib(15); };
}

TEST_CASE("Sorting") {
  BENCHMARK_ADVANCED("sort 100")(Catch::Benchmark::Chronometer meter) {
    std::vector<int> v(100);
    meter.measure([&] {
      for (int i = 0; i < 100; ++i) v[i] = (i * 7919) % 101;
      std::sort(v.begin(), v.end());
      return v[0];
    });
  };
}
EOF
    g++ -O2 -std=c++17 "$WORK/c2/bench.cc" -o "$WORK/c2/bench"
    "$WORK/c2/bench" --reporter xml --benchmark-samples 20 --benchmark-resamples 1000 | scrub \
      >"$OUT/catch2/benchmarks.xml"
    # The default console reporter, as github-action-benchmark and Bencher read it.
    "$WORK/c2/bench" --benchmark-samples 20 --benchmark-resamples 1000 | scrub >"$OUT/catch2/console.txt"
  else skip catch2 "g++ or catch2 headers not found"; fi
fi

# --- Rust: libtest #[bench] and criterion (console and --output-format bencher) ----------------
# Offline, from Debian's packaged crates (librust-criterion-dev); #[bench] needs a nightly
# feature, enabled on the stable toolchain with RUSTC_BOOTSTRAP=1.
if selected libtest || selected criterion; then
  if have cargo && [ -d /usr/share/cargo/registry/criterion-0.3.6 ]; then
    mkdir -p "$OUT/libtest" "$OUT/criterion" "$WORK/rs/src" "$WORK/rs/benches" "$WORK/rs/.cargo"
    cat >"$WORK/rs/.cargo/config.toml" <<'TOML'
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
TOML
    cat >"$WORK/rs/Cargo.toml" <<'TOML'
[package]
name = "fixture"
version = "0.1.0"
edition = "2021"

[dev-dependencies]
criterion = { version = "0.3", default-features = false }

[[bench]]
name = "crit"
harness = false

[[bench]]
name = "libtest"
TOML
    echo 'pub fn fib(n: u64) -> u64 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }' >"$WORK/rs/src/lib.rs"
    cat >"$WORK/rs/benches/libtest.rs" <<'RS'
#![feature(test)]
extern crate test;
use test::{black_box, Bencher};

#[bench]
fn fib_10(b: &mut Bencher) { b.iter(|| fixture::fib(black_box(10))); }

#[bench]
fn fib_20(b: &mut Bencher) { b.iter(|| fixture::fib(black_box(20))); }

#[bench]
fn copy_4k(b: &mut Bencher) {
    let src = vec![7u8; 4096];
    b.bytes = src.len() as u64;
    b.iter(|| black_box(src.clone()));
}

#[bench]
#[ignore]
fn ignored(b: &mut Bencher) { b.iter(|| 1); }
RS
    cat >"$WORK/rs/benches/crit.rs" <<'RS'
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    c.bench_function("fib 15", |b| b.iter(|| fixture::fib(black_box(15))));
    let mut group = c.benchmark_group("Fibonacci");
    for n in [10u64, 20] {
        group.bench_with_input(BenchmarkId::new("Recursive", n), &n, |b, &n| b.iter(|| fixture::fib(black_box(n))));
    }
    group.finish();
    let mut g = c.benchmark_group("copy");
    g.throughput(Throughput::Bytes(4096));
    g.bench_function("4k", |b| { let v = vec![1u8; 4096]; b.iter(|| black_box(v.clone())) });
    g.finish();
    c.bench_function("a benchmark with a rather long name that wraps the line", |b| b.iter(|| fixture::fib(black_box(5))));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10)
        .measurement_time(std::time::Duration::from_millis(300))
        .warm_up_time(std::time::Duration::from_millis(100));
    targets = bench
}
criterion_main!(benches);
RS
    (cd "$WORK/rs" && RUSTC_BOOTSTRAP=1 cargo bench --quiet --bench libtest 2>/dev/null | scrub >"$OUT/libtest/cargo-bench.txt")
    (cd "$WORK/rs" && RUSTC_BOOTSTRAP=1 cargo bench --quiet --bench crit 2>/dev/null | scrub >"$OUT/criterion/console.txt")
    (cd "$WORK/rs" && RUSTC_BOOTSTRAP=1 cargo bench --quiet --bench crit -- --output-format bencher 2>/dev/null | scrub \
      >"$OUT/criterion/bencher.txt")
  else skip libtest "cargo or Debian's librust-criterion-dev not found"; fi
fi

# --- Ruby: Benchmark.bm, Benchmark.bmbm (standard library) and benchmark-ips ------------------
if selected ruby-benchmark; then
  if have ruby; then
    mkdir -p "$OUT/ruby-benchmark"
    cat >"$WORK/bm.rb" <<'RB'
require 'benchmark'
n = 200_000
Benchmark.bm(7) do |x|
  x.report('for:') { for i in 1..n; a = '1'; end }
  x.report('times:') { n.times { a = '1' } }
  x.report('upto:') { 1.upto(n) { a = '1' } }
end
RB
    cat >"$WORK/bmbm.rb" <<'RB'
require 'benchmark'
array = (1..200_000).map { rand }
Benchmark.bmbm do |x|
  x.report('sort!') { array.dup.sort! }
  x.report('sort') { array.dup.sort }
end
RB
    ruby "$WORK/bm.rb" >"$OUT/ruby-benchmark/bm.txt"
    ruby "$WORK/bmbm.rb" >"$OUT/ruby-benchmark/bmbm.txt"
    if ruby -e 'require "benchmark/ips"' 2>/dev/null; then
      cat >"$WORK/ips.rb" <<'RB'
require 'benchmark/ips'
Benchmark.ips do |x|
  x.config(time: 1, warmup: 0.2)
  x.report('addition') { 1 + 2 }
  x.report('addition with a very long label') { 1.+(2) }
  x.compare!
end
RB
      ruby "$WORK/ips.rb" >"$OUT/ruby-benchmark/ips.txt"
    else skip benchmark-ips "ruby-benchmark-ips not installed"; fi
  else skip ruby-benchmark "ruby not found"; fi
fi

# --- console.time: Node.js's console.timeEnd lines ---------------------------------------------
if selected console-time; then
  mkdir -p "$OUT/console-time"
  node -e '
    const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
    console.time("fib 25"); fib(25); console.timeEnd("fib 25");
    console.time("sort"); Array.from({ length: 1e5 }, () => Math.random()).sort(); console.timeEnd("sort");
    for (let i = 0; i < 3; i++) { console.time("parse"); JSON.parse(JSON.stringify({ a: Array(1e4).fill(i) })); console.timeEnd("parse"); }
    console.log("done");
  ' >"$OUT/console-time/node.txt"
fi

echo "fixtures written to $OUT" >&2
