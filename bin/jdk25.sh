# Sourced by run-local and .ci/run: makes JAVA_HOME point at a JDK 25 or fails with a clear message.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p'; }
if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/java" || "$(java_major "$JAVA_HOME")" -lt 25 ]]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25*; do
    if [[ -x "$candidate/bin/java" && "$(java_major "$candidate")" -ge 25 ]]; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
fi
if [[ -z "${JAVA_HOME:-}" || "$(java_major "$JAVA_HOME")" -lt 25 ]]; then
  echo "spendstream needs JDK 25: set JAVA_HOME to a JDK 25 installation" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
