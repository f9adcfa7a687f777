// ExchangePotential (LAMMPS's mode exchange without LAMMPS): a periodic crystal cut into domains
// whose shells are one cutoff deep; the domains run at once, one thread each, and exchange node
// features through an in-process FeatureExchange. Together they must give the periodic energy,
// forces and stress of models::evaluate, in both force modes, and per-atom virials that do not
// depend on the decomposition and equal each edge's -r (x) dE/dr given to its centre. Equiformer
// exchanges node features, PET its messages per edge (pet/pet_steps.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "domain_fixtures.h"
#include "eqt/data/batch.h"
#include "eqt/inference/exchange_potential.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/potential.h"
#include "models/equiformer_fixtures.h"
#include "support/atomic_virials.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

// Every thread waits until all have arrived (C++17 has no std::barrier).
class Barrier {
 public:
  explicit Barrier(int count) : count_(count) {}
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const int generation = generation_;
    if (++arrived_ == count_) {
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return generation != generation_; });
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_, arrived_ = 0, generation_ = 0;
};

// The domains' row buffers, published at each exchange; owner_of[atom] = (domain, owned row).
struct Board {
  explicit Board(const std::vector<Cluster>& clusters)
      : clusters(clusters), rows(clusters.size()), values(clusters.size()), barrier(static_cast<int>(clusters.size())) {
    for (size_t d = 0; d < clusters.size(); ++d)
      for (int64_t r = 0; r < clusters[d].owned; ++r) owner_of[clusters[d].owner[r]] = {d, r};
  }
  const std::vector<Cluster>& clusters;
  std::vector<double*> rows;
  std::vector<int64_t> values;  // of max_over_domains
  std::map<int64_t, std::pair<size_t, int64_t>> owner_of;
  Barrier barrier;
};

class InProcessExchange : public inference::FeatureExchange {
 public:
  InProcessExchange(Board& board, size_t domain) : board_(board), domain_(domain) {}
  int calls = 0;

  void owners_to_shell(double* rows, int width) override {
    publish(rows);
    const Cluster& c = board_.clusters[domain_];
    for (size_t r = c.owned; r < c.owner.size(); ++r) {
      const auto [d, row] = board_.owner_of.at(c.owner[r]);
      std::copy_n(board_.rows[d] + row * width, width, rows + r * width);
    }
    board_.barrier.wait();
  }
  void shell_to_owners(double* rows, int width) override {
    publish(rows);
    for (size_t d = 0; d < board_.clusters.size(); ++d) {
      const Cluster& c = board_.clusters[d];
      for (size_t r = c.owned; r < c.owner.size(); ++r) {
        const auto [owner, row] = board_.owner_of.at(c.owner[r]);
        if (owner != domain_) continue;
        for (int k = 0; k < width; ++k) rows[row * width + k] += board_.rows[d][r * width + k];
      }
    }
    board_.barrier.wait();
  }
  int64_t max_over_domains(int64_t value) override {
    board_.values[domain_] = value;
    board_.barrier.wait();
    const int64_t largest = *std::max_element(board_.values.begin(), board_.values.end());
    board_.barrier.wait();
    return largest;
  }

 private:
  void publish(double* rows) {
    ++calls;
    board_.rows[domain_] = rows;
    board_.barrier.wait();
  }
  Board& board_;
  size_t domain_;
};

std::shared_ptr<models::Model> seeded_equiformer(const models::equiformer::EquiformerConfig& config) {
  at::manual_seed(7);
  return std::make_shared<models::equiformer::EquiformerModel>(config, at::kDouble);
}

struct ExchangeTotals {
  double energy = 0.0;
  at::Tensor forces;          // [N, 3]
  at::Tensor virial;          // [6]
  at::Tensor atomic_virials;  // [N, 6]
  int exchanges = 0;          // calls of the first domain's exchange
};

using ModelFactory = std::function<std::shared_ptr<models::Model>()>;

