# Shared by ./braid, ./test and .ci/run (sourced, not run): selects a JDK >= 21.
#
# Order: $JAVA_HOME if it is a JDK >= 21; else /usr/lib/jvm/temurin-25*; else the newest JDK >= 21
# under /usr/lib/jvm; else the JDK of `javac` on the PATH. Prints the chosen JAVA_HOME on stdout;
# explanations go to stderr.

BRAID_MIN_JAVA=21

# The feature release of the JDK at $1 (e.g. 25), or nothing if $1 is not a JDK.
braid_java_major() {
    local home="$1" version
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    version="$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)"
    case "$version" in
        1.*) version="${version#1.}"; version="${version%%.*}" ;;
    esac
    case "$version" in
        ''|*[!0-9]*) return 0 ;;
    esac
    echo "$version"
}

braid_is_jdk() {
    local major
    major="$(braid_java_major "$1")"
    [ -n "$major" ] && [ "$major" -ge "$BRAID_MIN_JAVA" ]
}

braid_select_jdk() {
    local home best="" best_major=0 major javac
    if [ -n "${JAVA_HOME:-}" ]; then
        if braid_is_jdk "$JAVA_HOME"; then
            echo "$JAVA_HOME"
            return 0
        fi
        echo "braid: JAVA_HOME=$JAVA_HOME is not a JDK >= $BRAID_MIN_JAVA; looking for another" >&2
    fi
    for home in /usr/lib/jvm/temurin-25*; do
        if braid_is_jdk "$home"; then
            echo "$home"
            return 0
        fi
    done
    for home in /usr/lib/jvm/*; do
        major="$(braid_java_major "$home")"
        if [ -n "$major" ] && [ "$major" -ge "$BRAID_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best="$home"
            best_major="$major"
        fi
    done
    if [ -n "$best" ]; then
        echo "$best"
        return 0
    fi
    if javac="$(command -v javac 2>/dev/null)"; then
        home="$(dirname "$(dirname "$(readlink -f "$javac")")")"
        if braid_is_jdk "$home"; then
            echo "$home"
            return 0
        fi
    fi
    echo "braid: no JDK $BRAID_MIN_JAVA or newer found (looked at JAVA_HOME, /usr/lib/jvm and the" \
        "PATH); install one (e.g. Eclipse Temurin 21 or 25, or openjdk-21-jdk-headless where the" \
        "distribution has it) and set JAVA_HOME to it" >&2
    return 1
}
