#!/usr/bin/env bash
# Installs the Debian packages loa needs to build, test and run; with
# --bench, also what the benchmarks compare loa with.
# Idempotent: installs only what is missing; uses sudo when not root.
set -euo pipefail

packages=(
  pkg-config         # finds the C libraries for the Swift build
  libsndfile1-dev    # decoding audio (WAV, FLAC, Ogg Vorbis, Opus, MP3)
  libsamplerate0-dev # resampling every file to the station's rate
  libebur128-dev     # loudness (EBU R128) and true peak
  libasound2-dev     # ALSA output
  libsqlite3-dev     # the airing log (SQLite through GRDB)
  pulseaudio         # the tests' real-time device: a private server with a null sink
  libasound2-plugins # ALSA's pulse PCM, which plays into it
  pulseaudio-utils   # parec: the tests listen to the null sink's monitor
  faketime           # steps the daemon's wall clock in the clock-step test
  systemd            # systemd-analyze and systemd-sysusers check the unit in the tests
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(
    alsa-utils # aplay
    ffmpeg     # ffmpeg, decoding MP3 into ALSA
    mpg123     # mpg123, the same
    time       # GNU time: CPU time and peak memory of each run
    sqlite3    # the CSV export loa log is compared with
    liquidsoap       # a scheduler loa's start accuracy is compared with
  )
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
