# Thin driver over CMake. The two commands the README promises:
#   make demo   install what is missing, build, run doe against the emulator:
#               topology, DOE protocols, CDAT, path performance, attestation,
#               a secure session
#   make check  install what is missing, build with ASan+UBSan, run every test
#               (unit, end-to-end, CLI goldens), then build and test optimised
#               with gcc and with clang (check-release), then each fuzzer briefly
BUILD      ?= build
CHECK      ?= build-check
FUZZ_BUILD ?= build-fuzz
REL_GCC    ?= build-rel-gcc
REL_CLANG  ?= build-rel-clang
FUZZ_SECONDS ?= 20
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DOE        := $(BUILD)/tools/doe/doe

.PHONY: all deps deps-check build demo check check-release test fuzz bench install clean

all: build

deps:
	@scripts/install-deps.sh build

deps-check:
	@scripts/install-deps.sh check

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	@echo
	@echo '$$ doe emulate --list-profiles'
	@$(DOE) emulate --list-profiles
	@echo
	@echo '$$ doe list emu'
	@$(DOE) list emu
	@echo
	@echo '$$ doe discover -j emu/0000:0f:00.0'
	@$(DOE) discover -j emu/0000:0f:00.0
	@echo
	@echo '$$ doe cdat emu/0000:0d:00.0        # the switch upstream port'
	@$(DOE) cdat emu/0000:0d:00.0
	@echo
	@echo '$$ doe cdat --validate emu/0000:0f:00.0   # a CXL type 3 endpoint'
	@$(DOE) cdat --validate emu/0000:0f:00.0
	@echo
	@echo '$$ doe cdat --path emu/0000:0f:00.0'
	@$(DOE) cdat --path emu/0000:0f:00.0
	@echo
	@echo '$$ doe attest emu/0000:0f:00.0      # CMA/SPDM: chain, challenge, signed measurements'
	@$(DOE) attest emu/0000:0f:00.0
	@echo
	@echo '$$ doe attest emu                   # every emulated device with CMA'
	@$(DOE) attest emu
	@echo
	@echo '$$ doe fm emu/mctp:8 switch          # the switch as a fabric manager sees it over MCTP'
	@$(DOE) fm emu/mctp:8 switch
	@echo
	@echo '$$ doe fm emu/mctp:8 vcs'
	@$(DOE) fm emu/mctp:8 vcs
	@echo
	@echo '$$ doe attest emu/mctp:8              # the same switch attested over MCTP'
	@$(DOE) attest emu/mctp:8
	@echo
	@echo '$$ doe attest --topology emu --policy examples/policy.json   # the tree, appraised'
	@$(DOE) attest --topology emu --policy examples/policy.json
	@echo
	@echo '$$ doe session --heartbeat 1 --key-update emu/0000:0f:00.0   # an SPDM secure session'
	@$(DOE) session --heartbeat 1 --key-update emu/0000:0f:00.0
	@echo
	@echo '$$ doe ide --setup --stream 1 emu/0000:0f:00.0   # IDE_KM over a session: the link goes Secure'
	@$(DOE) ide --setup --stream 1 emu/0000:0f:00.0

check: deps-check
	cmake -S . -B $(CHECK) -DCMAKE_BUILD_TYPE=Debug -DDOEKIT_SANITIZE=ON
	cmake --build $(CHECK) -j$(JOBS)
	cd $(CHECK) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) check-release
	$(MAKE) fuzz

# The sanitizer build is -O0, where GCC and clang do not run the analyses
# behind -Wmaybe-uninitialized and -Warray-bounds; a Release build with
# -Werror did break while make check passed. So both compilers build at -O2
# too, and the tests run again on what the optimiser made (about 10 s each).
check-release: deps-check
	cmake -S . -B $(REL_GCC) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc
	cmake --build $(REL_GCC) -j$(JOBS)
	cd $(REL_GCC) && ctest --output-on-failure -j$(JOBS)
	cmake -S . -B $(REL_CLANG) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang
	cmake --build $(REL_CLANG) -j$(JOBS)
	cd $(REL_CLANG) && ctest --output-on-failure -j$(JOBS)

fuzz: deps-check
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDOEKIT_FUZZ=ON \
		-DDOEKIT_SANITIZE=ON -DDOEKIT_TESTS=OFF -DDOEKIT_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	$(BUILD)/bench/doe_bench_mailbox
	$(BUILD)/bench/doe_bench_cdat
	$(BUILD)/bench/doe_bench_attest
	$(BUILD)/bench/doe_bench_session
	$(BUILD)/bench/doe_bench_fleet
	$(BUILD)/bench/doe_bench_fmapi
	$(BUILD)/bench/doe_bench_mctp

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK) $(FUZZ_BUILD) $(REL_GCC) $(REL_CLANG)
