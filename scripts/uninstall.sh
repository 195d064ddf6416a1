#!/usr/bin/env bash
# Removes loa from a station, as root: sudo make uninstall
#
# Keeps the airing log and the audio (/var/lib/loa), the schedule
# (/etc/loa) and the loa user, which owns them: the commune's record of
# what it aired is not the program's to delete.
set -euo pipefail
destdir=${DESTDIR:-}
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "error: uninstalling needs root: sudo make uninstall" >&2
  exit 1
fi
running=""
[ -z "$destdir" ] && [ -d /run/systemd/system ] && running=yes
if [ -n "$running" ]; then
  systemctl disable --now loa.service || true
fi
rm -f "$destdir/usr/local/bin/loa" \
  "$destdir/usr/local/lib/systemd/system/loa.service" \
  "$destdir/usr/local/lib/sysusers.d/loa.conf"
rm -rf "$destdir/usr/local/share/doc/loa"
if [ -n "$running" ]; then systemctl daemon-reload; fi
cat <<'KEPT'
loa is removed. Kept: the airing log and audio in /var/lib/loa, the schedule
in /etc/loa, and the loa user. Remove them by hand if the station no longer
needs its record.
KEPT
