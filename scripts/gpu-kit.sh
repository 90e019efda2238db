#!/usr/bin/env bash
# Builds a folder that runs `exchange` on a linux-x64 GPU machine with no .NET, npm or network:
# a self-contained publish (ONNX Runtime's CUDA provider included, its Windows libraries left
# out), plus Node.js and the Hardhat packages `exchange bench e2e` and `exchange demo` start their
# chain with, behind an `npx` that runs only `npx hardhat`. Copy the folder there and run, inside it:
#   PATH="$PWD/bin:$PATH" ./exchange bench inference --model resnet18 --device cuda --tasks 2048 --max-batch 64 --json
#   PATH="$PWD/bin:$PATH" ./exchange bench e2e --model resnet18-u8 --device cuda --tasks 2048 --warm-up --json
# usage (from the repository root): scripts/gpu-kit.sh [OUT_DIR]   (default .gpu-publish, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu-publish}
[ -d node_modules/hardhat ] || { echo "gpu-kit: node_modules/hardhat is missing: run npm ci first" >&2; exit 1; }
rm -rf "$out"
# Exchange.Api is an executable the CLI references: its apphost and runtime files would collide.
dotnet publish src/Exchange.Cli -c Release -r linux-x64 --self-contained -o "$out" --nologo -v quiet -p:ErrorOnDuplicatePublishOutputFiles=false
rm -f "$out"/onnxruntime*.dll "$out"/onnxruntime*.lib "$out"/libonnxruntime_providers_tensorrt.so

# Hardhat and what it loads at run time, for linux-x64 only (the EDR engine ships one native
# package per platform, 20-37 MB each).
node -e '
const fs = require("fs"), path = require("path");
const seen = new Set();
function resolve(from, name) {
  for (let d = from; ; d = path.dirname(d)) {
    const p = path.join(d, "node_modules", name);
    if (fs.existsSync(path.join(p, "package.json"))) return p;
    if (path.dirname(d) === d) return null;
  }
}
function walk(dir) {
  if (seen.has(dir)) return;
  seen.add(dir);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json")));
  for (const n of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) {
    if (/edr-(darwin|win32|linux-arm64|linux-x64-musl)/.test(n)) continue;
    const r = resolve(dir, n);
    if (r) walk(r);
  }
}
walk(path.resolve("node_modules/hardhat"));
for (const d of seen) console.log(path.relative(path.resolve("node_modules"), d));
' | while read -r package; do
  case "$package" in */node_modules/*) ;; *) mkdir -p "$out/node_modules/$(dirname "$package")"; cp -a "node_modules/$package" "$out/node_modules/$package";; esac
done

mkdir -p "$out/bin"
cp "$(command -v node)" "$out/bin/node"
cat > "$out/bin/npx" <<'SHIM'
#!/bin/sh
# No npm on the GPU machine: run the carried Hardhat with the carried Node.js.
[ "$1" = hardhat ] || { echo "npx: only 'npx hardhat' is carried in this folder" >&2; exit 2; }
shift
exec "$(dirname "$0")/node" "$PWD/node_modules/hardhat/internal/cli/bootstrap.js" "$@"
SHIM
chmod +x "$out/bin/npx"
# Hardhat's node needs a config; the chain id is the one the repository's config gives it.
echo 'module.exports = { networks: { hardhat: { chainId: 31337 } } };' > "$out/hardhat.config.js"
echo "gpu-kit: $(du -sh "$out" | cut -f1) in $out" >&2
