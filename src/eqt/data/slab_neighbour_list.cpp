#include "eqt/data/slab_neighbour_list.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <vector>

#include "eqt/core/error.h"

namespace eqt::data {
namespace {

// ocpmodels' lower bound on squared distances: drops the atom itself (n = 0) and nothing else
// in any physical structure.
constexpr double kSelfDistanceSq = 1e-4;

struct SlabEdge {
  int64_t j;
  std::array<int64_t, 3> n;
  double distance_sq;
};

std::array<double, 3> slab_cross(const double* a, const double* b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

double slab_norm(const std::array<double, 3>& v) { return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

// Images per direction as ocpmodels bounds them: ceil(radius * |a_k+1 x a_k+2| / |V|), i.e.
// radius over the cell's height across a_k; none along a3 below kSlabThirdAxisRadius.
std::array<int64_t, 3> slab_image_reach(const double* cell, double radius) {
  const double* a[3] = {cell, cell + 3, cell + 6};
  std::array<std::array<double, 3>, 3> normals = {slab_cross(a[1], a[2]), slab_cross(a[2], a[0]), slab_cross(a[0], a[1])};
  const double volume = std::abs(a[0][0] * normals[0][0] + a[0][1] * normals[0][1] + a[0][2] * normals[0][2]);
  double scale = 0;
  for (const auto& v : normals) scale = std::max(scale, slab_norm(v));
  // scale is an area: scale^1.5 is the volume of a cell of that size.
  if (!(volume > 1e-12 * scale * std::sqrt(scale))) fail("OC20 graph: the cell has (nearly) no volume");
  std::array<int64_t, 3> reach{};
  for (int k = 0; k < 3; ++k) reach[k] = static_cast<int64_t>(std::ceil(radius * slab_norm(normals[k]) / volume));
  if (radius < kSlabThirdAxisRadius) reach[2] = 0;
  return reach;
}

struct SlabSearchInput {
  const double* positions;
  int64_t num_atoms;
  const double* cell;
  std::array<int64_t, 3> reach;
  SlabGraphOptions options;
};

// Every kept candidate of centre i, truncated to the nearest max_neighbours, in (j, n) order.
std::vector<SlabEdge> slab_centre_edges(const SlabSearchInput& in, int64_t i) {
  std::vector<SlabEdge> found;
  const double* pi = in.positions + 3 * i;
  const double radius_sq = in.options.radius * in.options.radius;
  for (int64_t j = 0; j < in.num_atoms; ++j) {
    const double* pj = in.positions + 3 * j;
    for (int64_t n1 = -in.reach[0]; n1 <= in.reach[0]; ++n1) {
      for (int64_t n2 = -in.reach[1]; n2 <= in.reach[1]; ++n2) {
        for (int64_t n3 = -in.reach[2]; n3 <= in.reach[2]; ++n3) {
          double sq = 0;
          for (int c = 0; c < 3; ++c) {
            const double offset = n1 * in.cell[c] + n2 * in.cell[3 + c] + n3 * in.cell[6 + c];
            const double d = pj[c] + offset - pi[c];
            sq += d * d;
          }
          if (sq <= radius_sq && sq > kSelfDistanceSq) found.push_back({j, {n1, n2, n3}, sq});
        }
      }
    }
  }
  // Found in (j, n) order already; truncation keeps the nearest, then restores that order.
  const auto max = in.options.max_neighbours;
  if (max > 0 && static_cast<int64_t>(found.size()) > max) {
    const auto nearer = [](const SlabEdge& a, const SlabEdge& b) {
      return std::tie(a.distance_sq, a.j, a.n) < std::tie(b.distance_sq, b.j, b.n);
    };
    std::nth_element(found.begin(), found.begin() + max, found.end(), nearer);
    found.resize(static_cast<std::size_t>(max));
    std::sort(found.begin(), found.end(),
              [](const SlabEdge& a, const SlabEdge& b) { return std::tie(a.j, a.n) < std::tie(b.j, b.n); });
  }
  return found;
}

NeighbourList assemble_slab_edges(const std::vector<std::vector<SlabEdge>>& per_centre) {
  int64_t num_edges = 0;
  for (const auto& edges : per_centre) num_edges += static_cast<int64_t>(edges.size());
  NeighbourList nl;
  nl.centres = at::empty({num_edges}, at::kLong);
  nl.neighbours = at::empty({num_edges}, at::kLong);
  nl.shifts = at::empty({num_edges, 3}, at::kLong);
  int64_t* centres = nl.centres.data_ptr<int64_t>();
  int64_t* neighbours = nl.neighbours.data_ptr<int64_t>();
  int64_t* shifts = nl.shifts.data_ptr<int64_t>();
  int64_t e = 0;
  for (std::size_t i = 0; i < per_centre.size(); ++i) {
    for (const SlabEdge& edge : per_centre[i]) {
      centres[e] = static_cast<int64_t>(i);
      neighbours[e] = edge.j;
      std::copy(edge.n.begin(), edge.n.end(), shifts + 3 * e);
      ++e;
    }
  }
  return nl;
}

}  // namespace

NeighbourList slab_neighbour_list(const at::Tensor& positions, const at::Tensor& cell,
                                  const SlabGraphOptions& options) {
  if (!(options.radius > 0) || !std::isfinite(options.radius)) {
    fail("OC20 graph: radius must be a positive number, got {}", options.radius);
  }
  if (positions.dim() != 2 || positions.size(1) != 3) fail("OC20 graph: positions must have shape [N, 3]");
  if (!cell.defined() || cell.numel() != 9) fail("OC20 graph: a periodic cell [3, 3] is required");
  const at::Tensor pos = positions.detach().to(at::kCPU, at::kDouble).contiguous();
  const at::Tensor cell3 = cell.detach().to(at::kCPU, at::kDouble).reshape({3, 3}).contiguous();
  if (!at::isfinite(pos).all().item<bool>() || !at::isfinite(cell3).all().item<bool>()) {
    fail("OC20 graph: positions and cell must be finite");
  }
  const SlabSearchInput in{pos.data_ptr<double>(), pos.size(0), cell3.data_ptr<double>(),
                       slab_image_reach(cell3.data_ptr<double>(), options.radius), options};
  std::vector<std::vector<SlabEdge>> per_centre(static_cast<std::size_t>(in.num_atoms));
  at::parallel_for(0, in.num_atoms, 16, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) per_centre[i] = slab_centre_edges(in, i);
  });
  return assemble_slab_edges(per_centre);
}

NeighbourList slab_neighbour_list(const Structure& structure, const SlabGraphOptions& options) {
  return slab_neighbour_list(structure.positions, structure.cell, options);
}

}  // namespace eqt::data
