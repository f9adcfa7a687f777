#pragma once

namespace eqt {

// Keeps memory that tensors free in the process for the next tensor of that size, instead of
// glibc returning every block above its mmap threshold to the kernel at once: a training or MD
// step allocates and frees the same large activations again and again, and each fresh mapping
// costs a page fault per 4 KiB when it is first written (half of PET's page faults on aspirin
// batches, ~5 % of the time; docs/performance.md). The freed memory stays reusable by any later
// allocation; glibc still trims the heap above 1 GiB free. No effect on other C libraries.
void keep_freed_memory_for_reuse();

}  // namespace eqt
