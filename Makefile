# klpsv: livepatch shadow variables and system states for stock kernels.
#
#   make demo    boot the test VM and walk through the shadow-variable use cases
#   make test    host tests, module build (zero warnings), the VM suite,
#                the check that a lockup in the VM ends the run, the Debian
#                packages installed, used in the VM and under lockdown
#   make deb     the Debian packages (klpsv-dkms, shadowctl) in .build-deb/
#   make bench   klpsv against the kernel's klp_shadow_*, in the VM
#   make test-cycles
#                1,000 load/unload cycles of klpsv with shadows left behind, in the VM
#   make test-debug [FLAVOUR=kasan|kcsan] [SHARDS=N]
#                the VM suite on a debug kernel built from Debian's source,
#                split between N VMs at once
#   make test-matrix [KERNELS="6.1 6.12 ..."]
#                the modules and the VM suite on every Debian kernel of the
#                matrix (6.1, 6.1-rt, 6.12, 6.12-rt), one summary line each
#
# KVER=KERNEL picks the kernel of test, demo, bench and test-cycles: a name
# of the matrix or a release (scripts/kernel); the default is 6.1, Debian 12's
# generic kernel. Its modules build in kmod/, any other kernel's in
# .build-kernel/RELEASE/kmod.
#
# All run `make setup` first; it is fast when everything is installed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

REPO      := $(CURDIR)
KVER      ?=
KREL      := $(shell scripts/kernel $(KVER) 2>/dev/null)
KDIR      ?= $(shell scripts/kernel --kdir $(KVER) 2>/dev/null)
KMOD      := $(if $(filter $(KREL),$(shell scripts/kernel 2>/dev/null)),kmod,.build-kernel/$(KREL)/kmod)
# The kernels of `make setup` and `make test-matrix`; empty: the whole matrix.
KERNELS   ?=
export KLPSV_KERNELS := $(KERNELS)
SWIFT     ?= swift
BUILD_LOG := .build-logs
FLAVOUR   ?= kasan
SHARDS    ?= 1

.PHONY: all setup modules sparse swift test test-host test-vm test-lockup test-package test-cycles demo bench debug-kernel test-debug modules-matrix test-matrix deb clean help

all: modules swift

help:
	@echo "make setup      install what the project needs (Debian packages, virtme-ng venv)"
	@echo "make modules    build kmod/ against Debian's kernel headers, failing on any warning"
	@echo "make swift      build shadowctl and the test bundles"
	@echo "make test       host tests, module build, the VM suite, the VM's lockup check,"
	@echo "                the Debian packages installed and used in the VM"
	@echo "make deb        the Debian packages klpsv-dkms and shadowctl, in .build-deb/"
	@echo "make demo       boot the test VM and run the shadow-variable walkthrough"
	@echo "make bench      boot the test VM, benchmark klpsv against the kernel (bench/)"
	@echo "make test-cycles  1,000 load/unload cycles of klpsv with shadows left behind, in the VM"
	@echo "make debug-kernel [FLAVOUR=kasan|kcsan]"
	@echo "                build a kernel with KASAN or KCSAN, lockdep, kmemleak, ... (cached)"
	@echo "make test-debug [FLAVOUR=kasan|kcsan] [SHARDS=N]"
	@echo "                the VM suite on that kernel, failing on any checker's report,"
	@echo "                split between N VMs that run at once (one host CPU each)"
	@echo "make modules-matrix [KERNELS=...]"
	@echo "                kmod/ built for every Debian kernel of the matrix, zero warnings"
	@echo "make test-matrix [KERNELS=...]"
	@echo "                the modules and the VM suite on every Debian kernel (6.1, 6.1-rt,"
	@echo "                6.12, 6.12-rt), one summary line each"
	@echo "KVER=KERNEL     the kernel of test, demo, bench: 6.1 (default), 6.1-rt, 6.12, 6.12-rt"
	@echo "                or a release such as 6.12.117+deb12-amd64"
	@echo "make clean      remove build outputs"

setup:
	@scripts/setup

