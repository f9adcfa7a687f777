#include "eqt/models/pet/exchange_rows.h"

#include <cmath>
#include <limits>

#include "eqt/core/error.h"

namespace eqt::models::pet {
namespace {

// Slots of rows [N, 1 + K * (3 + D)] as [N, K, 3 + D].
at::Tensor row_slots(const at::Tensor& rows, int64_t d) {
  const int64_t width = rows.size(1) - 1;
  if (rows.dim() != 2 || width < 0 || width % (3 + d) != 0) {
    fail("PET exchange: rows {} are not 1 + K x (3 + {}) wide", c10::str(rows.sizes()), d);
  }
  return rows.narrow(1, 1, width).view({rows.size(0), width / (3 + d), 3 + d});
}

}  // namespace

at::Tensor pack_exchange_rows(const at::Tensor& energies, const at::Tensor& displacements, const at::Tensor& messages,
                              int64_t num_atoms) {
  const int64_t c = energies.size(0), k = messages.size(1), d = messages.size(2);
  const at::Tensor slots = at::cat({displacements.to(messages.scalar_type()), messages}, -1).reshape({c, k * (3 + d)});
  const at::Tensor rows = at::cat({energies.unsqueeze(1), slots}, 1);
  if (num_atoms == c) return rows;
  return at::cat({rows, at::zeros({num_atoms - c, rows.size(1)}, rows.options())}, 0);
}

at::Tensor row_energies(const at::Tensor& rows) { return rows.select(1, 0); }

at::Tensor row_displacements(const at::Tensor& rows, int64_t d) { return row_slots(rows, d).narrow(2, 0, 3); }

at::Tensor row_messages(const at::Tensor& rows, int64_t d) { return row_slots(rows, d).narrow(2, 3, d); }

double match_tolerance(c10::ScalarType dtype) { return dtype == at::kDouble ? 1e-8 : 1e-3; }

at::Tensor incoming_slots(const at::Tensor& displacements, const at::Tensor& edge_index, const at::Tensor& edge_vectors,
                          double r_cut, double tolerance) {
  const at::Tensor slots_xyz = displacements.detach().to(at::kCPU, at::kDouble).contiguous();
  const at::Tensor vectors = edge_vectors.detach().to(at::kCPU, at::kDouble).contiguous();
  const at::Tensor pairs = edge_index.to(at::kCPU).contiguous();
  const int64_t k = slots_xyz.size(1), num_edges = vectors.size(0);
  const double* slot = slots_xyz.data_ptr<double>();
  const double* vector = vectors.data_ptr<double>();
  const int64_t* centre = pairs.data_ptr<int64_t>();
  const int64_t* neighbour = centre + num_edges;
  at::Tensor found = at::empty({num_edges}, at::kLong);
  int64_t* out = found.data_ptr<int64_t>();
  for (int64_t e = 0; e < num_edges; ++e) {
    const double* v = vector + 3 * e;
    int64_t best = -1, matches = 0;
    for (int64_t s = 0; s < k; ++s) {
      const double* r = slot + (neighbour[e] * k + s) * 3;
      // Slot displacement r_c - r_n against -v = r_c - r_n.
      const double distance = std::max({std::abs(r[0] + v[0]), std::abs(r[1] + v[1]), std::abs(r[2] + v[2])});
      if (distance <= tolerance) {
        best = neighbour[e] * k + s;
        ++matches;
      }
    }
    const double length = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (matches > 1) {
      fail("PET exchange: atom {} has {} neighbours at displacement ({}, {}, {}) from atom {}", neighbour[e], matches,
           -v[0], -v[1], -v[2], centre[e]);
    }
    if (matches == 0 && length < r_cut - tolerance) {
      fail("PET exchange: atom {} holds no message for its neighbour {} at {} A (cutoff {} A): the shell of "
           "atoms around a domain must reach one cutoff",
           neighbour[e], centre[e], length, r_cut);
    }
    out[e] = best;
  }
  return found.to(edge_index.device());
}

}  // namespace eqt::models::pet