ExchangeTotals run_domains(const ModelFactory& make_model, const data::Structure& s,
                           const std::vector<std::vector<int64_t>>& domains, bool forces_on_shell) {
  const double cutoff = make_model()->cutoff();
  std::vector<Cluster> clusters;
  for (const auto& domain : domains) clusters.push_back(make_cluster(s, domain, cutoff + 0.3));
  Board board(clusters);
  std::vector<inference::ExchangePotential::Result> results(domains.size());
  std::vector<std::unique_ptr<InProcessExchange>> exchanges;
  std::vector<std::thread> threads;
  for (size_t d = 0; d < domains.size(); ++d) exchanges.push_back(std::make_unique<InProcessExchange>(board, d));
  std::vector<std::shared_ptr<models::Model>> models;  // one per thread: modules are not shared across threads
  for (size_t d = 0; d < domains.size(); ++d) models.push_back(make_model());
  for (size_t d = 0; d < domains.size(); ++d) {
    threads.emplace_back([&, d] {
      inference::ExchangePotential potential(models[d], false);
      inference::ExchangePotential::Request r;
      r.positions = clusters[d].positions.data();
      r.numbers = clusters[d].numbers.data();
      r.num_atoms = static_cast<int64_t>(clusters[d].numbers.size());
      r.num_owned = clusters[d].owned;
      r.forces_on_shell = forces_on_shell;
      r.atomic_virials = true;
      results[d] = potential.compute(r, *exchanges[d]);
    });
  }
  for (auto& t : threads) t.join();

  ExchangeTotals t;
  t.forces = at::zeros({s.num_atoms(), 3}, at::kDouble);
  t.virial = at::zeros({6}, at::kDouble);
  t.atomic_virials = at::zeros({s.num_atoms(), 6}, at::kDouble);
  auto f = t.forces.accessor<double, 2>();
  auto w = t.atomic_virials.accessor<double, 2>();
  for (size_t d = 0; d < domains.size(); ++d) {
    const auto& result = results[d];
    t.energy += result.energy;
    for (int k = 0; k < 6; ++k) t.virial[k] += result.virial[k];
    for (size_t i = 0; i < clusters[d].owner.size(); ++i)
      for (int e = 0; e < 3; ++e) f[clusters[d].owner[i]][e] += result.forces[3 * i + e];
    for (int64_t i = 0; i < clusters[d].owned; ++i)
      for (int k = 0; k < 6; ++k) w[clusters[d].owner[i]][k] += result.atomic_virials[6 * i + k];
  }
  inference::ExchangePotential constant(make_model(), false);
  t.energy += constant.per_structure_constant(s.numbers[0].item<int64_t>());
  t.exchanges = exchanges[0]->calls;
  return t;
}

class ExchangePotentialTest : public ::testing::TestWithParam<bool> {};

TEST_P(ExchangePotentialTest, DomainsWithOneCutoffShellsGiveThePeriodicResult) {
  const bool forces_on_shell = GetParam();
  const data::Structure crystal = distorted_fcc();
  const auto config = small_config();  // 2 blocks, cutoff 4 A > half the cell: several images
  auto model = seeded_equiformer(config);
  const auto graph = data::collate({&crystal}, model->cutoff(), at::kDouble);
  const auto expected = models::evaluate(*model, graph, {true, true, false, "energy"});
  const double volume = std::abs(at::linalg_det(crystal.cell).item<double>());
  const at::Tensor st = -volume * expected.stress[0];
  const at::Tensor expected_virial = at::stack({st[0][0], st[1][1], st[2][2], st[0][1], st[0][2], st[1][2]});
  const at::Tensor expected_atomic_virials = periodic_atomic_virials(*model, crystal);
  EXPECT_LT(max_abs_diff(expected_atomic_virials.sum(0), expected_virial), 1e-10);

  for (const auto& domains : std::vector<std::vector<std::vector<int64_t>>>{{{0, 1, 2, 3}}, {{0, 2}, {1}, {3}}, {{0, 1, 2, 3}, {}}}) {
    SCOPED_TRACE(::testing::Message() << domains.size() << " domains");
    const ExchangeTotals t = run_domains([&] { return seeded_equiformer(config); }, crystal, domains, forces_on_shell);
    EXPECT_NEAR(t.energy, expected.energy.item<double>(), 1e-10);
    EXPECT_LT(max_abs_diff(t.forces, expected.forces), 1e-10);
    EXPECT_LT(max_abs_diff(t.virial, expected_virial), 1e-10) << t.virial << expected_virial;
    EXPECT_LT(max_abs_diff(t.atomic_virials, expected_atomic_virials), 1e-10);
    // Embedding and first block outputs go to the shells; their gradients come back; forces too
    // when the shell keeps none.
    EXPECT_EQ(t.exchanges, 2 * config.num_layers + (forces_on_shell ? 0 : 1));
  }
  // The comparisons mean something.
  EXPECT_GT(expected.forces.abs().max().item<double>(), 1e-3);
  EXPECT_GT(expected_virial.abs().max().item<double>(), 1e-3);
  EXPECT_GT(expected_atomic_virials.abs().max().item<double>(), 1e-3);
}

