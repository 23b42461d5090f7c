#!/usr/bin/env bash
# One run on a GPU machine (prepared for an NVIDIA H200 with no network; at most 8 minutes):
#   1. what the machine is (nvidia-smi, Vulkan loader and ICD) and `weft doctor`;
#   2. a `weft run` of an example with the device on Auto: which device each node says it used;
#   3. Weft training on webgpu (Dawn on Vulkan, NVIDIA's driver) against PyTorch on CUDA on the same GPU,
#      for the reference configuration (GPT-2 family, and its Llama-family twin) and GPT-2 small's 124M shape:
#      tokens/s, the ratio, Weft's peak tensor memory and PyTorch's peak CUDA memory, plus the GPU's peak
#      memory use as nvidia-smi saw it during the runs.
# Every step is independent, has its own timeout, and a failed one does not stop the next (fail soft).
# Everything lands in $OUT (the device tool's output folder; a temp folder otherwise): gpu-check.log
# (the summary), figures.jsonl (one JSON line per configuration), and each step's full output.
#
# Needs: Node.js and node_modules, which the GPU machine lacks and which are too big to travel as they
# are: bench/gpu-pack.sh packs both into .gpu/ (about 40 MB; carry it), and this script unpacks them
# when the checkout has no node_modules. Also python3 with CUDA torch (the machine's own).
# The call:  run(carry: [".gpu", ".gl"], timeout_s: 540, command: "bash bench/gpu-check.sh")
# GPU_CHECK_SIMULATE=1 (bench/gpu-pack.sh --check) runs it here on SwiftShader, to test the pack. The Vulkan loader: the system's
# libvulkan.so.1 when there is one, else .gl/*.deb when carried (see the device notes), else the one
# bundled in @sparticuz/chromium that Weft unpacks itself (src-main/engine/worker/vulkan-env.ts).
# NVIDIA's ICD: the loader's usual folders, else the driver's mount /usr/local/nvidia/share/vulkan/icd.d.
#   OUT=/tmp/out bash bench/gpu-check.sh
set -u
cd "$(dirname "$0")/.." || exit 1
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
START=$(date +%s)
DEADLINE=$((START + ${GPU_CHECK_BUDGET_S:-470}))
SUMMARY="$OUT/gpu-check.log"
FIGURES="$OUT/figures.jsonl"
: >"$SUMMARY"

log() { echo "[$(($(date +%s) - START))s] $*" | tee -a "$SUMMARY"; }

# step NAME SECONDS COMMAND...: runs with a timeout capped by what is left of the budget; output in $OUT/NAME.txt.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((DEADLINE - $(date +%s)))
  ((limit > left)) && limit=$left
  if ((limit < 15)); then
    log "SKIP $name: the time budget is spent"
    return 0
  fi
  log "== $name (at most ${limit}s)"
  timeout -k 5 "$limit" "$@" >"$OUT/$name.txt" 2>&1
  local rc=$?
  ((rc == 124 || rc == 137)) && log "   $name: stopped after ${limit}s" || log "   $name: exit $rc"
  grep -E '^(weft|pytorch|ratio|Auto|GPUs|  |WebGPU|TensorFlow|wasm|-|\{)|Error|error' "$OUT/$name.txt" | head -n 30 | sed 's/^/   /' | tee -a "$SUMMARY"
  return 0
}

# --- the machine -------------------------------------------------------------------------------
# The pack (bench/gpu-pack.sh): Node.js and the packages Weft loads, where this checkout has none.
if [ -f .gpu/node.xz ] && [ ! -x .node/bin/node ]; then
  mkdir -p .node/bin && xz -dc .gpu/node.xz >.node/bin/node && chmod +x .node/bin/node && log "node: unpacked from .gpu/node.xz"
fi
if [ ! -d node_modules ] && [ -f .gpu/node_modules.tar.xz ]; then
  tar -xJf .gpu/node_modules.tar.xz && log "node_modules: unpacked from .gpu/node_modules.tar.xz ($(wc -l <.gpu/packages.txt) packages)"
fi
# The packed Node first (the one the pack was traced with), then the machine's.
[ -z "${NODE:-}" ] && [ -x .node/bin/node ] && NODE=$PWD/.node/bin/node
NODE=${NODE:-$(command -v node || true)}
if [ -z "$NODE" ]; then
  log "no Node.js found (PATH, \$NODE, .node/bin/node, .gpu/node.xz): nothing of Weft can run. Run bench/gpu-pack.sh and carry .gpu"
  exit 0
