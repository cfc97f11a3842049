"""Runs a command on a GPU with only --free-mib MiB left free: a smaller card, simulated on a larger one.

Allocates plain device memory (torch.empty, no managed memory) in 256 MiB blocks, then smaller ones, until
cudaMemGetInfo reports at most --free-mib MiB free, runs the command, releases the memory and exits with the
command's status. Used to check that `weft`'s memory plan is enough: a run with exactly the plan's device figure
free must succeed.

    python3 gpuhold.py --free-mib 32400 -- java ... WeftCli bench --model /tmp/full16 --device gpu
"""
import argparse
import subprocess
import sys

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--free-mib", type=float, required=True)
    ap.add_argument("--gpu", type=int, default=0)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        raise SystemExit("gpuhold: no command given")
    dev = torch.device("cuda", a.gpu)
    held = []
    target = int(a.free_mib * 2**20)
    for block in (256 << 20, 16 << 20, 1 << 20):
        while torch.cuda.mem_get_info(dev)[0] - block >= target:
            held.append(torch.empty(block, dtype=torch.uint8, device=dev))
    free, total = torch.cuda.mem_get_info(dev)
    print(f"== gpuhold: {free / 2**20:,.0f} MiB free of {total / 2**20:,.0f} MiB "
          f"(asked for {a.free_mib:,.0f}); running {' '.join(cmd[-8:])}", flush=True)
    rc = subprocess.call(cmd)
    print(f"== gpuhold: rc {rc} with {free / 2**20:,.0f} MiB free", flush=True)
    del held
    sys.exit(rc)


if __name__ == "__main__":
    main()
