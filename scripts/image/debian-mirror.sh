#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt already uses for bookworm (from /etc/apt/sources.list.d/*.sources
# or /etc/apt/sources.list), so the image build fetches from wherever this machine is allowed to.
set -euo pipefail

suite="${1:-bookworm}"

for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  uri="$(awk -v suite="$suite" 'BEGIN { RS = ""; FS = "\n" }
    {
      uris = ""; suites = ""; types = ""; enabled = 1
      for (i = 1; i <= NF; i++) {
        line = $i
        if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); uris = line }
        else if (line ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", line); suites = " " line " " }
        else if (line ~ /^Types:/) { types = " " line " " }
        else if (line ~ /^Enabled:[ \t]*no/) { enabled = 0 }
      }
      if (enabled && types ~ / deb / && index(suites, " " suite " ") > 0) { split(uris, u, " "); print u[1]; exit }
    }' "$f")"
  if [ -n "$uri" ]; then echo "${uri%/}"; exit 0; fi
done

for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  uri="$(awk -v suite="$suite" '$1 == "deb" {
      i = 2
      if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      if ($(i + 1) == suite) { print $i; exit }
    }' "$f")"
  if [ -n "$uri" ]; then echo "${uri%/}"; exit 0; fi
done

echo "no Debian ${suite} source found in this machine's apt configuration" >&2
exit 1
