# The set-up commands are `make demo`, `make check` and `make install`; the
# rest are for developers. Builds go to build/ (plain) and build-asan/
# (ASan+UBSan). `make install` puts passage under PREFIX (default
# /usr/local), inside DESTDIR when that is set (for packaging); `make
# uninstall` removes what the last install from this build put there.
JOBS ?= 2
MAKEFLAGS += --no-print-directory
BUILD ?= build
ASAN_BUILD ?= build-asan
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build build-asan check test demo bench fuzz fuzz-run fuzz-merge \
	torture format clean install uninstall

all: build

deps:
	@scripts/deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPASSAGE_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# Every test runs twice: in the plain build and under ASan+UBSan; the pg/
# tests (the store's contract, the CLI, report and HTTP suites again, and
# two servers on one database) on one throwaway PostgreSQL cluster that
# scripts/with-postgres starts for the whole run and stops after it.
check: build build-asan
	@scripts/with-postgres sh -c '\
	  cd $(BUILD) && ctest --output-on-failure -j$(JOBS) && cd $(CURDIR) && \
	  cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS)'

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@scripts/demo $(BUILD)/passage

install: build
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD) | grep -v '^-- Up-to-date' || true
	@echo "installed passage in $(DESTDIR)$(PREFIX)/bin; man passage, and"
	@echo "'passage --help' for the commands (a new shell completes them)"

# What the last install from this build wrote (CMake's manifest, whose paths
# leave DESTDIR out), then the folders that are passage's own, once empty.
uninstall:
	@if [ ! -f $(BUILD)/install_manifest.txt ]; then \
	  echo "make uninstall: nothing installed from $(BUILD)/"; exit 1; fi
	@sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt | tr '\n' '\0' | \
	  xargs -0 rm -f
	@for d in "$(DESTDIR)$(PREFIX)/share/passage" \
	  "$(DESTDIR)$(PREFIX)/share/doc/passage"; do \
	  [ -d "$$d" ] && find "$$d" -depth -type d -empty -delete; done; true
	@rm -f $(BUILD)/install_manifest.txt
	@echo "removed passage from $(DESTDIR)$(PREFIX)"

bench: deps
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j$(JOBS)
	@bench/table build-release/passage

# Real libFuzzer binaries (clang 14), the libraries instrumented too; run
# one by hand with e.g.
#   build-fuzz/tests/fuzz/fuzz_ingest_csv tests/fuzz/corpus/fuzz_ingest_csv
# or all of them, one after another, with make fuzz-run (FUZZ_SECONDS each;
# FUZZ_HARNESSES to pick some). fuzz-merge does the same and then minimises
# each grown corpus into tests/fuzz/corpus/ (docs/internals/fuzzing.md).
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz: deps
	@CC=clang-14 cmake -S . -B build-fuzz -DPASSAGE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

fuzz-run: fuzz
	@scripts/fuzz-run build-fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-merge: fuzz
	@scripts/fuzz-run --merge build-fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# The long forms of the reliability tests (issue 15): crashes, full disk,
# hostile requests, access, a 30-minute soak and each fuzzer for 10
# minutes; prints the table of docs/RELIABILITY.md. Sizes by environment
# (KILLS, ROWS, SOAK_MINUTES, FUZZ_MINUTES, ONLY): tests/reliability/torture.
torture: build
	@tests/reliability/torture $(BUILD)/passage

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-release build-fuzz
