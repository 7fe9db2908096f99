# Pace build script: the shipped libpace.so with the release flags that
# Package.swift must not carry (static Swift runtime, CPU target, version
# script), plus the header and the pkg-config file, all under build/.
#
#   make                 build/lib/libpace.so (host ISA), build/lib/baseline/libpace.so (portable),
#                        build/include/pace.h, build/lib/pkgconfig/pace.pc, build/bin/pace
#   make lib             the host-ISA library, header and pkg-config file only
#   make baseline        build/lib/baseline/libpace.so only
#   make bench           the benchmark table (Benchmarks/run; BENCH_ARGS="--quick" etc.)
#   make bench-isa       fill_f32 of 10^7 from both ISA builds in one run, 1 and all threads (BENCH_ISA_ARGS)
#   make install PREFIX=/usr/local
#   make strip           build/dist/lib/libpace.so stripped (+ libpace.so.debug), from WHEEL_LIB
#   make wheel           build/dist/pace-VERSION-py3-none-PLATFORM.whl (the binding + stripped library)
#   make test            every test (Swift, C ABI, symbols, valgrind, Python)
#   make demo            the end-to-end demo (README's main job)
#   make sanitize        C tests on address/UB- and thread-sanitized builds, fuzzing (scripts/sanitize)

PREFIX  ?= /usr/local
BUILD   := build
VERSION := $(shell sed -n 's/^\#define PACE_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' include/pace.h | paste -sd.)
SCRATCH := .build-release
BASELINE_SCRATCH := .build-release-baseline
ROOT    := $(abspath .)

# Build for the host's vector ISA: x86-64-v4 (AVX-512 F/DQ/BW/VL: the fills
# run eight float64 lanes per instruction) or x86-64-v3 (AVX2 and FMA: four
# lanes), as scripts/host-isa finds it. Swift has no target-feature
# conditionals, so the ISA also goes in as compilation conditions
# (pace_build_info reports it); v4 builds set both. PACE_ISA=v3 (or baseline)
# on the make command line picks a lower level.
PACE_ISA ?= $(shell scripts/host-isa)
ifeq ($(PACE_ISA),v4)
CPU_FLAGS := -Xswiftc -target-cpu -Xswiftc skylake-avx512 -Xswiftc -DPACE_ISA_X86_64_V3 -Xswiftc -DPACE_ISA_X86_64_V4
else ifeq ($(PACE_ISA),v3)
CPU_FLAGS := -Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DPACE_ISA_X86_64_V3
endif

# Linked by lld (the toolchain's), not the default gold: gold keeps every
# symbol that a GOT or TLS relocation names in .dynsym, as a LOCAL entry
# once the version script hides it (Swift type descriptors and witness
# tables, libdispatch's __dispatch_tsd: ~50 names in nm -D); lld resolves
# those relocations in place and .dynsym holds exactly the header's
# functions (abi-tests/c/check_symbols.sh).
LINK_FLAGS := -Xswiftc -use-ld=lld -Xlinker --version-script=$(ROOT)/scripts/pace.map -Xlinker -soname=libpace.so
RELEASE_FLAGS := -c release --scratch-path $(SCRATCH) -Xswiftc -static-stdlib $(CPU_FLAGS) $(LINK_FLAGS)
# The portable baseline: the compiler's default CPU, no ISA condition, its own
# scratch folder (different flags would otherwise rebuild the host one).
BASELINE_FLAGS := -c release --scratch-path $(BASELINE_SCRATCH) -Xswiftc -static-stdlib $(LINK_FLAGS)

SWIFT_SOURCES := $(shell find Sources include -type f) Package.swift

.PHONY: all lib baseline cli install strip wheel test test-swift test-c test-python demo bench bench-isa quality sanitize clean

all: lib baseline cli

lib: $(BUILD)/lib/libpace.so $(BUILD)/include/pace.h $(BUILD)/lib/pkgconfig/pace.pc

cli: $(BUILD)/bin/pace

# The command-line tool (static Swift runtime too, so it runs without Swift).
$(BUILD)/bin/pace: $(SWIFT_SOURCES) $(ISA_STAMP)
	swift build -c release --scratch-path $(SCRATCH) -Xswiftc -static-stdlib $(CPU_FLAGS) --product pace-cli
	mkdir -p $(BUILD)/bin
	cp $(SCRATCH)/release/pace-cli $@.tmp && mv -f $@.tmp $@

# A stamp per ISA level: changing PACE_ISA rebuilds the host library and tool.
ISA_STAMP := $(BUILD)/.isa-$(PACE_ISA)
$(ISA_STAMP):
	mkdir -p $(BUILD)
	rm -f $(BUILD)/.isa-*
	touch $@

