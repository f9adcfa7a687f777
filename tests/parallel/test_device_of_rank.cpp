// Which GPU each process of a parallel run uses (parallel/device_of_rank.h). The rule is tested
// here on any build: c10::Device values need no GPU.
#include <gtest/gtest.h>

#include <cstdlib>

#include "eqt/core/error.h"
#include "eqt/parallel/device_of_rank.h"

namespace eqt::parallel {
namespace {

LaunchInfo launch(int local_rank, int world_size) {
  LaunchInfo info;
  info.rank = local_rank;
  info.local_rank = local_rank;
  info.world_size = world_size;
  return info;
}

const c10::Device kCuda(c10::kCUDA);

TEST(DeviceOfRank, CudaWithoutIndexTakesTheLocalRanksGpu) {
  for (int rank = 0; rank < 4; ++rank) {
    EXPECT_EQ(device_of_rank(kCuda, launch(rank, 4), 4), c10::Device(c10::kCUDA, rank)) << rank;
  }
}

TEST(DeviceOfRank, MoreProcessesThanGpusShareThemInTurn) {
  EXPECT_EQ(device_of_rank(kCuda, launch(0, 8), 4), c10::Device(c10::kCUDA, 0));
  EXPECT_EQ(device_of_rank(kCuda, launch(5, 8), 4), c10::Device(c10::kCUDA, 1));
  EXPECT_EQ(device_of_rank(kCuda, launch(7, 8), 4), c10::Device(c10::kCUDA, 3));
  EXPECT_EQ(device_of_rank(kCuda, launch(3, 4), 1), c10::Device(c10::kCUDA, 0));
}

TEST(DeviceOfRank, AnIndexTheCpuAndASingleProcessStayAsWritten) {
  EXPECT_EQ(device_of_rank(c10::Device(c10::kCUDA, 2), launch(1, 4), 4), c10::Device(c10::kCUDA, 2));
  EXPECT_EQ(device_of_rank(c10::Device(c10::kCPU), launch(1, 4), 4), c10::Device(c10::kCPU));
  const c10::Device single = device_of_rank(kCuda, launch(0, 1), 4);
  EXPECT_TRUE(single.is_cuda());
  EXPECT_FALSE(single.has_index());
}

// On a run of several processes the CPU needs no GPU query and gives the CPU on every rank; a
// malformed launch environment is only read when a GPU is asked for.
TEST(DeviceOfRank, TheCpuUnderALauncherIsTheCpu) {
  ::setenv("RANK", "1", 1);
  ::setenv("WORLD_SIZE", "2", 1);
  ::setenv("LOCAL_RANK", "1", 1);
  EXPECT_EQ(device_for_this_process("cpu"), c10::Device(c10::kCPU));
  EXPECT_THROW(device_for_this_process("gpu"), Error);
  ::unsetenv("RANK");
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("LOCAL_RANK");
}

}  // namespace
}  // namespace eqt::parallel
