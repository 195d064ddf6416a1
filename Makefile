# loa — common tasks. `make run` and `make test` are the README's quick start.
SWIFT ?= swift
SCHEDULE ?= schedules
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all deps build release check-release install uninstall run test lint format bench audio clean

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
# (nothing to install beside the binary), relative relocations packed (lld's
# RELR: 17 KB where there were 2.1 MB for the dynamic linker to read at
# every start), and no symbols exported (nothing loads the program as a library;
# 0 instead of 13,675 in .dynsym, which the dynamic linker would search).
# Both still pay: the daemon's resident memory (loa run on the sample
# station through ALSA's null, waiting / around an airing's start, medians
# of 5 runs) is
#   with both               16.1 / 22.8 MiB
#   without RELR            17.8 / 23.7 MiB
#   exporting its symbols   16.5 / 23.4 MiB
# check-release finds both in the binary, so that neither goes unnoticed
# (a change of linker drops RELR silently).
RELEASE = -c release --static-swift-stdlib -Xswiftc -use-ld=lld \
	-Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
	$(RELEASE_EXTRA)

release: deps
	$(SWIFT) build $(RELEASE)
	@$(MAKE) --no-print-directory check-release

check-release:
	@readelf -SW .build/release/loa | grep -q ' \.relr\.dyn ' || { \
		echo "check-release: .build/release/loa has no packed relocations (.relr.dyn)"; exit 1; }
	@readelf --dyn-syms -W .build/release/loa | awk 'NR > 3 && $$7 != "UND" { n++ } END { exit n > 0 }' || { \
		echo "check-release: .build/release/loa exports symbols (--no-export-dynamic lost)"; exit 1; }

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
	@$(MAKE) --no-print-directory check-release
	.build/release/loa-bench

# Regenerates the sample audio (needs espeak-ng and sox).
audio:
	scripts/make-sample-audio.sh

clean:
	rm -rf .build
