#!/usr/bin/env bash
# Installs loa on a station (Debian with systemd), as root: sudo make install
#
#   /usr/local/bin/loa                          the program (make release)
#   /usr/local/lib/systemd/system/loa.service   the daemon's unit
#   /usr/local/lib/sysusers.d/loa.conf          the loa user and group
#   /usr/local/share/doc/loa/README.md          the manual
#   /etc/loa/*.yaml                             the schedule (the sample, if none yet)
#   /var/lib/loa/audio/                         the audio (the sample's, beside yours)
#
# An existing schedule or audio file is never overwritten. With DESTDIR,
# the files go under it and nothing else is done (packaging, tests).
set -euo pipefail
cd "$(dirname "$0")/.."

destdir=${DESTDIR:-}
binary=${LOA_BINARY:-.build/release/loa}
if [ ! -x "$binary" ]; then
  echo "error: $binary is not built; run make release first (as yourself, not root)" >&2
  exit 1
fi
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "error: installing needs root: sudo make install" >&2
  exit 1
fi

install -D -m 0755 "$binary" "$destdir/usr/local/bin/loa"
# Without its debugging information (80 MB of the 100), keeping its symbols.
strip --strip-debug "$destdir/usr/local/bin/loa"
install -D -m 0644 systemd/loa.service "$destdir/usr/local/lib/systemd/system/loa.service"
install -D -m 0644 systemd/loa.sysusers "$destdir/usr/local/lib/sysusers.d/loa.conf"
install -D -m 0644 README.md "$destdir/usr/local/share/doc/loa/README.md"

# The sample station, for a first run: its audio under /var/lib/loa.
install -d -m 0755 "$destdir/etc/loa"
install -d -m 0770 "$destdir/var/lib/loa"
install -d -m 0750 "$destdir/var/lib/loa/audio"
if ! ls "$destdir"/etc/loa/*.yaml >/dev/null 2>&1; then
  for schedule in schedules/*.yaml; do
    sed 's|^  audio_dir: *\.\./audio\b.*|  audio_dir: /var/lib/loa/audio|' "$schedule" \
      >"$destdir/etc/loa/$(basename "$schedule")"
    chmod 0644 "$destdir/etc/loa/$(basename "$schedule")"
  done
  echo "installed the sample schedule in /etc/loa; edit it for your station"
fi
(cd audio && find . -type f) | while read -r file; do
  [ -e "$destdir/var/lib/loa/audio/$file" ] || install -D -m 0644 "audio/$file" "$destdir/var/lib/loa/audio/$file"
done
# Where loa announce copies operators' files: theirs to write, the daemon's
# to read (setgid: the files stay the loa group's; the daemon cannot set it
# itself under RestrictSUIDSGID=).
install -d -m 2770 "$destdir/var/lib/loa/spool"

[ -n "$destdir" ] && exit 0

systemd-sysusers loa.conf
chown -R loa:loa /var/lib/loa
chgrp -R loa /etc/loa
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
else
  echo "note: systemd is not running on this machine; the unit is installed for when it is"
fi

cat <<'NEXT'

loa is installed. Next:

  sudo systemctl enable --now loa     # start the daemon, now and at every boot
  loa status                          # what it is doing

To use loa status, announce, stop and reload, a user joins the loa group:
  sudo adduser $USER loa              # then log out and in again
NEXT
