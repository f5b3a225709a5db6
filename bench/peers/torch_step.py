#!/usr/bin/env python3
"""PyTorch on this machine, in the units of simdnn's benchmarks.

Measures, on one thread unless --threads says otherwise:
  * the training step of the MNIST MLP of BenchmarkTrainStep
    (784→256→128→10, ReLU, cross-entropy), with plain SGD and with Adam,
    in samples/s per batch size;
  * ReLU, sigmoid and tanh over float32 vectors, in elements/ns per size.

It prints lines in Go's benchmark format, so that benchstat can set them
beside `go test ./bench -bench 'TrainStep|Kernels'`:

    python3 bench/peers/torch_step.py > torch.txt

Needs PyTorch (Debian: apt-get install python3-torch). Debian's PyTorch
multiplies matrices with whatever BLAS the alternatives system selects; the
reference BLAS is about a hundred times slower than OpenBLAS, so install an
OpenBLAS (apt-get install libopenblas0-openmp) and run with one thread:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/peers/torch_step.py

OPENBLAS_CORETYPE (Haswell, SkylakeX, ...) picks OpenBLAS's kernels when it
does not know the CPU. Each figure is the best of --reps timed runs of at
least --min-seconds each: the machine is shared, and the best run is the
least disturbed one.

Adam runs with foreach=True, PyTorch's multi-tensor update: in Debian's
PyTorch 1.13 the default per-tensor loop runs its elementwise operations
unvectorized, and on Zen 5 (2 vCPUs of an AMD EPYC) it made the step
about ten times slower than with SGD (11k against 104k samples/s at batch
64), where foreach=True took 52k. To measure it again, drop foreach=True
from OPTIMIZERS and run with --batches 64 --sizes ''.
"""
import argparse
import os
import sys
import time

# glibc's malloc hands PyTorch's large per-step tensors (a 1024×256
# activation is 1 MiB) back to the kernel with munmap or a heap trim and
# faults them in again on the next step; on Zen 5 that made the batch-256
# SGD step swing between 57k and 136k samples/s from one half-second to
# the next, while with the thresholds below it held 124k–131k (to measure
# it again: GLIBC_TUNABLES= python3 bench/peers/torch_step.py --batches 256,
# which an empty value keeps from re-executing with them). Keeping the
# memory is what PyTorch does with jemalloc or a caching allocator, so the
# figures below are PyTorch's steady speed. glibc reads the tunables at
# startup, hence the re-exec.
TUNABLES = "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
if os.environ.get("GLIBC_TUNABLES") is None:
    os.environ["GLIBC_TUNABLES"] = TUNABLES
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch  # noqa: E402


def best_rate(fn, units_per_call, min_seconds, reps):
    """Calls fn repeatedly; returns the best units per second over reps runs."""
    fn()  # warm up: allocations, kernel selection
    best = 0.0
    for _ in range(reps):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        best = max(best, calls * units_per_call / elapsed)
    return best


OPTIMIZERS = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.01),
    "Adam": lambda params: torch.optim.Adam(params, lr=1e-4, foreach=True),
}


def train_step_rate(batch, optimizer, min_seconds, reps):
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    opt = OPTIMIZERS[optimizer](model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    # Standard normal, as in BenchmarkTrainStep: with inputs in [0, 1)
    # (torch.rand) this step measured half the speed on Zen 5 (74k against
    # 137k samples/s at batch 256 with SGD), slowed by denormal numbers
    # (with torch.set_flush_denormal(True), 110k); to measure it again,
    # use torch.rand below and run with --batches 256.
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    return best_rate(step, batch, min_seconds, reps)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batches", default="32,64,128,256,1024")
    p.add_argument("--sizes", default="4096,65536,1048576", help="activation sizes; empty for none")
    p.add_argument("--min-seconds", type=float, default=0.5)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    # torch.backends.cpu.get_cpu_capability() exists from torch 2.0 on.
    cpu = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", lambda: "?")()
    print(f"# torch {torch.__version__}, {a.threads} thread(s), CPU capability {cpu}")
    for opt in OPTIMIZERS:
        for b in (int(s) for s in a.batches.split(",")):
            sps = train_step_rate(b, opt, a.min_seconds, a.reps)
            print(f"BenchmarkTrainStep/opt={opt}/batch={b}/threads={a.threads}-torch 1 {1e9 / sps * b:.0f} ns/op {sps:.0f} samples/s")
    # torch.relu has no out= argument; clamp_min(x, 0) with out= is the same
    # operation writing into a preallocated tensor, as simdnn's kernels do.
    kernels = (
        ("ReLU", lambda x, out: torch.clamp_min(x, 0, out=out)),
        ("Sigmoid", lambda x, out: torch.sigmoid(x, out=out)),
        ("Tanh", lambda x, out: torch.tanh(x, out=out)),
    )
    for name, fn in kernels:
        for n in (int(s) for s in a.sizes.split(",") if s):
            x = torch.randn(n)
            out = torch.empty(n)
            rate = best_rate(lambda: fn(x, out), n, a.min_seconds / 4, a.reps)
            print(f"BenchmarkKernels/kernel={name}/size={n}-torch 1 {1e9 * n / rate:.0f} ns/op {rate / 1e9:.3f} elem/ns")


if __name__ == "__main__":
    main()
