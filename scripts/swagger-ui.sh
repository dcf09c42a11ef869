#!/usr/bin/env bash
# Refreshes server/swaggerui/ from the pinned npm package swagger-ui-dist (Apache-2.0): the files /docs
# serves and the licence texts that must travel with them. The tarball is fetched with `npm pack` (no
# install, so no install scripts run) and checked against the pinned integrity. To upgrade, change both:
#   npm view swagger-ui-dist@<version> dist.integrity
set -euo pipefail
version=5.35.0
integrity=sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==
out=${1:-server/swaggerui}
files=(swagger-ui.css swagger-ui-bundle.js favicon-16x16.png favicon-32x32.png LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --json "swagger-ui-dist@$version" >pack.json)
got=$(node -p 'require(process.argv[1])[0].integrity' "$tmp/pack.json")
if [ "$got" != "$integrity" ]; then
  echo "swagger-ui-dist@$version: integrity $got, want $integrity" >&2
  exit 1
fi
tar xzf "$tmp/swagger-ui-dist-$version.tgz" -C "$tmp"

rm -rf "$out"
mkdir -p "$out"
for f in "${files[@]}"; do
  cp "$tmp/package/$f" "$out/$f"
done
echo "$version" >"$out/VERSION"
echo "wrote swagger-ui-dist@$version (${files[*]}) to $out"
