#include "eqt/models/ecse/frames.h"

#include <vector>

#include "eqt/core/index_tensor.h"

namespace eqt::models::ecse {
namespace {

at::Tensor unit(const at::Tensor& v) { return v / at::sqrt((v * v).sum(-1, true)); }

}  // namespace

NeighbourPairs neighbour_pairs(const at::Tensor& edge_centres, int64_t num_atoms) {
  // Group edge ids by centre (stable, so pairs come out in neighbour-list order).
  const at::Tensor centres = edge_centres.to(at::kCPU, at::kLong).contiguous();
  const int64_t* c = centres.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> edges_of(static_cast<std::size_t>(num_atoms));
  for (int64_t e = 0; e < centres.numel(); ++e) edges_of[static_cast<std::size_t>(c[e])].push_back(e);
  std::vector<int64_t> first, second, centre;
  std::vector<uint8_t> ordered;
  for (int64_t i = 0; i < num_atoms; ++i) {
    const auto& list = edges_of[static_cast<std::size_t>(i)];
    for (std::size_t a = 0; a < list.size(); ++a) {
      for (std::size_t b = 0; b < list.size(); ++b) {
        if (a == b) continue;
        first.push_back(list[a]);
        second.push_back(list[b]);
        centre.push_back(i);
        ordered.push_back(a < b ? 1 : 0);
      }
    }
  }
  const at::Device device = edge_centres.device();
  const at::Tensor order = at::tensor(std::vector<int64_t>(ordered.begin(), ordered.end()), at::kLong);
  return {long_tensor(first, device), long_tensor(second, device), long_tensor(centre, device),
          order.to(device).to(at::kBool)};
}

at::Tensor coordinate_frames(const at::Tensor& first, const at::Tensor& second) {
  const at::Tensor n1 = unit(first);
  const at::Tensor n2 = unit(at::linalg_cross(n1, unit(second), -1));
  const at::Tensor n3 = at::linalg_cross(n1, n2, -1);
  return at::stack({n1, n2, n3}, -1);  // axes as columns
}

at::Tensor non_collinearity(const at::Tensor& first, const at::Tensor& second) {
  const at::Tensor cross = at::linalg_cross(unit(first), unit(second), -1);
  return (cross * cross).sum(-1);
}

}  // namespace eqt::models::ecse
