#pragma once
// The processes of one parallel run and their collectives, on LibTorch's distributed engine (c10d):
// a TCPStore on rank 0 for the rendezvous and a ProcessGroupGloo for CPU tensors. eqt does not
// implement any communication of its own; this class only gives c10d's calls eqt's error
// messages (which rank, what failed, what to check) and a world of one process that needs no
// network at all.
#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eqt/parallel/launch.h"

namespace eqt::parallel {

class Communicator {
 public:
  // One process: every collective is the identity.
  static std::shared_ptr<Communicator> single();
  // Joins the run that `info` describes (rank 0 hosts the store at master_addr:master_port).
  // A world of one returns single(). Throws eqt::Error when the store cannot be reached within
  // info.timeout.
  static std::shared_ptr<Communicator> connect(const LaunchInfo& info);
  // connect(launch_info_from_environment()).
  static std::shared_ptr<Communicator> from_environment();

  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  const LaunchInfo& launch() const { return launch_; }

  // Sums each tensor over the ranks, in place (CPU, contiguous; float32, float64 or int64).
  // `what` names the data in the error raised when a rank has died or timed out.
  void all_reduce_sum(std::vector<at::Tensor>& tensors, const std::string& what);
  // Every rank's `values` (the same length on every rank), indexed by rank.
  std::vector<std::vector<int64_t>> all_gather(const std::vector<int64_t>& values, const std::string& what);
  // Rank 0 gets every rank's text, indexed by rank; the other ranks get an empty vector.
  std::vector<std::string> gather_text(const std::string& text, const std::string& what);
  // Waits for every rank.
  void barrier(const std::string& what);

 private:
  struct Impl;
  Communicator() = default;
  int rank_ = 0;
  int size_ = 1;
  LaunchInfo launch_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqt::parallel
