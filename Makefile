# NanoTDB: `make run` builds and starts the daemon; `make test` runs every test.
BUILD ?= build
DATA ?= data
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
# ccache, when installed, makes rebuilds across checkouts cheap; the build does not need it.
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

.PHONY: all bootstrap configure build test run bench fuzz sanitize soak cross-test clean format

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(LAUNCHER) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@scripts/run-tests $(BUILD)

run: build
	@scripts/run-server $(BUILD) $(DATA)

bench: build
	@bench/run $(BUILD)

# An hour of mixed ingest, queries, dashboard polling and rollups against one daemon: RSS must
# stay flat within 5 % after warm-up and every request succeed (make test runs a minute of it).
SOAK_SECONDS ?= 3600
soak: build
	@python3 tests/integration/soak_test.py $(abspath $(BUILD))/bin/nanotdb $(abspath $(BUILD))/lib/nanotdb/plugins $(SOAK_SECONDS)

# Every libFuzzer target of tests/fuzz for FUZZ_SECONDS each (clang-14, ASan + UBSan).
FUZZ_SECONDS ?= 300
fuzz: bootstrap
	@JOBS=$(JOBS) scripts/run-fuzz $(BUILD)-fuzz $(FUZZ_SECONDS)

# Raspberry Pi builds (arm64, armhf, armel: docs/raspberry-pi.md) with Debian's cross
# toolchains and target packages, each .deb's nanotdb run under qemu-user: start, ingest, query
# the exact values back, stop. Installs qemu-user and the cross compilers it needs (not part of
# bootstrap, so make test stays as it is). CROSS_ARCHS="arm64" to build one.
CROSS_ARCHS ?= arm64 armhf armel
cross-test:
	@CROSS_ARCHS="$(CROSS_ARCHS)" JOBS=$(JOBS) scripts/cross-test

# The unit suite built with clang-14 under ASan + UBSan in $(BUILD)-asan (about 5 minutes cold).
sanitize: bootstrap
	@JOBS=$(JOBS) scripts/run-sanitized $(BUILD)-asan

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-asan
