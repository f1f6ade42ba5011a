# Sourced by run-local and bin/price: builds what is missing or changed, then sets SPENDSTREAM_CP.
stamp=local/target/classpath.txt
if [[ ! -f "$stamp" || ! -f registry-server/target/quarkus-app/quarkus-run.jar \
      || -n "$(find pom.xml */pom.xml */src -newer "$stamp" -type f -print -quit 2>/dev/null)" ]]; then
  echo "building spendstream (the first time downloads ~400 MB of dependencies and libchdb: a few minutes)..." >&2
  ./mvnw -B -q -DskipTests -pl registry-server,local -am package
  touch "$stamp"
fi
SPENDSTREAM_CP="local/target/classes"
for m in schemas pricing chdb embedded stream-processor ingest-api sink-clickhouse notifier; do SPENDSTREAM_CP="$SPENDSTREAM_CP:$m/target/classes"; done
SPENDSTREAM_CP="$SPENDSTREAM_CP:$(cat "$stamp")"
SPENDSTREAM_JVM_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
