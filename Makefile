# klpsv: livepatch shadow variables and system states for stock kernels.
#
#   make demo    boot the test VM and walk through the shadow-variable use cases
#   make test    host tests, module build (zero warnings), the VM suite,
#                the check that a lockup in the VM ends the run
#   make bench   klpsv against the kernel's klp_shadow_*, in the VM
#   make test-cycles
#                1,000 load/unload cycles of klpsv with shadows left behind, in the VM
#   make test-debug [FLAVOUR=kasan|kcsan] [SHARDS=N]
#                the VM suite on a debug kernel built from Debian's source,
#                split between N VMs at once
#
# Both run `make setup` first; it is fast when everything is installed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

REPO      := $(CURDIR)
KVER      ?= $(shell scripts/kernel 2>/dev/null)
KDIR      ?= $(shell scripts/kernel --kdir 2>/dev/null)
SWIFT     ?= swift
BUILD_LOG := .build-logs
FLAVOUR   ?= kasan
SHARDS    ?= 1

.PHONY: all setup modules sparse swift test test-host test-vm test-lockup test-cycles demo bench debug-kernel test-debug clean help

all: modules swift

help:
	@echo "make setup      install what the project needs (Debian packages, virtme-ng venv)"
	@echo "make modules    build kmod/ against Debian's kernel headers, failing on any warning"
	@echo "make swift      build shadowctl and the test bundles"
	@echo "make test       host tests, module build, the VM suite, the VM's lockup check"
	@echo "make demo       boot the test VM and run the shadow-variable walkthrough"
	@echo "make bench      boot the test VM, benchmark klpsv against the kernel (bench/)"
	@echo "make test-cycles  1,000 load/unload cycles of klpsv with shadows left behind, in the VM"
	@echo "make debug-kernel [FLAVOUR=kasan|kcsan]"
	@echo "                build a kernel with KASAN or KCSAN, lockdep, kmemleak, ... (cached)"
	@echo "make test-debug [FLAVOUR=kasan|kcsan] [SHARDS=N]"
	@echo "                the VM suite on that kernel, failing on any checker's report,"
	@echo "                split between N VMs that run at once (one host CPU each)"
	@echo "make clean      remove build outputs"

setup:
	@scripts/setup

# A warning fails the build: the log is kept and searched.
modules: setup
	@test -n "$(KDIR)" || { echo "make: no kernel headers found (run scripts/kernel)" >&2; exit 1; }
	@mkdir -p $(BUILD_LOG)
	@scripts/upstream-tests
	@echo "modules: building kmod/ for $(KVER)"
	@if ! $(MAKE) --no-print-directory -C kmod KDIR=$(KDIR) > $(BUILD_LOG)/kmod.log 2>&1; then \
		cat $(BUILD_LOG)/kmod.log >&2; echo "modules: build failed" >&2; exit 1; fi
	@if grep -q -i 'warning:' $(BUILD_LOG)/kmod.log; then \
		grep -i -A4 'warning:' $(BUILD_LOG)/kmod.log >&2; \
		echo "modules: compiler warnings (full log: $(BUILD_LOG)/kmod.log)" >&2; exit 1; fi
	@ls kmod/*.ko >/dev/null
	@echo "modules: $$(ls kmod/*.ko | xargs -n1 basename | tr '\n' ' ')built with zero warnings"

# sparse over every module source; reports only.
sparse: setup
	@$(MAKE) --no-print-directory -C kmod KDIR=$(KDIR) clean >/dev/null
	@$(MAKE) --no-print-directory -C kmod KDIR=$(KDIR) C=2 CHECK=sparse 2>&1 | grep -v -E '^\s+(CC|LD|CHECK|MODPOST|BTF)|Skipping BTF|^make' || true

swift: setup
	@echo "swift: building shadowctl and tests"
	@mkdir -p $(BUILD_LOG)
	@$(SWIFT) build --build-tests > $(BUILD_LOG)/swift.log 2>&1 || { tail -n 60 $(BUILD_LOG)/swift.log >&2; exit 1; }
	@grep -E 'warning:' $(BUILD_LOG)/swift.log >&2 || true
	@tail -n 1 $(BUILD_LOG)/swift.log

test-host: swift
	@echo "test-host: swift test (host)"
	@$(SWIFT) test --skip-build

# The VM's bound on the whole suite. A hang does not wait for it: the guest
# panics within a minute and the run ends with the kernel's report
# (docs/vm.md). It bounds a run that is slow but alive: single-threaded TCG
# on a shared 2-core host has taken more than 15 min.
TEST_VM_TIMEOUT ?= 2400

test-vm: modules swift
	@echo "test-vm: integration suite in the VM ($(KVER))"
	@scripts/vm --kernel $(KVER) --timeout $(TEST_VM_TIMEOUT) -- env KLPSV_KMOD_DIR=$(REPO)/kmod scripts/guest-integration.sh

# A CPU stuck in the guest must end a VM run within a minute (docs/vm.md).
test-lockup: modules
	@echo "test-lockup: a stuck guest CPU ends the VM run"
	@scripts/vm-lockup-test

test: test-host test-vm test-lockup

# The long run of the cycle test (the normal suite does 5 cycles).
test-cycles: modules swift
	@scripts/vm --kernel $(KVER) --timeout 3600 -- env KLPSV_KMOD_DIR=$(REPO)/kmod KLPSV_LONG=1 \
		sh -c 'cd /tmp && $(REPO)/.build/debug/klpsvPackageTests.xctest --testing-library swift-testing --filter CycleTests'

demo: modules swift
	@scripts/vm --kernel $(KVER) -- env KLPSV_KMOD_DIR=$(REPO)/kmod scripts/demo.sh

# The full benchmark in the VM: bench/results.json and bench/scaling.png.
# Fails when a target is missed. BENCH_FLAGS=--smoke for a quick look.
# Multi-threaded TCG: the two-thread runs need two vCPUs that really run at
# once; the bench patches no kernel text (docs/vm.md).
bench: modules swift
	@mkdir -p bench
	@status=0; scripts/vm --kernel $(KVER) --timeout 3600 --tcg multi -- env KLPSV_KMOD_DIR=$(REPO)/kmod sh -c \
		'.build/debug/shadowctl bench --strict $(BENCH_FLAGS) --output "$$KLPSV_VM_OUT/results.json" \
		--plot "$$KLPSV_VM_OUT/scaling.png" > "$$KLPSV_VM_OUT/bench.txt" || status=$$?; \
		cat "$$KLPSV_VM_OUT/bench.txt"; exit $${status:-0}' || status=$$?; \
	for f in results.json scaling.png bench.txt; do \
		if [ -f .vm/out/$$f ]; then cp .vm/out/$$f bench/$$f; fi; done; \
	echo "bench: bench/results.json, bench/scaling.png, bench/bench.txt"; exit $$status

# A kernel with the kernel's own checkers, from linux-source-6.1, cached
# outside the checkout (scripts/debug-kernel), and the suite on it.
debug-kernel:
	@scripts/setup --debug-kernel
	@scripts/debug-kernel --flavour $(FLAVOUR)

test-debug: swift
	@scripts/setup --debug-kernel
	@scripts/test-debug --flavour $(FLAVOUR) --shards $(SHARDS)

clean:
	@test -z "$(KDIR)" || $(MAKE) --no-print-directory -C kmod KDIR=$(KDIR) clean >/dev/null
	@rm -rf .build $(BUILD_LOG) .vm .build-debug-*