# A warning fails the build: the log is kept and searched.
modules: setup
	@test -n "$(KREL)" || { scripts/kernel $(KVER) >/dev/null; exit 1; }
	@scripts/upstream-tests
	@scripts/build-modules $(KDIR) $(KMOD)

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
	@echo "test-vm: integration suite in the VM ($(KREL))"
	@scripts/vm --kernel $(KREL) --timeout $(TEST_VM_TIMEOUT) -- env KLPSV_KMOD_DIR=$(REPO)/$(KMOD) scripts/guest-integration.sh

# A CPU stuck in the guest must end a VM run within a minute (docs/vm.md).
test-lockup: modules
	@echo "test-lockup: a stuck guest CPU ends the VM run"
	@scripts/vm-lockup-test

# klpsv installed the Debian way: the packages built, installed (DKMS builds
# and signs klpsv.ko for every kernel with headers), used in the VM, under
# lockdown, and removed (scripts/test-package).
test-package: modules swift
	@echo "test-package: the Debian packages, installed, in the VM, removed"
	@scripts/test-package

test: test-host test-vm test-lockup test-package

# The Debian packages, in .build-deb/: klpsv-dkms_VERSION_all.deb and
# shadowctl_VERSION_amd64.deb (scripts/build-deb), lintian clean.
deb: setup
	@scripts/build-deb

# The long run of the cycle test (the normal suite does 5 cycles).
test-cycles: modules swift
	@scripts/vm --kernel $(KREL) --timeout 3600 -- env KLPSV_KMOD_DIR=$(REPO)/$(KMOD) KLPSV_LONG=1 \
		sh -c 'cd /tmp && $(REPO)/.build/debug/klpsvPackageTests.xctest --testing-library swift-testing --filter CycleTests'

demo: modules swift
	@scripts/vm --kernel $(KREL) -- env KLPSV_KMOD_DIR=$(REPO)/$(KMOD) scripts/demo.sh

# The full benchmark in the VM: bench/results.json and bench/scaling.png.
# Fails when a target is missed. BENCH_FLAGS=--smoke for a quick look.
# Multi-threaded TCG: the two-thread runs need two vCPUs that really run at
# once; the bench patches no kernel text (docs/vm.md).
bench: modules swift
	@mkdir -p bench
	@status=0; scripts/vm --kernel $(KREL) --timeout 3600 --tcg multi -- env KLPSV_KMOD_DIR=$(REPO)/$(KMOD) sh -c \
		'.build/debug/shadowctl bench --strict $(BENCH_FLAGS) --output "$$KLPSV_VM_OUT/results.json" \
		--plot "$$KLPSV_VM_OUT/scaling.png" > "$$KLPSV_VM_OUT/bench.txt" || status=$$?; \
		cat "$$KLPSV_VM_OUT/bench.txt"; exit $${status:-0}' || status=$$?; \
	if [ "$$status" -eq 123 ]; then echo "bench: the VM did not run: nothing copied" >&2; exit $$status; fi; \
	out=$${KLPSV_VM_STATE:-.vm}/out; for f in results.json scaling.png bench.txt; do \
		if [ -f $$out/$$f ]; then cp $$out/$$f bench/$$f; fi; done; \
	echo "bench: bench/results.json, bench/scaling.png, bench/bench.txt"; exit $$status

# A kernel with the kernel's own checkers, from linux-source-6.1, cached
# outside the checkout (scripts/debug-kernel), and the suite on it.
debug-kernel:
	@scripts/setup --debug-kernel
	@scripts/debug-kernel --flavour $(FLAVOUR)

test-debug: swift
	@scripts/setup --debug-kernel
	@scripts/test-debug --flavour $(FLAVOUR) --shards $(SHARDS)

# The matrix: modules and the VM suite on each kernel (scripts/test-matrix).
modules-matrix: setup
	@scripts/test-matrix --build-only

test-matrix: swift
	@scripts/setup
	@scripts/test-matrix

clean:
	@test -z "$(KDIR)" || $(MAKE) --no-print-directory -C kmod KDIR=$(KDIR) clean >/dev/null
	@rm -rf .build $(BUILD_LOG) .vm .vm-* .build-debug-* .build-kernel .build-deb
