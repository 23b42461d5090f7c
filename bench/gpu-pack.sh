#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on the GPU machine, which has no Node.js, no network and takes at
# most 64 MiB of working tree (tracked files and carried folders together), while node_modules here is
# about 1.7 GB. Run it here once, before a session's single device call:
#   bash bench/gpu-pack.sh            # writes .gpu/ (git-ignored) and prints its size and the call to make
# .gpu/ then holds:
#   node.xz               this machine's Node.js binary (glibc-linked only, so it runs on the GPU machine's Ubuntu)
#   node_modules.tar.xz   only the files Weft really loads for `weft doctor`, a `weft run` of an example with
#                         Auto, a CLI build, and bench/train-throughput.ts on webgpu: found by tracing those
#                         runs here (strace), so nothing is guessed (other platforms' binaries, unused bundles
#                         and the browser in @sparticuz/chromium stay behind)
# gpu-check.sh unpacks them when the checkout has no node_modules. The Vulkan loader travels separately as
# Debian packages in .gl/ (the device notes' recipe; this script fetches them when apt can).
# Check the pack with a clean clone and no node_modules before spending device time:
#   bash bench/gpu-pack.sh --check    # unpacks into a fresh clone and runs gpu-check.sh there on SwiftShader
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PACK=$ROOT/.gpu
TRACE_DIR=$(mktemp -d)
trap 'rm -rf "$TRACE_DIR"' EXIT

if [ "${1:-}" = "--check" ]; then
  [ -f "$PACK/node_modules.tar.xz" ] || { echo "no pack: run bash bench/gpu-pack.sh first" >&2; exit 1; }
  CLONE=$(mktemp -d)/weft
  git clone -q "$ROOT" "$CLONE"
  cp -r "$PACK" "$CLONE/.gpu"
  [ -d "$ROOT/.gl" ] && cp -r "$ROOT/.gl" "$CLONE/.gl"
  git diff --quiet HEAD -- bench || echo "warning: bench/ has uncommitted changes, which the clone does not have" >&2
  echo "clone: $CLONE; size that would travel:"
  (cd "$CLONE" && du -sch .gpu $( [ -d .gl ] && echo .gl ) $(git ls-files) 2>/dev/null | tail -n 1)
  # The clone has no node_modules, as on the GPU machine: gpu-check.sh unpacks the pack and uses its Node.
  # SwiftShader stands in for the GPU.
  (cd "$CLONE" && OUT=${OUT:-$CLONE/out-check} GPU_CHECK_SIMULATE=1 GPU_CHECK_BUDGET_S=${GPU_CHECK_BUDGET_S:-900} bash bench/gpu-check.sh)
  echo "summary: ${OUT:-$CLONE/out-check}/gpu-check.log"
  exit 0
fi

command -v strace >/dev/null || { echo "gpu-pack needs strace to find what Weft loads" >&2; exit 1; }
mkdir -p "$PACK"
NODE=$(command -v node)
WS=$TRACE_DIR/workspace
mkdir -p "$WS"

# --- what Weft loads: trace the runs gpu-check.sh makes, at a tiny size -------------------------
# Opened, executed, or only looked at (require.resolve stats a file it does not open: tfjs's .wasm files).
trace() { strace -f -qq -e trace=openat,open,execve,stat,lstat,newfstatat,statx,access,faccessat,faccessat2,readlink -o "$TRACE_DIR/trace.$1" "${@:2}" >"$TRACE_DIR/out.$1" 2>&1 || { echo "traced run $1 failed:"; tail -n 20 "$TRACE_DIR/out.$1"; exit 1; }; }
echo "tracing what Weft loads (a few minutes)..."
# A fresh CLI build, so that esbuild's reads of the packages it bundles are traced (the GPU machine
# builds again: the build's fingerprint holds the checkout's path).
rm -rf out/cli
trace build env WEFT_TRACE_START=1 "$NODE" bin/weft.js nodes
trace doctor "$NODE" bin/weft.js doctor --json
trace run-auto env WEFT_WEBGPU_SWIFTSHADER=1 "$NODE" bin/weft.js run examples/chat-sft.weft.json --workspace "$WS" \
  --set pretrain.steps=2 --set sft.steps=2 --set before.maxExamples=8 --set after.maxExamples=8