// PET: rows of messages per edge, wider than one exchange call (1 + 18 x (3 + 64) columns: the
// 12 + 6 neighbours of a distorted fcc atom within 4 A), so each exchange goes in two chunks.
TEST_P(ExchangePotentialTest, PetDomainsWithOneCutoffShellsGiveThePeriodicResult) {
  const bool forces_on_shell = GetParam();
  const data::Structure crystal = distorted_fcc();
  const RandomPetSpec spec{{13, 29}, 4.0, 3, 5};
  const auto make_pet = [&]() -> std::shared_ptr<models::Model> {
    nlohmann::json hypers = random_pet_hypers(spec);
    hypers["TRANSFORMER_D_MODEL"] = 64;
    at::manual_seed(spec.seed);
    auto model =
        std::make_shared<models::pet::PetModel>(models::pet::parse_pet_hypers(hypers), spec.species, at::kDouble);
    at::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.add_(spec.perturbation * at::randn_like(p));
    model->eval();
    return model;
  };
  auto model = make_pet();
  const auto graph = data::collate({&crystal}, model->cutoff(), at::kDouble);
  const auto expected = models::evaluate(*model, graph, {true, true, false, "energy"});
  const double volume = std::abs(at::linalg_det(crystal.cell).item<double>());
  const at::Tensor st = -volume * expected.stress[0];
  const at::Tensor expected_virial = at::stack({st[0][0], st[1][1], st[2][2], st[0][1], st[0][2], st[1][2]});
  const at::Tensor expected_atomic_virials = periodic_atomic_virials(*model, crystal);
  EXPECT_LT(max_abs_diff(expected_atomic_virials.sum(0), expected_virial), 1e-10);
  const int64_t neighbours = at::bincount(graph.edge_index[0]).max().item<int64_t>();
  const int64_t width = 1 + neighbours * (3 + 64);
  const int64_t chunk = model->message_passing_shape().max_exchanged_width;
  const int64_t chunks = (width + chunk - 1) / chunk;
  EXPECT_EQ(chunks, 2);

  for (const auto& domains : std::vector<std::vector<std::vector<int64_t>>>{{{0, 1, 2, 3}}, {{0, 2}, {1}, {3}}, {{0, 1, 2, 3}, {}}}) {
    SCOPED_TRACE(::testing::Message() << domains.size() << " domains");
    const ExchangeTotals t = run_domains(make_pet, crystal, domains, forces_on_shell);
    EXPECT_NEAR(t.energy, expected.energy.item<double>(), 1e-10);
    EXPECT_LT(max_abs_diff(t.forces, expected.forces), 1e-10);
    EXPECT_LT(max_abs_diff(t.virial, expected_virial), 1e-10) << t.virial << expected_virial;
    EXPECT_LT(max_abs_diff(t.atomic_virials, expected_atomic_virials), 1e-10);
    // The rows of layers 0 and 1 go to the shells and their gradients come back, in chunks.
    EXPECT_EQ(t.exchanges, 2 * (spec.gnn_layers - 1) * chunks + (forces_on_shell ? 0 : 1));
  }
  EXPECT_GT(expected.forces.abs().max().item<double>(), 1e-3);
  EXPECT_GT(expected_virial.abs().max().item<double>(), 1e-3);
  EXPECT_GT(expected_atomic_virials.abs().max().item<double>(), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(ForceModes, ExchangePotentialTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "ForcesOnShell" : "OwnedForcesOnly"; });

TEST(ExchangePotential, RefusesModelsWithoutLocalSteps) {
  auto config = small_config();
  config.norm_layer = "graph";
  try {
    inference::ExchangePotential potential(seeded_equiformer(config), false);
    ADD_FAILURE() << "a graph-norm Equiformer was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("mode local or replicated"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqt::testing