$(BUILD)/lib/libpace.so: $(SWIFT_SOURCES) scripts/pace.map $(ISA_STAMP)
	swift build $(RELEASE_FLAGS) --product pace
	mkdir -p $(BUILD)/lib
	cp $(SCRATCH)/release/libpace.so $@.tmp && mv -f $@.tmp $@  # never rewrite a loaded library in place

baseline: $(BUILD)/lib/baseline/libpace.so

# Same soname: LD_LIBRARY_PATH=build/lib/baseline or PACE_LIBRARY selects it.
# When the host build is the baseline (no AVX2+FMA, or PACE_ISA=baseline): copied.
ifneq ($(PACE_ISA),baseline)
$(BUILD)/lib/baseline/libpace.so: $(SWIFT_SOURCES) scripts/pace.map
	swift build $(BASELINE_FLAGS) --product pace
	mkdir -p $(BUILD)/lib/baseline
	cp $(BASELINE_SCRATCH)/release/libpace.so $@.tmp && mv -f $@.tmp $@
else
$(BUILD)/lib/baseline/libpace.so: $(BUILD)/lib/libpace.so
	mkdir -p $(BUILD)/lib/baseline
	cp $< $@.tmp && mv -f $@.tmp $@
endif

$(BUILD)/include/pace.h: include/pace.h
	mkdir -p $(BUILD)/include
	cp $< $@

$(BUILD)/lib/pkgconfig/pace.pc: scripts/pace.pc.in include/pace.h
	mkdir -p $(BUILD)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(ROOT)/$(BUILD)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: lib cli
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BUILD)/lib/libpace.so $(DESTDIR)$(PREFIX)/lib/libpace.so
	if [ -f $(BUILD)/lib/baseline/libpace.so ]; then install -d $(DESTDIR)$(PREFIX)/lib/pace/baseline && \
	  install -m 755 $(BUILD)/lib/baseline/libpace.so $(DESTDIR)$(PREFIX)/lib/pace/baseline/libpace.so; fi
	install -m 644 include/pace.h $(DESTDIR)$(PREFIX)/include/pace.h
	if [ -f $(BUILD)/bin/pace ]; then install -d $(DESTDIR)$(PREFIX)/bin && install -m 755 $(BUILD)/bin/pace $(DESTDIR)$(PREFIX)/bin/pace; fi
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' scripts/pace.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pace.pc

# Distribution: the library stripped, its debug info kept in a separate file
# that debuggers find through the debuglink; the wheel bundles the stripped
# copy. WHEEL_LIB: the portable baseline build by default (a wheel must run
# on any x86-64); WHEEL_LIB=build/lib/libpace.so bundles the host-ISA build.
WHEEL_LIB ?= $(BUILD)/lib/baseline/libpace.so
DIST := $(BUILD)/dist

strip: $(DIST)/lib/libpace.so

$(DIST)/lib/libpace.so: $(WHEEL_LIB)
	mkdir -p $(DIST)/lib
	objcopy --only-keep-debug $< $(DIST)/lib/libpace.so.debug
	objcopy --strip-unneeded --add-gnu-debuglink=$(DIST)/lib/libpace.so.debug $< $@.tmp && mv -f $@.tmp $@
	@echo "strip: $< $$(stat -c %s $<) bytes -> $@ $$(stat -c %s $@) bytes (debug info in $(DIST)/lib/libpace.so.debug)"

wheel: $(DIST)/lib/libpace.so
	scripts/build-wheel $< $(DIST)

test: lib baseline cli
	scripts/run-tests

demo: lib cli
	scripts/run-demo

bench: lib baseline
	Benchmarks/run $(BENCH_ARGS)

# The baseline and host-ISA libraries side by side (Benchmarks/python/bench_fill_isa.py):
# fills of 10^7 on 1 and all threads against numpy and memset, wall and CPU time.
bench-isa: lib baseline
	python3 Benchmarks/python/bench_fill_isa.py $(BENCH_ISA_ARGS)

# The schedule-quality benchmark (Benchmarks/quality/README.md): about 30 min on 2 shared
# cores; QUALITY_ARGS=--quick for a few minutes.
quality: lib
	python3 Benchmarks/quality/run.py $(QUALITY_ARGS)

# The C tests against address+UB- and thread-sanitized debug builds of the
# library, and the fuzz targets on the instrumented one (scripts/sanitize).
sanitize:
	scripts/sanitize

clean:
	rm -rf $(BUILD) $(SCRATCH) $(BASELINE_SCRATCH)
