#!/usr/bin/env bash
# Install the system packages the product and its tests need, only those that are missing.
#   runtime: Pango/fonts for WeasyPrint (PDF reports), Chromium (charts in PDF reports, via kaleido)
#   tests:   chromium-driver (browser tests), PostgreSQL server binaries (second warehouse), poppler-utils (PDF -> PNG checks)
# Usage: scripts/system-packages.sh runtime|test
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium)
if [ "${1:-runtime}" = "test" ]; then
  want+=(chromium-driver poppler-utils postgresql)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
