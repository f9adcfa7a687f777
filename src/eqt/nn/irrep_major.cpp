#include "eqt/nn/irrep_major.h"

#include <algorithm>

#include "eqt/core/error.h"

namespace eqt::nn {

const std::vector<at::Tensor>* IrrepMajor::pieces(const so3::Irrep& ir) const {
  const auto it = std::find(irreps.begin(), irreps.end(), ir);
  return it == irreps.end() ? nullptr : &parts[static_cast<std::size_t>(it - irreps.begin())];
}

at::Tensor IrrepMajor::part(const so3::Irrep& ir) const {
  const auto* list = pieces(ir);
  if (list == nullptr) return at::Tensor();
  return list->size() == 1 ? list->front() : at::cat(*list, 2);
}

std::vector<so3::Irrep> distinct_irreps(const so3::Irreps& irreps) {
  std::vector<so3::Irrep> distinct;
  for (const auto& block : irreps) {
    if (std::find(distinct.begin(), distinct.end(), block.ir) == distinct.end()) distinct.push_back(block.ir);
  }
  return distinct;
}

IrrepMajor to_irrep_major(const so3::Irreps& irreps, const at::Tensor& flat) {
  IrrepMajor x;
  x.irreps = distinct_irreps(irreps);
  std::vector<int64_t> dims;
  for (const auto& block : irreps) dims.push_back(block.dim());
  const auto blocks = flat.split_with_sizes(dims, 1);
  for (const auto& ir : x.irreps) {
    std::vector<at::Tensor> pieces;
    for (std::size_t b = 0; b < irreps.size(); ++b) {
      if (irreps[b].ir != ir) continue;
      pieces.push_back(blocks[b].view({flat.size(0), irreps[b].mul, ir.dim()}).transpose(1, 2));
    }
    x.parts.push_back({pieces.size() == 1 ? pieces.front().contiguous() : at::cat(pieces, 2)});
  }
  return x;
}

at::Tensor from_irrep_major(const so3::Irreps& irreps, const IrrepMajor& x) {
  const auto irreps_of_x = distinct_irreps(irreps);
  std::vector<std::vector<at::Tensor>> split(irreps_of_x.size());
  const at::TensorOptions options = x.parts.empty() ? at::TensorOptions() : x.parts.front().front().options();
  for (std::size_t k = 0; k < irreps_of_x.size(); ++k) {
    std::vector<int64_t> muls;
    int64_t total = 0;
    for (const auto& block : irreps) {
      if (block.ir != irreps_of_x[k]) continue;
      muls.push_back(block.mul);
      total += block.mul;
    }
    at::Tensor part = x.part(irreps_of_x[k]);
    const int64_t present = part.defined() ? part.size(2) : 0;
    if (present > total) fail("from_irrep_major: {} channels of {} for {}", present, irreps_of_x[k].str(), total);
    if (present < total) {  // the missing trailing channels are zero
      const at::Tensor zeros = at::zeros({x.batch(), irreps_of_x[k].dim(), total - present}, options);
      part = part.defined() ? at::cat({part, zeros}, 2) : zeros;
    }
    split[k] = part.split_with_sizes(muls, 2);
  }
  std::vector<std::size_t> used(irreps_of_x.size(), 0);
  std::vector<at::Tensor> blocks;
  for (const auto& block : irreps) {
    const auto k = static_cast<std::size_t>(std::find(irreps_of_x.begin(), irreps_of_x.end(), block.ir) - irreps_of_x.begin());
    blocks.push_back(split[k][used[k]++].transpose(1, 2).reshape({x.batch(), block.dim()}));
  }
  if (blocks.empty()) return at::zeros({x.batch(), 0});
  return blocks.size() == 1 ? blocks.front() : at::cat(blocks, 1);
}

}  // namespace eqt::nn
