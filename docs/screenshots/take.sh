#!/usr/bin/env bash
# Takes the user guide's screenshots from the real studio under a virtual display (Xvfb), on the bundled model
# (assets/weft-small, whose tour opens the sample projects of samples/):
#   docs/screenshots/take.sh [-Dweft.model=DIR]
#   docs/screenshots/take.sh -Dweft.tour.only=model-dialog    # only model-dialog.png (Model > Choose Model…)
# Needs: apt-get install -y xvfb libgtk-3-0 libxtst6 libgl1 libgl1-mesa-dri libxxf86vm1
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
./mvnw -q -B -o -pl app -am test-compile -DskipTests >&2
cpfile="$here/app/target/tour.classpath"
./mvnw -q -B -o -pl app dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >&2
fx=""; cp="app/target/test-classes:app/target/classes:engine/target/classes"
IFS=":" read -ra entries < "$cpfile" || true
for e in "${entries[@]}"; do
  case "$e" in
    */org/openjfx/javafx-*) fx="${fx:+$fx:}$e" ;;
    */org/openjfx/*|*/dev/weft/*) ;;
    *) cp="$cp:$e" ;;
  esac
done
export DJL_OFFLINE=true
exec xvfb-run -a -s "-screen 0 1400x900x24" java -Dai.djl.offline=true -Dweft.home="$here" -Xmx6g \
  -Dprism.order=sw -Dprism.lcdtext=false "$@" \
  --module-path "$fx" --add-modules javafx.controls \
  -cp "$cp" dev.weft.app.tour.ScreenshotTour docs/screenshots
