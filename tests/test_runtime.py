import random

import numpy as np
import pytest
import torch

from course_utils import runtime


@pytest.mark.parametrize("environ, modules, expected", [
    ({}, {"google.colab": object()}, "colab"),
    ({"COLAB_RELEASE_TAG": "x"}, {}, "colab"),
    ({"BINDER_SERVICE_HOST": "10.0.0.1"}, {}, "binder"),
    ({"NBGRADER_EXECUTION": "autograde"}, {}, "nbgrader"),
    ({}, {}, "local"),
])
def test_detect_platform(environ, modules, expected):
    assert runtime.detect_platform(environ, modules) == expected


@pytest.mark.parametrize("environ, fast", [
    ({}, False), ({"COURSE_FAST": "1"}, True), ({"COURSE_FAST": "0"}, False), ({"COURSE_FAST": "false"}, False),
    ({"NBGRADER_EXECUTION": "autograde"}, True), ({"COURSE_FAST": ""}, False),
])
def test_fast_mode(environ, fast):
    assert runtime.is_fast_mode(environ) is fast


def test_device_choice_and_override(monkeypatch):
    monkeypatch.setattr(runtime, "_cuda_available", lambda: False)
    monkeypatch.setattr(runtime, "_mps_available", lambda: False)
    assert runtime.pick_device({}) == "cpu"
    monkeypatch.setattr(runtime, "_mps_available", lambda: True)
    assert runtime.pick_device({}) == "mps"
    monkeypatch.setattr(runtime, "_cuda_available", lambda: True)
    assert runtime.pick_device({}) == "cuda"
    assert runtime.pick_device({"COURSE_DEVICE": "cpu"}) == "cpu"
    assert runtime.pick_device({"COURSE_DEVICE": "cuda:1"}) == "cuda:1"


def test_device_override_errors(monkeypatch):
    monkeypatch.setattr(runtime, "_cuda_available", lambda: False)
    monkeypatch.setattr(runtime, "_mps_available", lambda: False)
    with pytest.raises(ValueError, match="COURSE_DEVICE must be"):
        runtime.pick_device({"COURSE_DEVICE": "tpu"})
    with pytest.raises(ValueError, match="no CUDA device"):
        runtime.pick_device({"COURSE_DEVICE": "cuda"})
    with pytest.raises(ValueError, match="no MPS device"):
        runtime.pick_device({"COURSE_DEVICE": "mps"})


def test_seeding_is_reproducible():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    runtime.seed_everything(3)
    first = draw()
    runtime.seed_everything(3)
    assert draw() == first
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="seed must be"):
            runtime.seed_everything(bad)


def test_setup_reports(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    context = runtime.setup(lesson="00", seed=5, gpu_helps=True)
    out = capsys.readouterr().out
    assert context.fast and context.device == "cpu" and context.seed == 5
    assert "Lesson 00" in out and "device: cpu" in out and "mode: fast" in out and "torch" in out
    assert "hint:" in out and "GPU" in out
    assert context.pick(full=100, fast=10) == 10
    monkeypatch.delenv("COURSE_FAST")
    assert runtime.setup(quiet=True).pick(full=100, fast=10) == 100
    assert capsys.readouterr().out == ""


def test_release_memory_gives_freed_heap_back_to_the_system():
    import platform

    import psutil

    from course_utils import release_memory

    if platform.libc_ver()[0] != "glibc":
        release_memory()  # elsewhere it only collects garbage, and must not fail
        return
    process = psutil.Process()
    chunks = [np.ones(12_000) for _ in range(3_000)]  # 96 kB each: below malloc's mmap threshold, on the heap
    keep = chunks[-1]  # holds the top of the heap, so only a trim (not the automatic one at the top) can return it
    del chunks
    before = process.memory_info().rss
    release_memory()
    after = process.memory_info().rss
    assert before - after > 200e6, (before, after)
    assert keep.sum() == 12_000
    # from then on a freed block of 64 kB or more goes back at once, without another call (a fresh
    # interpreter, whose heap no other test has shaped)
    import subprocess
    import sys

    script = ("import numpy as np, psutil\nfrom course_utils import release_memory\nrelease_memory()\n"
              "chunks = [np.ones(12_000) for _ in range(3_000)]\nkeep = chunks[-1]\n"
              "during = psutil.Process().memory_info().rss\ndel chunks\n"
              "print(during - psutil.Process().memory_info().rss)")
    returned = float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    assert returned > 200e6, returned
