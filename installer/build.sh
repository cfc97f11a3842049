#!/usr/bin/env bash
# Builds the Weft studio's installers: a jlinked Java runtime with JavaFX, a jpackage app image and a .deb
# (Debian 12 / amd64). Everything lands in installer/target/:
#   runtime/                  the jlinked runtime (JDK modules + javafx.base/graphics/controls, their .so in lib/)
#   app/weft-studio/          the app image (bin/weft-studio starts the studio on the bundled model)
#   weft-studio_*_amd64.deb   the Debian package (installs into /opt/weft-studio, adds a menu entry and an icon)
# Needs: JDK 17 with jlink/jpackage/jmod, dpkg-deb and fakeroot (for the .deb), binutils (objdump, for the check
# of the declared dependencies). Maven runs offline when its repository already holds the dependencies.
# WEFT_SKIP_DEB=1 builds the app image only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
T="$here/target"
cd "$root"

NAME=weft-studio
VERSION=0.1.0
# JDK modules the app and its libraries use (jdeps over the app's class path: java.base, java.compiler,
# java.desktop, java.logging, java.management, java.sql, java.xml; JNA and Gson reach sun.misc.Unsafe through
# jdk.unsupported; jdk.zipfs and jdk.charsets for zip file systems and non-UTF-8 text)
JDK_MODULES=java.base,java.compiler,java.desktop,java.logging,java.management,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.charsets
FX_MODULES=(base graphics controls)
# What the shipped native libraries need from the system (objdump NEEDED of runtime/lib, libtorch, tokenizers;
# checked below against the libraries in the image): GTK 3 and its stack for JavaFX's glass, GL and the X
# extensions for prism, fontconfig/freetype/pango for text, the libraries Debian's JDK links against, and a font.
DEB_DEPS="libc6 (>= 2.34), libstdc++6 (>= 9), libgcc-s1, zlib1g, libgtk-3-0, libgdk-pixbuf-2.0-0, libglib2.0-0,\
 libpango-1.0-0, libpangocairo-1.0-0, libpangoft2-1.0-0, libcairo2, libcairo-gobject2, libatk1.0-0, libgl1,\
 libx11-6, libxext6, libxi6, libxrender1, libxtst6, libxxf86vm1, libfontconfig1, libfreetype6, libharfbuzz0b,\
 libjpeg62-turbo, libpng16-16, libgif7, liblcms2-2, libasound2, fonts-dejavu-core"

step() { printf '\n== %s\n' "$*"; }
need() { command -v "$1" >/dev/null || { echo "build.sh: $1 not found ($2)" >&2; exit 2; }; }
need jlink "a full JDK 17"; need jpackage "a full JDK 17"; need jmod "a full JDK 17"; need jar "a full JDK 17"
if [ "${WEFT_SKIP_DEB:-0}" != 1 ]; then
  need dpkg-deb "apt-get install dpkg-dev"; need fakeroot "apt-get install fakeroot"
fi

rm -rf "$T/deps" "$T/fx" "$T/runtime" "$T/input" "$T/app" "$T/deb-tmp" "$T/resources" "$T"/$NAME*.deb "$T/$NAME.png"
mkdir -p "$T"

step "1/6 jars (Maven)"
mvn_args=(-B -q -pl app -am package -DskipTests dependency:copy-dependencies -DincludeScope=runtime
  -DoutputDirectory="$T/deps")
if ! ./mvnw -o "${mvn_args[@]}"; then
  echo "build.sh: the offline build failed; trying again with Maven Central" >&2
  ./mvnw "${mvn_args[@]}"
