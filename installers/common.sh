# Shared by installers/linux/build and installers/macos/build (sourced, bash): the built jar and its
# libraries, the modules the runtime needs, the trimmed runtime, and the JVM flags of each launcher,
# taken from bin/nexus-services itself so the installed launchers cannot drift from it.
# installers/README.md explains the choices.

# The build directory of `mvn package` (target/ unless -Dnexus.buildDir was used).
nx_check_build() {
  local build="$1"
  [ -f "$build/nexus-services.jar" ] && [ -d "$build/lib" ] || {
    echo "installers: $build/nexus-services.jar or $build/lib is missing; build first: mvn -B -DskipTests package" >&2
    return 2
  }
  [ -f "$build/nexus-services.classlist" ] && [ -f "$build/nexus-services-engine.classlist" ] || {
    echo "installers: $build/nexus-services{,-engine}.classlist are missing (scripts/cds-archive makes them at mvn package)" >&2
    return 2
  }
}

# The version in the jar's manifest (Implementation-Version, from the pom).
nx_version() {
  unzip -p "$1/nexus-services.jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Implementation-Version: //p'
}

# Java modules the jar and every library use, as jdeps finds them, plus the ones it cannot see:
#   jdk.crypto.ec  TLS with elliptic-curve key exchange (wss:// to a remote gateway, https probes): a
#                  security provider found through ServiceLoader, so no class refers to it.
# Locale data (jdk.localedata) is left out on purpose: the CLI and tray print English only.
NX_EXTRA_MODULES=jdk.crypto.ec
nx_modules() {
  local build="$1" found
  found="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 \
    "$build/nexus-services.jar" "$build"/lib/*.jar | tail -1)"
  [[ "$found" =~ ^java\.base(,[a-z0-9.]+)*$ ]] || { echo "installers: jdeps printed no module list: $found" >&2; return 1; }
  echo "$found,$NX_EXTRA_MODULES"
}

# A trimmed runtime with its default class-data-sharing archive (lib/server/classes.jsa, the JDK
# classes every launch loads; path-independent, so it also works where the app archive cannot).
# bin/java stays: the app archive is dumped with it, at build time and by the package's postinst.
nx_jlink() {
  local modules="$1" out="$2"
  rm -rf "$out"
  jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out"
  "$out/bin/java" -Xshare:dump -Xlog:cds=off >/dev/null
  [ -f "$out/lib/server/classes.jsa" ] || { echo "installers: no default CDS archive in $out" >&2; return 1; }
}

# Copies the jar and its libraries where jpackage takes its input (all of it lands in lib/app; the
# jar's manifest Class-Path names lib/*.jar), and puts the native libraries of JavaFX and JNA next to
# their jars: JavaFX loads a library found beside its jar before unpacking one into ~/.openjfx/cache,
# and JNA loads jnidispatch from jna.boot.library.path. So the installed app writes no native code
# into the user's home, and jpackage sees the libraries when it computes the package's dependencies.
nx_stage_input() {
  local build="$1" input="$2" jna_dir="$3" jar
  rm -rf "$input"
  mkdir -p "$input/lib"
  cp "$build/nexus-services.jar" "$input/"
  cp "$build"/lib/*.jar "$input/lib/"
  # The platform jars (javafx-graphics-21.0.12-linux.jar) hold the libraries at their root.
  for jar in "$input"/lib/javafx-*-[a-z]*.jar; do
    { unzip -Z1 "$jar" | grep -E '^[^/]+\.(so|dylib|dll)$' || true; } | while IFS= read -r native; do
      unzip -q -o "$jar" "$native" -d "$input/lib"
    done
  done
  ls "$input"/lib/*glass* >/dev/null 2>&1 || { echo "installers: no JavaFX glass library in $build/lib" >&2; return 1; }
  unzip -q -o -j "$input"/lib/jna-[0-9]*.jar "com/sun/jna/$jna_dir/*" -d "$input/lib"
}

# The flags bin/nexus-services gives the JVM for a subcommand: the launcher is run with a stand-in
# `java` (JAVA_HOME) that prints its arguments. The class-data archive, -Xshare and -Xlog:cds are left
# out (each installer names its own archive), and so is -Dnexus.launcher (the installers set their own).
nx_launcher_flags() {
  local repo="$1" build="$2" fake
  shift 2
  fake="$(mktemp -d)"
  mkdir -p "$fake/bin" "$fake/home"
  printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done\n' >"$fake/bin/java"
  chmod +x "$fake/bin/java"
  ln -s "$(cd "$build" && pwd)" "$fake/home/target" # the launcher looks for HOME/target/nexus-services.jar
  env -u NEXUS_JAVA_OPTS JAVA_HOME="$fake" NEXUS_SERVICES_HOME="$fake/home" \
    "$repo/bin/nexus-services" "$@" | sed '/^-jar$/,$d' \
    | grep -v -e '^-XX:SharedArchiveFile=' -e '^-Xshare:' -e '^-Xlog:cds' -e '^-Dnexus.launcher='
  rm -rf "$fake"
}

# Caps for what runs long through the main launcher: a jpackage launcher has one set of flags for
# every subcommand, and `daemon` (spawned by `up` and the tray, or run by systemd/launchd) and `tray`
# (from an autostart entry) run through it too. Both modes cap heap, metaspace and compiler threads in
# bin/nexus-services; these are their common values. They cost the short commands nothing measurable
# (docs/BENCHMARKS.md, "Installed app").
NX_LONG_RUN_CAPS=(-Xmx64m -XX:MaxMetaspaceSize=64m -XX:CICompilerCount=1)
