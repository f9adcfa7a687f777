#include "support/train_data.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

namespace eqt::testing {

namespace {

double e0(int z) { return z == 1 ? -13.6 : z == 6 ? -1029.0 : -2040.0; }

}  // namespace

const char* element_symbol(int z) { return z == 1 ? "H" : z == 6 ? "C" : "O"; }

RandomCluster random_cluster(std::mt19937_64& rng, int n, int species_count, double half_width, double min_distance) {
  std::uniform_int_distribution<int> species(0, species_count - 1);
  std::uniform_real_distribution<double> coordinate(-half_width, half_width);
  RandomCluster c{std::vector<int>(n), std::vector<double>(3 * n)};
  for (int i = 0; i < n; ++i) {
    c.z[i] = std::vector<int>{1, 6, 8}[species(rng)];
    for (bool ok = false; !ok;) {
      for (int k = 0; k < 3; ++k) c.r[3 * i + k] = coordinate(rng);
      ok = true;
      for (int j = 0; j < i; ++j) {
        double d2 = 0;
        for (int k = 0; k < 3; ++k) d2 += std::pow(c.r[3 * i + k] - c.r[3 * j + k], 2);
        ok = ok && d2 > min_distance * min_distance;
      }
    }
  }
  return c;
}

std::string tiny_train_config(const std::filesystem::path& train, const std::filesystem::path& val,
                              const std::string& extra) {
  return fmt::format(R"(model:
  kind: equiformer
  dtype: float64
  equiformer:
    irreps_node_embedding: 8x0e+4x1e
    num_layers: 1
    irreps_sh: 1x0e+1x1e
    max_radius: 4.0
    number_of_basis: 8
    fc_neurons: [8]
    irreps_feature: 8x0e
    irreps_head: 4x0e+2x1e
    num_heads: 2
    irreps_mlp_mid: 8x0e+4x1e
    alpha_drop: 0.0
    avg_num_nodes: 4.0
    avg_degree: 3.0
data:
  train: {}
  val: {}
  batch_size: 4
targets:
  energy: {{weight: 1.0}}
  forces: {{weight: 10.0}}
optimiser: {{lr: 0.005}}
schedule: {{kind: cosine, warmup_epochs: 0.5}}
training: {{epochs: 4, log_every: 1000}}
{}
)",
                     train.string(), val.string(), extra);
}

void write_pair_potential_dataset(const std::filesystem::path& path, const TrainDataOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int> count(o.min_atoms, o.max_atoms);
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  for (int f = 0; f < o.frames; ++f) {
    const int n = count(rng);
    const auto [z, r] = random_cluster(rng, n, o.with_oxygen ? 3 : 2, 1.6, 0.8);
    double energy = 0;
    std::vector<double> force(3 * n, 0.0);
    for (int i = 0; i < n; ++i) {
      energy += e0(z[i]);
      for (int j = i + 1; j < n; ++j) {
        double d[3], d2 = 0;
        for (int k = 0; k < 3; ++k) {
          d[k] = r[3 * j + k] - r[3 * i + k];
          d2 += d[k] * d[k];
        }
        const double dist = std::sqrt(d2), a = (z[i] + z[j]) / 10.0, e = a * std::exp(-dist);
        energy += e;
        // dE/dr_j = -e * d / dist; F_j = -dE/dr_j.
        for (int k = 0; k < 3; ++k) {
          force[3 * j + k] += e * d[k] / dist;
          force[3 * i + k] -= e * d[k] / dist;
        }
      }
    }
    out << n << "\n"
        << fmt::format("Properties=species:S:1:pos:R:3:forces:R:3 {}={:.12f} pbc=\"F F F\"\n", o.energy_key, energy);
    for (int i = 0; i < n; ++i) {
      out << fmt::format("{} {:.10f} {:.10f} {:.10f} {:.10f} {:.10f} {:.10f}\n", element_symbol(z[i]), r[3 * i], r[3 * i + 1],
                         r[3 * i + 2], force[3 * i], force[3 * i + 1], force[3 * i + 2]);
    }
  }
}

}  // namespace eqt::testing
