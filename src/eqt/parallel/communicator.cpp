#include "eqt/parallel/communicator.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <cstring>
#include <exception>

#include "eqt/core/error.h"
#include "eqt/core/torch_compat.h"

namespace eqt::parallel {

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

// Gloo's transport device: the interface named by GLOO_SOCKET_IFNAME (as in PyTorch), the loopback
// address for a run on one machine, otherwise the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const LaunchInfo& info) {
  if (const char* iface = std::getenv("GLOO_SOCKET_IFNAME"); iface != nullptr && *iface != '\0') {
    return c10d::ProcessGroupGloo::createDeviceForInterface(iface);
  }
  if (info.master_addr == "127.0.0.1" || info.master_addr == "localhost") {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// c10's errors carry a C++ backtrace that means nothing to a user.
std::string message_of(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

[[noreturn]] void collective_failed(int rank, int size, const std::string& what, const std::exception& e) {
  fail("rank {} of {}: exchanging {} with the other ranks failed: {} (another rank has stopped, or cannot be "
       "reached; its own error is in its output)",
       rank, size, what, message_of(e));
}

[[noreturn]] void no_rendezvous(const LaunchInfo& info, const std::exception& e) {
  fail("rank {} of {}: no rendezvous with the other ranks at {}:{} within {} s (launcher: {}): check that every rank "
       "was started, and MASTER_ADDR / MASTER_PORT (rank 0's machine, a free port); {}",
       info.rank, info.world_size, info.master_addr, info.master_port, info.timeout.count(), info.launcher,
       message_of(e));
}

}  // namespace

std::shared_ptr<Communicator> Communicator::single() {
  return std::shared_ptr<Communicator>(new Communicator());
}

std::shared_ptr<Communicator> Communicator::from_environment() { return connect(launch_info_from_environment()); }

std::shared_ptr<Communicator> Communicator::connect(const LaunchInfo& info) {
  auto comm = std::shared_ptr<Communicator>(new Communicator());
  comm->launch_ = info;
  if (info.world_size == 1) return comm;
  comm->rank_ = info.rank;
  comm->size_ = info.world_size;
  comm->impl_ = std::make_unique<Impl>();
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(info.timeout);
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(info.master_port);
    options.isServer = info.rank == 0;
    options.numWorkers = static_cast<std::size_t>(info.world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    torch_compat::without_libuv(options, 0);
    comm->impl_->store = c10::make_intrusive<c10d::TCPStore>(info.master_addr, options);
  } catch (const std::exception& e) {
    no_rendezvous(info, e);
  }
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device(info));
    comm->impl_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(comm->impl_->store, info.rank, info.world_size, options);
  } catch (const std::exception& e) {
    no_rendezvous(info, e);  // Gloo's full mesh waits in the store for every rank's address
  }
  return comm;
}

Communicator::~Communicator() = default;

void Communicator::all_reduce_sum(std::vector<at::Tensor>& tensors, const std::string& what) {
  if (size_ == 1 || tensors.empty()) return;
  try {
    for (auto& t : tensors) {
      // Gloo reduces host memory: tensors on a GPU go through a host copy (no NCCL group yet).
      std::vector<at::Tensor> one{t.is_cpu() ? t : t.to(at::kCPU)};
      impl_->group->allreduce(one)->wait();
      if (!t.is_cpu()) t.copy_(one[0]);
    }
  } catch (const std::exception& e) {
    collective_failed(rank_, size_, what, e);
  }
}

std::vector<std::vector<int64_t>> Communicator::all_gather(const std::vector<int64_t>& values, const std::string& what) {
  if (size_ == 1) return {values};
  // Gloo's allgather needs equal sizes: each rank writes its values into its own row of a zero
  // table, and the sum over ranks is the table.
  at::Tensor table = at::zeros({size_, static_cast<int64_t>(values.size())}, at::kLong);
  if (!values.empty()) table[rank_].copy_(at::tensor(values, at::kLong));
  std::vector<at::Tensor> tensors{table};
  all_reduce_sum(tensors, what);
  std::vector<std::vector<int64_t>> rows(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    const at::Tensor row = table[r].contiguous();
    rows[static_cast<std::size_t>(r)].assign(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel());
  }
  return rows;
}

std::vector<std::string> Communicator::gather_text(const std::string& text, const std::string& what) {
  if (size_ == 1) return {text};
  const auto lengths = all_gather({static_cast<int64_t>(text.size())}, what);
  int64_t longest = 0;
  for (const auto& l : lengths) longest = std::max(longest, l[0]);
  // As in all_gather: each rank fills its own row of a zero table, and the sum is the table.
  at::Tensor table = at::zeros({size_, std::max<int64_t>(longest, 1)}, at::kByte);
  if (!text.empty()) std::memcpy(table[rank_].data_ptr<uint8_t>(), text.data(), text.size());
  std::vector<at::Tensor> tensors{table};
  all_reduce_sum(tensors, what);
  if (!is_root()) return {};
  std::vector<std::string> texts;
  for (int r = 0; r < size_; ++r) {
    const auto* row = table[r].data_ptr<uint8_t>();
    texts.emplace_back(reinterpret_cast<const char*>(row), static_cast<std::size_t>(lengths[r][0]));
  }
  return texts;
}

void Communicator::barrier(const std::string& what) {
  if (size_ == 1) return;
  try {
    impl_->group->barrier()->wait();
  } catch (const std::exception& e) {
    collective_failed(rank_, size_, what, e);
  }
}

}  // namespace eqt::parallel
