#!/usr/bin/env bash
# Fetches chDB's libchdb.so (ClickHouse's engine as a shared library) from the npm registry at a
# pinned version, checks the tarball against the pinned integrity, and unpacks it into a cache
# outside the repository. Prints the path of the library. Idempotent: a cached, verified copy is
# reused. Skipped when SPENDSTREAM_LIBCHDB points at an existing library.
set -euo pipefail

VERSION="${CHDB_LIB_VERSION:?set by the build (chdb/pom.xml)}"
INTEGRITY="${CHDB_LIB_INTEGRITY:?set by the build (chdb/pom.xml)}"
PACKAGE="@chdb/lib-linux-x64-gnu"
CACHE="${SPENDSTREAM_CACHE:-$HOME/.cache/spendstream}/chdb/$VERSION"

if [[ -n "${SPENDSTREAM_LIBCHDB:-}" ]]; then
  if [[ -f "$SPENDSTREAM_LIBCHDB" ]]; then echo "$SPENDSTREAM_LIBCHDB"; exit 0; fi
  echo "SPENDSTREAM_LIBCHDB=$SPENDSTREAM_LIBCHDB does not name a file" >&2; exit 1
fi
if [[ -f "$CACHE/libchdb.so" && -f "$CACHE/.verified" ]]; then echo "$CACHE/libchdb.so"; exit 0; fi

command -v npm >/dev/null || { echo "npm is needed once to fetch $PACKAGE@$VERSION (or set SPENDSTREAM_LIBCHDB)" >&2; exit 1; }
mkdir -p "$CACHE"
work="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "fetching $PACKAGE@$VERSION (166 MB, once) into $CACHE" >&2
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [[ "$actual" != "$INTEGRITY" ]]; then
  echo "integrity mismatch for $PACKAGE@$VERSION: expected $INTEGRITY, got $actual" >&2; exit 1
fi
tar -xzf "$tarball" -C "$work" package/libchdb.so
mv "$work/package/libchdb.so" "$CACHE/libchdb.so"
echo "$INTEGRITY" > "$CACHE/.verified"
echo "$CACHE/libchdb.so"
