# Sourced by the GPU scripts: puts the carried Node on PATH, the carried node_modules in place, and exports
# TORCH_DIR / TORCH_ABI of the machine's PyTorch (the CUDA libtorch the addon is built against).
# A call on a still-warm machine that did not carry .dev keeps the Node unpacked by an earlier call (unpacking a
# missing file would truncate it).
mkdir -p /tmp/nodebin
if [[ -f .dev/node.xz ]]; then
    xz -dc .dev/node.xz > /tmp/nodebin/node.tmp && chmod +x /tmp/nodebin/node.tmp && mv /tmp/nodebin/node.tmp /tmp/nodebin/node
elif [[ ! -x /tmp/nodebin/node ]]; then
    echo "node-env.sh: no .dev/node.xz (carry .dev) and no Node unpacked by an earlier call" >&2
    return 1 2>/dev/null || exit 1
fi
export PATH=/tmp/nodebin:$PATH
[[ -e node_modules ]] || cp -r .dev/node_modules node_modules
# esbuild's own copy of its binary is left out of .dev to fit the carry limit; point tsx at the platform package's.
export ESBUILD_BINARY_PATH=$PWD/node_modules/@esbuild/linux-x64/bin/esbuild
TORCH_DIR=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
TORCH_ABI=$(python3 -c 'import torch;print(int(torch.compiled_with_cxx11_abi()))')
export TORCH_DIR TORCH_ABI
node --version
python3 -c 'import torch;print("torch",torch.__version__,"cuda",torch.version.cuda)'