trace run-wasm env WEFT_SOURCE=1 "$NODE" bin/weft.js run examples/chat-sft.weft.json --workspace "$WS" \
  --set pretrain.steps=1 --set sft.steps=1 --set before.maxExamples=8 --set after.maxExamples=8
# The benchmark runs webgpu in its own process: it needs the Vulkan environment a worker gets (SwiftShader here).
eval "$("$NODE" --import tsx -e "import('./src-main/engine/worker/vulkan-env.ts').then((m) => { for (const [k, v] of Object.entries(m.vulkanSetup(true).env)) console.log('export ' + k + '=' + JSON.stringify(v)); })")"
for family in gpt2 llama; do
  trace "bench-$family" env WEFT_BACKEND=webgpu "$NODE" --import tsx bench/train-throughput.ts --backend webgpu --reference none --family "$family" --preset reference --steps 1
done

# Every file under node_modules that was opened or executed (a failed open, of a package probed for
# and not installed, is in the trace too: only files that exist), and each such package's package.json.
grep -ohE '"[^"]*/node_modules/[^"]*"' "$TRACE_DIR"/trace.* | tr -d '"' | grep "^$ROOT/node_modules/" | sort -u |
  while read -r f; do [ -f "$f" ] && echo "$f"; done >"$TRACE_DIR/files"
sed -E 's#^('"$ROOT"'/(node_modules/(@[^/]+/)?[^/]+/)*node_modules/(@[^/]+/)?[^/]+).*#\1#' "$TRACE_DIR/files" | sort -u >"$TRACE_DIR/packages"
while read -r d; do [ -f "$d/package.json" ] && echo "$d/package.json"; done <"$TRACE_DIR/packages" >>"$TRACE_DIR/files"
# The fallback Vulkan loader (when the GPU machine has none and .gl is missing) is unpacked once and read
# from a cache after that, so a trace may not open it: its package whole, less the 64 MB browser.
for f in node_modules/@sparticuz/chromium/package.json node_modules/@sparticuz/chromium/bin/swiftshader.tar.br; do [ -f "$f" ] && echo "$ROOT/$f"; done >>"$TRACE_DIR/files"
find "$ROOT/node_modules/@sparticuz/chromium/build" -type f -name '*.js' 2>/dev/null >>"$TRACE_DIR/files" || true
sort -u "$TRACE_DIR/files" | sed "s#^$ROOT/##" >"$TRACE_DIR/list"
echo "$(wc -l <"$TRACE_DIR/packages") packages, $(wc -l <"$TRACE_DIR/list") files loaded"

# --- pack ---------------------------------------------------------------------------------------
tar -C "$ROOT" -cf - -T "$TRACE_DIR/list" | xz -T0 -9 >"$PACK/node_modules.tar.xz"
xz -T0 -9 -c "$NODE" >"$PACK/node.xz"
"$NODE" --version >"$PACK/node.version"
sed "s#^$ROOT/##" "$TRACE_DIR/packages" >"$PACK/packages.txt"
cp "$TRACE_DIR/list" "$PACK/files.txt"

# --- the Vulkan loader as Debian packages (the device notes' recipe), when apt can fetch them -------
if [ ! -d .gl ] || ! compgen -G '.gl/*.deb' >/dev/null; then
  grep -qxF '/.gl/' .git/info/exclude 2>/dev/null || echo '/.gl/' >>.git/info/exclude
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  if (apt-get $o update && cd .gl && apt-get $o download libvulkan1) >"$TRACE_DIR/apt.log" 2>&1; then
    echo "Vulkan loader: $(ls .gl)"
  else
    echo "Vulkan loader: apt could not fetch libvulkan1 (see below); gpu-check.sh falls back to the loader in @sparticuz/chromium if packed"
    tail -n 5 "$TRACE_DIR/apt.log"
  fi
fi

echo
du -sh "$PACK"/* .gl 2>/dev/null
echo "tracked files: $(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1) bytes"
echo "with .gpu and .gl: $(du -scb .gpu .gl $(git ls-files) 2>/dev/null | tail -n 1 | cut -f1) bytes (the limit is 67108864)"
echo
echo "The device call (one, prepared; see bench/gpu-check.sh):"
echo "  run(carry: [\".gpu\", \".gl\"], timeout_s: 540, command: \"bash bench/gpu-check.sh\")"
