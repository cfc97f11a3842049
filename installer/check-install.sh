#!/usr/bin/env bash
# Installs installer/target/weft-studio_*.deb on a clean Debian 12 root and checks that the studio works there:
#   1. debootstrap a minimal bookworm root (cached in installer/target/debian-base, copied fresh for every run),
#   2. apt-get install the .deb with --no-install-recommends (its declared Depends must be enough), plus xvfb,
#      xauth and x11-utils for the check itself (they are not dependencies of the .deb),
#   3. as an ordinary user, start /opt/weft-studio/bin/weft-studio --smoke under xvfb-run: wait for its X window,
#      let it open the sample story, run Continue once and write a snapshot of the window when the new picture
#      cell is filled (dev.weft.app.InstallSmoke),
#   4. check the desktop entry and icon, that nothing was written into /opt/weft-studio or unpacked into the
#      user's home, then apt-get remove the package and check that it is gone.
# Keeps the screenshot at docs/screenshots/install-check.png. Exits non-zero with a message on any failure.
# Needs root (debootstrap, chroot, mount) and Debian's mirror; WEFT_DEBIAN_MIRROR picks another mirror.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
T="$here/target"
SUITE=bookworm
MIRROR="${WEFT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
base="$T/debian-base"
work="$T/check-root"

fail() { echo "check-install: FAILED: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, chroot and mount need it)"
debs=( "$T"/weft-studio_*_amd64.deb )
[ -f "${debs[0]}" ] || fail "no installer/target/weft-studio_*_amd64.deb: run installer/build.sh first"
deb="${debs[-1]}"

# the mounts live in a private mount namespace: they never show on the host and vanish with this process
if [ "${WEFT_CHECK_NS:-}" != 1 ]; then
  exec env WEFT_CHECK_NS=1 unshare --mount --propagation private "$BASH" "${BASH_SOURCE[0]}" "$@"
fi

step "1/4 clean Debian $SUITE root"
if [ ! -f "$base/.weft-base-ok" ]; then
  command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; } \
    || fail "cannot install debootstrap"
  rm -rf "$base"
  echo "debootstrap --variant=minbase $SUITE from $MIRROR (first run only; cached in $base)"
  debootstrap --variant=minbase "$SUITE" "$base" "$MIRROR" > "$T/debootstrap.log" 2>&1 \
    || { tail -20 "$T/debootstrap.log" >&2; fail "debootstrap failed (log: $T/debootstrap.log)"; }
  touch "$base/.weft-base-ok"
fi
rm -rf "$work"
cp -a "$base" "$work"
rm -f "$work/.weft-base-ok"
echo "fresh root: $work ($(du -sh "$work" | cut -f1))"