fi
# The benchmark and weft start child processes by the name `node`.
export PATH="$(dirname "$NODE"):$PATH"
log "node: $NODE ($("$NODE" --version 2>&1))"
(nvidia-smi --query-gpu=name,pci.bus_id,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not found") | sed 's/^/   /' | tee -a "$SUMMARY"

# Vulkan loader: the system's, else carried Debian packages unpacked into / (the device notes' way).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  if [ "${GPU_CHECK_SIMULATE:-}" = 1 ]; then
    log "Vulkan loader: none on the system; simulating, so .gl is not unpacked into / (Weft uses the one bundled in @sparticuz/chromium)"
  elif compgen -G '.gl/*.deb' >/dev/null; then
    for f in .gl/*.deb; do dpkg -x "$f" / 2>/dev/null; done
    ldconfig 2>/dev/null
    log "Vulkan loader: unpacked from .gl/*.deb"
  else
    log "Vulkan loader: none on the system; Weft uses the one bundled in @sparticuz/chromium"
  fi
else
  log "Vulkan loader: the system's"
fi
# NVIDIA's ICD where the loader does not look by itself (a driver mounted under /usr/local/nvidia).
if ! ls /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json >/dev/null 2>&1; then
  ICD=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -n 1)
  if [ -n "$ICD" ]; then
    export VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    log "NVIDIA ICD: $ICD"
  else
    log "NVIDIA ICD: no nvidia_icd.json found; WebGPU may see no GPU"
  fi
fi
# The environment a Weft worker gets (bundled loader on LD_LIBRARY_PATH when the system has none),
# set here too because the benchmark runs webgpu in its own process.
# Simulating, SwiftShader's ICD stands in for NVIDIA's.
SWIFTSHADER=false
[ "${GPU_CHECK_SIMULATE:-}" = 1 ] && SWIFTSHADER=true
eval "$(timeout 60 "$NODE" --import tsx -e "import('./src-main/engine/worker/vulkan-env.ts').then((m) => { for (const [k, v] of Object.entries(m.vulkanSetup($SWIFTSHADER).env)) console.log('export ' + k + '=' + JSON.stringify(v)); })" 2>>"$OUT/vulkan-env.txt")"
log "worker Vulkan environment: LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"

# GPU memory as nvidia-smi sees it, every half second, for the peak during the runs.
nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 >"$OUT/nvidia-smi-memory.txt" 2>/dev/null &
SMI=$!
trap 'kill $SMI 2>/dev/null' EXIT

# --- weft doctor -------------------------------------------------------------------------------
step doctor 45 "$NODE" bin/weft.js doctor

# --- Auto: a real graph, the device chosen by Weft, the device it says it used -------------------
# What issue 12's done-criterion asks: with no setting, Weft trains on the GPU through WebGPU and says so
# on the node (the CLI prints the node's recorded device; the run record holds it for the editor).
# GPU_CHECK_SIMULATE lets SwiftShader count as the GPU, to test this script without one.
AUTO_WS=$(mktemp -d)
AUTO_ENV=(env)
AUTO_STEPS=40 AUTO_EXAMPLES=32 AUTO_LIMIT=150
# SwiftShader computes on the CPU, slowly (and compiles each shader on the CPU): one step shows the same thing.
[ "${GPU_CHECK_SIMULATE:-}" = 1 ] && AUTO_ENV=(env WEFT_WEBGPU_SWIFTSHADER=1) && AUTO_STEPS=1 AUTO_EXAMPLES=2 AUTO_LIMIT=400
step auto-run $AUTO_LIMIT "${AUTO_ENV[@]}" "$NODE" bin/weft.js run examples/chat-sft.weft.json --workspace "$AUTO_WS" \
  --set pretrain.steps=$AUTO_STEPS --set sft.steps=$AUTO_STEPS --set before.maxExamples=$AUTO_EXAMPLES --set after.maxExamples=$AUTO_EXAMPLES
grep -E '^[✓✗] (pretrain|sft|after) ' "$OUT/auto-run.txt" | sed 's/^/   /' | tee -a "$SUMMARY"
if grep -qE '^✓ sft succeeded .* on webgpu' "$OUT/auto-run.txt"; then log "Auto: fine-tuning ran on webgpu"; else log "Auto: fine-tuning did NOT run on webgpu (see auto-run.txt)"; fi

# --- Weft on webgpu against PyTorch on CUDA --------------------------------------------------------
REFERENCE=cuda
[ "${GPU_CHECK_SIMULATE:-}" = 1 ] && REFERENCE=none
BENCH=(env WEFT_BACKEND=webgpu "$NODE" --import tsx bench/train-throughput.ts --backend webgpu --reference "$REFERENCE" --json "$FIGURES")
# When Weft's side failed (no WebGPU adapter, say), PyTorch's figures still come, from the same script the benchmark uses.
torch_only() {
  local name=$1
  shift
  [ "${GPU_CHECK_SIMULATE:-}" = 1 ] && return 0
  grep -q '^pytorch' "$OUT/$name.txt" 2>/dev/null || step "$name-pytorch" 60 python3 bench/torch_reference.py --device cuda --threads 16 "$@"
}
STEPS=(--steps 8) STEPS_124M=4
# Simulating: one small step of each, to see that everything the benchmark loads came in the pack.
[ "${GPU_CHECK_SIMULATE:-}" = 1 ] && STEPS=(--steps 1 --batch 2) STEPS_124M=0
step reference-gpt2 110 "${BENCH[@]}" --family gpt2 --preset reference "${STEPS[@]}"
torch_only reference-gpt2 --family gpt2
step reference-llama 110 "${BENCH[@]}" --family llama --preset reference "${STEPS[@]}"
torch_only reference-llama --family llama --kv-heads 2 --ffn 352
((STEPS_124M > 0)) && step gpt2-124m 200 "${BENCH[@]}" --family gpt2 --preset 124m --batch 4 --steps $STEPS_124M
torch_only gpt2-124m --family gpt2 --vocab 50257 --ctx 1024 --d 768 --layers 12 --heads 12 --kv-heads 12 --batch 4

kill $SMI 2>/dev/null
PEAK=$(sort -n "$OUT/nvidia-smi-memory.txt" 2>/dev/null | tail -n 1)
log "GPU memory used at most (nvidia-smi, every 0.5 s): ${PEAK:-unknown} MiB"
log "figures (figures.jsonl):"
sed 's/^/   /' "$FIGURES" 2>/dev/null | tee -a "$SUMMARY"
log "done in $(($(date +%s) - START))s"
exit 0
