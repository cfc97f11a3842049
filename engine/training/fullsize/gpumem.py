"""Runs a command and reports its GPU-memory peak, overall and per phase.

Samples the device's used memory through NVML (ctypes on libnvidia-ml, no CUDA context of its own) every
--every-ms milliseconds in a thread, while the command runs with its stdout and stderr merged and echoed. A line
that starts with one of the --phase prefixes opens a new phase (weft bench prints "bench: UNet step ..." before
each of its phases); the peak of each phase is the largest sample taken while it was the latest.

    python3 gpumem.py --label t2i -- java ... WeftCli t2i ...
    python3 gpumem.py --label bench --phase "bench:" -- java ... WeftCli bench ...

Memory is what the driver counts as used on the device: with PyTorch's caching allocator (the default) that is the
allocator's reserve, which never shrinks while the process lives, so the peak is what a card must have for the
run to go as it went; with PYTORCH_NO_CUDA_MEMORY_CACHING=1 it is the live tensors (plus workspaces and the
context) at each sample, and short-lived peaks between samples can be missed.
"""
import argparse
import ctypes
import subprocess
import sys
import threading
import time


class Nvml:
    def __init__(self, index):
        self.lib = ctypes.CDLL("libnvidia-ml.so.1")
        if self.lib.nvmlInit_v2() != 0:
            raise SystemExit("gpumem: nvmlInit failed")
        self.handle = ctypes.c_void_p()
        if self.lib.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(self.handle)) != 0:
            raise SystemExit(f"gpumem: no GPU {index}")

    def used_mib(self):
        class Memory(ctypes.Structure):
            _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]
        m = Memory()
        self.lib.nvmlDeviceGetMemoryInfo(self.handle, ctypes.byref(m))
        return m.used / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="command")
    ap.add_argument("--phase", action="append", default=[], help="line prefix that opens a phase (repeatable)")
    ap.add_argument("--every-ms", type=float, default=2.0)
    ap.add_argument("--gpu", type=int, default=0)
    ap.add_argument("--trace", help="write every sample (seconds, MiB, phase) to this file")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        raise SystemExit("gpumem: no command given")
    nvml = Nvml(a.gpu)
    idle = nvml.used_mib()
    phases = [["start", 0.0]]           # [name, peak MiB above idle]
    samples = []
    done = threading.Event()
    t0 = time.monotonic()

    def sample():
        while not done.is_set():
            u = nvml.used_mib() - idle
            phases[-1][1] = max(phases[-1][1], u)
            if a.trace:
                samples.append((time.monotonic() - t0, u, len(phases) - 1))
            time.sleep(a.every_ms / 1000)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in p.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if any(line.startswith(x) for x in a.phase):
            phases.append([line.strip(), 0.0])
    rc = p.wait()
    done.set()
    th.join()
    wall = time.monotonic() - t0
    if a.trace:
        with open(a.trace, "w") as f:
            for s, u, i in samples:
                f.write(f"{s:.3f} {u:.0f} {i}\n")
    peak = max(x[1] for x in phases)
    print(f"== gpumem {a.label}: rc {rc}, {wall:.1f} s, GPU memory peak {peak:,.0f} MiB above the idle "
          f"{idle:,.0f} MiB (NVML every {a.every_ms:g} ms)")
    for name, pk in phases:
        print(f"   {pk:>9,.0f} MiB  {name}")
    sys.exit(rc)


if __name__ == "__main__":
    main()