mounted=()
cleanup() {
  local i
  for (( i=${#mounted[@]}-1; i>=0; i-- )); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
mnt() { mount "$@"; mounted+=("${*: -1}"); }
mnt -t proc proc "$work/proc"
mnt -t sysfs sysfs "$work/sys"
# a /dev of its own with the usual nodes (no bind of the host's /dev)
mnt -t tmpfs -o mode=755,size=64m devtmp "$work/dev"
for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
  set -- $n; mknod -m 666 "$work/dev/$1" c "$2" "$3"
done
mkdir -p "$work/dev/shm" "$work/dev/pts" && chmod 1777 "$work/dev/shm"
ln -s /proc/self/fd "$work/dev/fd"
cp -L /etc/resolv.conf "$work/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$work/usr/sbin/policy-rc.d" && chmod +x "$work/usr/sbin/policy-rc.d"
in_root() { chroot "$work" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }

step "2/4 apt-get install $(basename "$deb")"
cp "$deb" "$work/tmp/"
in_root apt-get update -q > "$T/check-apt.log" 2>&1 || { tail "$T/check-apt.log" >&2; fail "apt-get update"; }
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >> "$T/check-apt.log" 2>&1 \
  || { tail -30 "$T/check-apt.log" >&2; fail "apt-get install of the .deb failed (log: $T/check-apt.log)"; }
grep -E "^(Setting up|Unpacking) weft-studio" "$T/check-apt.log" | sed 's/^/  /'
echo "  $(grep -cE '^Setting up ' "$T/check-apt.log") packages set up with it (no recommends)"
in_root dpkg-query -W -f='  installed: ${Package} ${Version}, ${Installed-Size} KiB, status ${Status}\n' \
  weft-studio
in_root apt-get install -y -q --no-install-recommends xvfb xauth x11-utils >> "$T/check-apt.log" 2>&1 \
  || fail "apt-get install xvfb xauth x11-utils failed (log: $T/check-apt.log)"

desktop="$(ls "$work"/usr/share/applications/*weft-studio*.desktop 2>/dev/null | head -1)"
[ -n "$desktop" ] || fail "no desktop entry in /usr/share/applications"
echo "  desktop entry: ${desktop#$work}"
sed 's/^/    /' "$desktop"
icon="$(sed -n 's/^Icon=//p' "$desktop")"
[ -f "$work$icon" ] || fail "the desktop entry's icon $icon is not installed"
exec_line="$(sed -n 's/^Exec=//p' "$desktop" | cut -d' ' -f1)"
[ -x "$work$exec_line" ] || fail "the desktop entry's Exec $exec_line is not an installed program"

step "3/4 start the studio under Xvfb as an ordinary user: window, Continue, screenshot"
in_root useradd -m -s /bin/sh tester
touch "$work/tmp/.before-run"
cat > "$work/tmp/smoke.sh" <<'EOF'
#!/bin/sh
# runs inside xvfb-run as the user: starts the studio, waits for its X window (the top-level "Weft — …" window,
# not GTK's 10x10 leader window), then for the smoke run to end
out="$HOME/install-check.png"
window() { xwininfo -root -tree 2>/dev/null | grep -E '"Weft [^"]*": .* [0-9]{3,}x[0-9]{3,}\+' | head -1; }
"$1" --smoke "$out" > "$HOME/studio.log" 2>&1 &
pid=$!
n=0
while [ -z "$(window)" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "check: the studio exited before its window appeared"; cat "$HOME/studio.log"; exit 3
  fi
  n=$((n + 1))
  if [ "$n" -gt 300 ]; then echo "check: no window after 300 s"; kill "$pid"; cat "$HOME/studio.log"; exit 3; fi
  sleep 1
done
echo "check: X window after ${n} s: $(window | sed 's/^ *//')"
rc=0
wait "$pid" || rc=$?
cat "$HOME/studio.log"
exit "$rc"
EOF
chmod 755 "$work/tmp/smoke.sh"
rc=0
in_root HOME=/home/tester runuser -u tester -- /usr/bin/env HOME=/home/tester \
  xvfb-run -a -s "-screen 0 1400x900x24" /tmp/smoke.sh "$exec_line" || rc=$?
[ "$rc" = 0 ] || fail "the studio's smoke run ended with $rc (see above)"
shot="$work/home/tester/install-check.png"
[ -s "$shot" ] || fail "no screenshot was written"
mkdir -p "$root/docs/screenshots"
cp "$shot" "$root/docs/screenshots/install-check.png"
echo "screenshot: docs/screenshots/install-check.png ($(file -b "$shot" | cut -d, -f2 | xargs))"

step "4/4 read-only install, user data in the home, uninstall"
changed="$(find "$work/opt/weft-studio" -newer "$work/tmp/.before-run" | head -5)"
[ -z "$changed" ] || fail "the studio wrote into its install dir: $changed"
echo "  nothing written under /opt/weft-studio"
for d in .djl.ai .openjfx; do
  [ ! -e "$work/home/tester/$d" ] || fail "the studio unpacked natives into ~/$d"
done
echo "  user's home after the run: $(du -sh "$work/home/tester" | cut -f1) ($(cd "$work/home/tester" \
  && find . -mindepth 1 -maxdepth 2 -type d | sort | tr '\n' ' '))"
in_root apt-get remove -y -q weft-studio >> "$T/check-apt.log" 2>&1 || fail "apt-get remove weft-studio failed"
[ ! -e "$work/opt/weft-studio" ] || fail "/opt/weft-studio is left after apt-get remove"
[ ! -e "$desktop" ] || fail "the desktop entry is left after apt-get remove"
echo "  apt-get remove weft-studio: /opt/weft-studio and the desktop entry are gone"

echo
echo "check-install: PASSED"