fi
one() { # the single file matching a glob
  local m=( $1 ); [ ${#m[@]} = 1 ] && [ -e "${m[0]}" ] || { echo "build.sh: expected one file for $1" >&2; exit 2; }
  echo "${m[0]}"
}
app_jar="$(one "$root/app/target/weft-app-*.jar")"

step "2/6 JavaFX jmods from Maven Central's modular jars (natives go to the runtime's lib/)"
# The -linux jars carry their .so at the jar root; as jmods they land in the runtime's lib/ where JavaFX's
# NativeLibLoader finds them (nothing is extracted to ~/.openjfx at run time)
mkdir -p "$T/fx/jmods"
for m in "${FX_MODULES[@]}"; do
  jarf="$(one "$T/deps/javafx-$m-*-linux.jar")"
  d="$T/fx/$m"; mkdir -p "$d/classes" "$d/lib"
  (cd "$d/classes" && jar xf "$jarf")
  find "$d/classes" -maxdepth 1 -name '*.so' -exec mv {} "$d/lib/" \;
  rm -rf "$d/classes/META-INF" "$d/classes/javafx-swt.jar"
  libs=(); [ -n "$(ls -A "$d/lib")" ] && libs=(--libs "$d/lib")
  jmod create --class-path "$d/classes" "${libs[@]}" "$T/fx/jmods/javafx.$m.jmod"
done

step "3/6 jlink runtime"
fxmods="$(printf 'javafx.%s,' "${FX_MODULES[@]}")"
jlink --module-path "$T/fx/jmods" --add-modules "$JDK_MODULES,${fxmods%,}" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$T/runtime"

step "4/6 app input: jars, libtorch and tokenizers unpacked, bundled model, sample story"
in="$T/input"
mkdir -p "$in/libtorch" "$in/tokenizers" "$in/assets" "$in/samples"
cp "$app_jar" "$in/"
for j in "$T"/deps/*.jar; do
  case "$(basename "$j")" in
    javafx-*|pytorch-native-*|pytorch-jni-*|tokenizers-*) ;; # JavaFX is in the runtime; the natives below
    *) cp "$j" "$in/" ;;
  esac
done
x="$T/fx/unpack"; mkdir -p "$x"
torch_jar="$(one "$T/deps/pytorch-native-cpu-*-linux-x86_64.jar")"
jni_jar="$(one "$T/deps/pytorch-jni-*.jar")"
tok_jar="$(one "$T/deps/tokenizers-*.jar")"
torch_version="$(basename "$torch_jar" | sed -E 's/pytorch-native-cpu-([0-9.]+)-linux-x86_64\.jar/\1/')"
(cd "$x" && jar xf "$torch_jar" pytorch/cpu/linux-x86_64 && jar xf "$jni_jar" jnilib/linux-x86_64/cpu \
  && jar xf "$tok_jar" native/lib/linux-x86_64/cpu)
mv "$x"/pytorch/cpu/linux-x86_64/* "$in/libtorch/"
# DJL looks for its JNI bridge next to libtorch before its cache dir, so nothing is written to ~/.djl.ai
mv "$x/jnilib/linux-x86_64/cpu/libdjl_torch.so" "$in/libtorch/"
mv "$x/native/lib/linux-x86_64/cpu/libtokenizers.so" "$in/tokenizers/"
# the tokenizers jar without its four platforms' natives (41 MB): the Linux one is shipped unpacked above
t="$T/fx/tokenizers"; mkdir -p "$t"
(cd "$t" && jar xf "$tok_jar" && find native/lib -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + \
  && jar --create --file "$in/$(basename "$tok_jar")" --manifest META-INF/MANIFEST.MF -C . .)
cp -r "$root/assets/weft-small" "$in/assets/"
cp -r "$root/samples/docs" "$in/samples/"
rm -rf "$x" "$t"

step "5/6 jpackage app image"
java -Djava.awt.headless=true "$here/WeftIcon.java" "$T/$NAME.png" 256
main_jar="$(basename "$app_jar")"
# -XX:MaxDirectMemorySize=2g as ./weft and ./studio pass it: loading copies each weight into libtorch's own memory
# and frees the direct buffer it was converted in; a small cap makes the JVM reclaim those buffers as loading goes
# (a model of 10.1 GB of weights: 11-12 GB resident after loading with the cap, 20 GB without)
jpackage --type app-image --dest "$T/app" --name "$NAME" --app-version "$VERSION" \
  --vendor "Weft" --description "Weft studio: continue illustrated stories with text and pictures" \
  --icon "$T/$NAME.png" --runtime-image "$T/runtime" --input "$in" \
  --main-jar "$main_jar" --main-class dev.weft.app.WeftStudio \
  --java-options '-Dweft.home=$APPDIR' \
  --java-options '-Dai.djl.offline=true' \
  --java-options '-DPYTORCH_LIBRARY_PATH=$APPDIR/libtorch' \
  --java-options "-DPYTORCH_VERSION=$torch_version" \
  --java-options '-DPYTORCH_FLAVOR=cpu' \
  --java-options '-DRUST_LIBRARY_PATH=$APPDIR/tokenizers/libtokenizers.so' \
  --java-options '-XX:MaxRAMPercentage=50' \
  --java-options '-XX:MaxDirectMemorySize=2g'
img="$T/app/$NAME"
[ -x "$img/bin/$NAME" ] || { echo "build.sh: jpackage made no launcher" >&2; exit 1; }

# every library a shipped .so needs is in the image or provided by a declared package
if command -v objdump >/dev/null && command -v dpkg >/dev/null; then
  shipped="$(find "$img" -name '*.so*' -printf '%f\n' | sort -u)"
  dep_names="$(tr ',' '\n' <<<"$DEB_DEPS" | sed -E 's/\(.*\)//; s/ //g')"
  missing=""
  for so in $(find "$img" -name '*.so*' -type f -exec objdump -p {} \; 2>/dev/null | awk '/NEEDED/{print $2}' \
      | sort -u); do
    grep -qxF "$so" <<<"$shipped" && continue
    path="$(ldconfig -p | awk -v l="$so" '$1==l && !p{p=$NF} END{print p}')"
    pkg=""
    if [ -n "$path" ]; then # /usr-merged systems know some libraries by their /lib path only
      pkg="$( (dpkg -S "$(readlink -f "$path")" || dpkg -S "$path") 2>/dev/null | head -1 | cut -d: -f1 || true)"
    fi
    if [ -z "$pkg" ] || ! grep -qxF "$pkg" <<<"$dep_names"; then
      missing="$missing $so(${pkg:-not installed here})"
    fi
  done
  if [ -n "$missing" ]; then
    echo "build.sh: libraries needed by the image but not declared: $missing" >&2
    exit 1
  fi
  echo "every NEEDED library outside the image is declared"
fi

if [ "${WEFT_SKIP_DEB:-0}" != 1 ]; then
  step "6/6 jpackage .deb"
  # jpackage's own Depends is every library ldd reaches, transitively (70 packages); this control file declares
  # the direct ones (DEB_DEPS) and xdg-utils, which installs the menu entry. The desktop entry gets a readable name.
  res="$T/resources"; rm -rf "$res"; mkdir -p "$res"
  cat > "$res/control" <<EOF
Package: APPLICATION_PACKAGE
Version: APPLICATION_VERSION-APPLICATION_RELEASE
Section: APPLICATION_SECTION
Maintainer: APPLICATION_MAINTAINER
Priority: optional
Architecture: APPLICATION_ARCH
Provides: APPLICATION_PACKAGE
Description: APPLICATION_DESCRIPTION
Depends: $DEB_DEPS, xdg-utils
Installed-Size: APPLICATION_INSTALLED_SIZE
EOF
  cat > "$res/$NAME.desktop" <<EOF
[Desktop Entry]
Name=Weft Studio
GenericName=Illustrated story studio
Comment=APPLICATION_DESCRIPTION
Exec=APPLICATION_LAUNCHER
Icon=APPLICATION_ICON
Terminal=false
Type=Application
Categories=Graphics;
EOF
  # jpackage's postinst/prerm run xdg-desktop-menu, which fails (exit 3) on a system without a menu directory
  # (/etc/xdg/menus: a minimal install), failing the install and the removal; these fall back to placing the entry
  # in /usr/share/applications, where desktops read it
  entry="/opt/$NAME/lib/$NAME-$NAME.desktop"
  cat > "$res/postinst" <<EOF
#!/bin/sh
set -e
case "\$1" in
  configure)
    if ! xdg-desktop-menu install $entry 2>/dev/null; then
      mkdir -p /usr/share/applications
      cp $entry /usr/share/applications/
    fi
    ;;
esac
exit 0
EOF
  cat > "$res/prerm" <<EOF
#!/bin/sh
set -e
case "\$1" in
  remove|upgrade|deconfigure)
    xdg-desktop-menu uninstall $entry 2>/dev/null || true
    rm -f /usr/share/applications/$NAME-$NAME.desktop
    ;;
esac
exit 0
EOF
  jpackage --type deb --dest "$T" --app-image "$img" --name "$NAME" --app-version "$VERSION" --resource-dir "$res" \
    --vendor "Weft" --description "Weft studio: continue illustrated stories with text and pictures" \
    --icon "$T/$NAME.png" --linux-package-name "$NAME" --linux-deb-maintainer "weft@localhost" \
    --linux-menu-group "Graphics" --linux-app-category graphics --linux-shortcut \
    --linux-package-deps "$DEB_DEPS" --temp "$T/deb-tmp"
  rm -rf "$T/deb-tmp"
fi

step "sizes"
mib() { awk -v b="$1" 'BEGIN{printf "%.0f MiB", b/1048576}'; }
printf 'runtime (jlink, JDK + JavaFX):  %s\n' "$(mib "$(du -sb "$T/runtime" | cut -f1)")"
printf 'app image %-21s %s (libtorch %s, model %s)\n' "app/$NAME:" "$(mib "$(du -sb "$img" | cut -f1)")" \
  "$(mib "$(du -sb "$img/lib/app/libtorch" | cut -f1)")" "$(mib "$(du -sb "$img/lib/app/assets" | cut -f1)")"
if [ "${WEFT_SKIP_DEB:-0}" != 1 ]; then
  deb="$(one "$T/${NAME}_*.deb")"
  printf '.deb %-26s %s (installed size %s)\n' "$(basename "$deb"):" "$(mib "$(stat -c %s "$deb")")" \
    "$(mib "$(( $(dpkg-deb -f "$deb" Installed-Size) * 1024 ))")"
  echo "Depends: $(dpkg-deb -f "$deb" Depends)"
fi
