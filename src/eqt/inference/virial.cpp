#include "eqt/inference/virial.h"

namespace eqt::inference {

namespace {

// [..., 3, 3] -> [..., 6]: the symmetric part's xx, yy, zz, xy, xz, yz.
at::Tensor lammps_components(const at::Tensor& w) {
  const at::Tensor s = 0.5 * (w + w.transpose(-1, -2));
  const auto c = [&](int64_t a, int64_t b) { return s.select(-1, b).select(-1, a); };
  return at::stack({c(0, 0), c(1, 1), c(2, 2), c(0, 1), c(0, 2), c(1, 2)}, -1);
}

}  // namespace

std::array<double, 6> virial_of(const at::Tensor& x, const at::Tensor& g) {
  const at::Tensor w = -at::mm(x.detach().to(at::kCPU, at::kDouble).t(), g.detach().to(at::kCPU, at::kDouble));
  const std::vector<double> v = host_doubles(lammps_components(w));
  return {v[0], v[1], v[2], v[3], v[4], v[5]};
}

std::vector<double> centre_virials(const at::Tensor& edge_vectors, const at::Tensor& gradient,
                                   const at::Tensor& centres, int64_t num_atoms) {
  const at::Tensor r = edge_vectors.detach().to(at::kCPU, at::kDouble);
  const at::Tensor g = gradient.detach().to(at::kCPU, at::kDouble);
  const at::Tensor per_edge = -lammps_components(r.unsqueeze(2) * g.unsqueeze(1));  // [E, 6]
  const at::Tensor per_atom = at::zeros({num_atoms, 6}, at::kDouble).index_add_(0, centres.to(at::kCPU), per_edge);
  return host_doubles(per_atom);
}

std::vector<double> host_doubles(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace eqt::inference
