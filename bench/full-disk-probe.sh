#!/bin/sh
# Usage: unshare -rm bench/full-disk-probe.sh   (no root needed where user namespaces are allowed)
# Runs inside `unshare -rm`: a real 48 KiB tmpfs as the workspace, a run that cannot fit, then space is freed and the run resumed.
set -u
WS=${WEFT_PROBE_DIR:-/tmp/weft-full-disk-probe}
mkdir -p $WS
mount -t tmpfs -o size=48k none $WS
cd "$(dirname "$0")/.."
echo "--- run on a full disk"
node bin/weft.js run examples/word-stats.weft.json --workspace $WS; echo "exit code $?"
echo "--- temp files left:"; find $WS -name "*.tmp" -o -name ".tmp-*" | wc -l; echo "--- bytes used after the failure:"; du -sb $WS | cut -f1; ls $WS/cache/*/ 2>&1 | head -5
echo "--- run.json state:"; ls -la $WS/runs/*/; grep -o "\"state\": \"[a-z]*\"" $WS/runs/*/run.json | head -1
mount -o remount,size=20m $WS
RUN=$(ls $WS/runs | head -1)
echo "--- resume $RUN after freeing space"
node bin/weft.js resume $RUN --workspace $WS; echo "exit code $?"
