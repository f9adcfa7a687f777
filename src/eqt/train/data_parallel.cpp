#include "eqt/train/data_parallel.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <map>

#include "eqt/core/error.h"

namespace eqt::train {

namespace {

uint32_t crc_of_tensor(uint32_t crc, const at::Tensor& t) {
  if (!t.defined() || t.numel() == 0) return crc;
  const at::Tensor c = t.detach().to(at::kCPU).contiguous();
  const auto* bytes = static_cast<const Bytef*>(c.data_ptr());
  std::size_t left = static_cast<std::size_t>(c.numel()) * c.element_size();
  while (left > 0) {  // zlib's length is a uInt
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, bytes, chunk));
    bytes += chunk;
    left -= chunk;
  }
  return crc;
}

}  // namespace

Batch shard_of(const Batch& global, int rank, int ranks) {
  const auto n = static_cast<int64_t>(global.size());
  const int64_t begin = n * rank / ranks, end = n * (rank + 1) / ranks;
  return Batch(global.begin() + begin, global.begin() + end);
}

double all_reduce_gradients(models::Model& model, parallel::Communicator& comm, double local_loss,
                            int64_t bucket_bytes) {
  std::vector<at::Tensor> parameters = model.parameters();
  if (comm.size() == 1) return local_loss;
  at::NoGradGuard no_grad;
  // Buckets of parameters of one dtype, in parameter order (the same on every rank).
  std::vector<std::vector<std::size_t>> buckets;
  int64_t filled = bucket_bytes;
  c10::ScalarType bucket_dtype = at::kDouble;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto& p = parameters[i];
    const int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
    if (buckets.empty() || filled + bytes > bucket_bytes || p.scalar_type() != bucket_dtype) {
      buckets.emplace_back();
      filled = 0;
      bucket_dtype = p.scalar_type();
    }
    buckets.back().push_back(i);
    filled += bytes;
  }
  double global_loss = local_loss;
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    std::vector<at::Tensor> parts;
    for (const std::size_t i : buckets[b]) {
      const auto& p = parameters[i];
      parts.push_back(p.grad().defined() ? p.grad().reshape(-1) : at::zeros({p.numel()}, p.options()));
    }
    if (b == 0) parts.push_back(at::full({1}, local_loss, parts.front().options()));
    std::vector<at::Tensor> flat{at::cat(parts)};
    comm.all_reduce_sum(flat, "gradients");
    int64_t offset = 0;
    for (const std::size_t i : buckets[b]) {
      auto& p = parameters[i];
      const at::Tensor reduced = flat[0].narrow(0, offset, p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(reduced);
      } else {
        p.mutable_grad() = reduced.clone();
      }
      offset += p.numel();
    }
    if (b == 0) global_loss = flat[0][offset].item<double>();
  }
  return global_loss;
}

uint32_t fingerprint_text(const std::string& text) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
}

uint32_t fingerprint_split(const Split& split) {
  uint32_t crc = 0;
  for (const auto& s : split.samples) {
    crc = crc_of_tensor(crc, s.structure.numbers);
    crc = crc_of_tensor(crc, s.structure.positions);
    crc = crc_of_tensor(crc, s.structure.cell);
    crc = crc_of_tensor(crc, s.labels.energy);
    crc = crc_of_tensor(crc, s.labels.forces);
    crc = crc_of_tensor(crc, s.labels.stress);
    crc = crc_of_tensor(crc, s.labels.dipole);
  }
  return crc;
}

uint32_t fingerprint_parameters(const models::Model& model) {
  uint32_t crc = 0;
  for (const auto& p : model.parameters()) crc = crc_of_tensor(crc, p);
  return crc;
}

void check_ranks_agree(parallel::Communicator& comm, const std::vector<std::pair<std::string, uint32_t>>& fingerprints) {
  if (comm.size() == 1) return;
  std::vector<int64_t> mine;
  for (const auto& [name, crc] : fingerprints) mine.push_back(static_cast<int64_t>(crc));
  const auto all = comm.all_gather(mine, "the run's fingerprints");
  std::vector<std::string> problems;
  for (int r = 1; r < comm.size(); ++r) {
    for (std::size_t k = 0; k < fingerprints.size(); ++k) {
      if (all[static_cast<std::size_t>(r)][k] != all[0][k]) {
        problems.push_back(fmt::format("rank {} has a different {} than rank 0", r, fingerprints[k].first));
      }
    }
  }
  if (problems.empty()) return;
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
  fail("the ranks disagree before the first step: {} (every rank must be started with the same config, --set "
       "overrides, data files and eqt build)",
       text);
}

}  // namespace eqt::train
