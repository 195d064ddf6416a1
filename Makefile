# loa — common tasks. `make run` and `make test` are the README's quick start.
SWIFT ?= swift
SCHEDULE ?= schedules
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all deps build release install uninstall run test lint format bench layout audio clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The main job: the daemon on the sample station, as if it were 05:29:50 on
# 1 October 2025, so that the morning program airs 10 seconds after it
# starts; it stops once that airing has ended, and shows the airing log.
# With no sound card it plays into state/demo/on-air.wav. Each run starts
# a fresh demo log (state/demo), keeping the audio measurements.
DEMO_STATE = state/demo
DEMO_OUTPUT ?= $(shell ls /dev/snd/pcmC*D*p >/dev/null 2>&1 && echo default || echo "file:'$(DEMO_STATE)/on-air.wav',wav")

run: build
	$(SWIFT) run loa validate $(SCHEDULE)
	rm -rf $(DEMO_STATE)/airings.sqlite* $(DEMO_STATE)/log-writers $(DEMO_STATE)/on-air.wav
	$(SWIFT) run loa run --schedule $(SCHEDULE) --state $(DEMO_STATE) --output "$(DEMO_OUTPUT)" \
		--pretend-time "2025-10-01 05:29:50" --stop-after 1
	$(SWIFT) run loa log --schedule $(SCHEDULE) --state $(DEMO_STATE)

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

lint:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Package.swift Sources Tests Benchmarks

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Package.swift Sources Tests Benchmarks

# The release build, as a station runs it: the Swift runtime linked in
# (nothing to install beside the binary), and relative relocations packed
# (lld's RELR), which keeps the program position-independent while sparing
# the startup the pages of 2 MB of relocations (measured: 1.2–1.4 MB less
# resident memory). The rest keeps the code a station runs from spreading
# over the 20 MB binary, each piece of it resident with the 64 KiB around
# it: every function in a section of its own, the ones the station runs
# placed together (scripts/hot-code.txt, made by scripts/order-hot-code.sh),
# and no symbol table for the dynamic linker to search on every lookup.
RELEASE = -c release --static-swift-stdlib -Xswiftc -use-ld=lld \
	-Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
	-Xlinker --symbol-ordering-file=$(CURDIR)/scripts/hot-code.txt -Xlinker --no-warn-symbol-ordering \
	$(RELEASE_EXTRA)

release: deps
	$(SWIFT) build $(RELEASE)

# On a station, after `make release` as yourself: `sudo make install` puts
# the program, the systemd unit, the loa user, the sample schedule and audio
# in place (scripts/install.sh says what goes where).
install:
	scripts/install.sh

# Keeps the airing log, the audio and the schedule.
uninstall:
	scripts/uninstall.sh

# Benchmarks are not tests: they print a table of figures.
bench:
	@scripts/install-deps.sh --bench
	$(SWIFT) build $(RELEASE)
	.build/release/loa-bench

# Regenerates scripts/hot-code.txt (needs valgrind; a few minutes).
layout:
	scripts/order-hot-code.sh

# Regenerates the sample audio (needs espeak-ng and sox).
audio:
	scripts/make-sample-audio.sh

clean:
	rm -rf .build
