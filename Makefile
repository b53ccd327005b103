# NanoTDB: `make run` builds and starts the daemon; `make test` runs every test.
BUILD ?= build
DATA ?= data
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)

.PHONY: all bootstrap configure build test run bench clean format

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@scripts/run-tests $(BUILD)

run: build
	@scripts/run-server $(BUILD) $(DATA)

bench: build
	@bench/run $(BUILD)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
