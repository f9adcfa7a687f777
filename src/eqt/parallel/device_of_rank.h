#pragma once
// The device each process of a parallel run uses. `--device cuda` (no index) in a run of several
// processes means GPU (local rank mod visible GPUs): on a node with as many GPUs as processes, one
// GPU each, as PyTorch's launch convention has it; with more processes than GPUs (LAMMPS often
// runs so), the processes share the GPUs in turn. `cuda:N` means GPU N on every process, as
// written; `cpu` stays the CPU. A single process keeps `cuda` as it is (the current GPU).
#include <c10/core/Device.h>

#include <string>

#include "eqt/parallel/launch.h"

namespace eqt::parallel {

// The rule above, for the given launch and number of visible GPUs.
c10::Device device_of_rank(const c10::Device& requested, const LaunchInfo& launch, int visible_gpus);

// The rule above for `launch` and the GPUs this process sees.
c10::Device device_for_launch(const c10::Device& requested, const LaunchInfo& launch);

// parse_device(text) (core/device.h: checks the build and the GPUs), then the rule above for this
// process's launch environment (read only when a GPU is asked for).
c10::Device device_for_this_process(const std::string& text);

}  // namespace eqt::parallel
