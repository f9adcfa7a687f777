// Dipole heads (models/dipole.h) of Equiformer, PET and ECSE(PET): the "dipole" output is
// sum_i q_i (r_i - centroid) of the model's own "charges" output (recomputed here with plain
// loops), the charges are neutral, both are translation invariant, the dipole rotates as a vector
// (Equiformer exactly; PET only inside ECSE), and the head survives a model directory round trip.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <random>

#include "eqt/data/batch.h"
#include "eqt/models/dipole.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/pet_model.h"
#include "eqt/so3/rotation.h"
#include "support/random_pet.h"
#include "support/reference.h"
#include "train/tiny_equiformer.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// A random H/C/O cluster of n atoms, no two closer than 0.9 A, all within 3 A of each other.
data::Structure cluster(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> coordinate(-1.1, 1.1);
  std::vector<int64_t> z;
  std::vector<double> r;
  while (static_cast<int>(z.size()) < n) {
    const double x[3] = {coordinate(rng), coordinate(rng), coordinate(rng)};
    bool ok = true;
    for (std::size_t j = 0; j < z.size(); ++j) {
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (x[k] - r[3 * j + k]) * (x[k] - r[3 * j + k]);
      ok = ok && d2 > 0.81;
    }
    if (!ok) continue;
    z.push_back(std::vector<int64_t>{1, 6, 8}[z.size() % 3]);
    r.insert(r.end(), x, x + 3);
  }
  return data::make_structure(z, at::tensor(r, at::kDouble).view({n, 3}));
}

std::vector<data::Structure> clusters() { return {cluster(5, 1), cluster(7, 2)}; }

data::Structure moved(const data::Structure& s, const at::Tensor& rotation, const at::Tensor& shift) {
  data::Structure out = s;
  out.positions = at::matmul(s.positions, rotation.t()) + shift;
  return out;
}

struct Prediction {
  at::Tensor charges, dipole;  // [N], [B, 3]
};

Prediction predict(models::Model& model, const std::vector<data::Structure>& structures) {
  std::vector<const data::Structure*> pointers;
  for (const auto& s : structures) pointers.push_back(&s);
  const models::Outputs out = model.forward(data::collate(pointers, model.cutoff(), at::kDouble));
  EXPECT_TRUE(out.count("charges") && out.count("dipole")) << model.kind();
  return {out.at("charges").detach(), out.at("dipole").detach()};
}

// The dipole of every structure from its charges, by hand.
void expect_dipole_of_charges(const std::vector<data::Structure>& structures, const Prediction& p) {
  ASSERT_EQ(p.dipole.sizes(), (at::IntArrayRef{static_cast<int64_t>(structures.size()), 3}));
  int64_t first = 0;
  for (std::size_t k = 0; k < structures.size(); ++k) {
    const auto pos = structures[k].positions.accessor<double, 2>();
    const int64_t n = structures[k].num_atoms();
    double centroid[3] = {0, 0, 0}, total = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int a = 0; a < 3; ++a) centroid[a] += pos[i][a] / static_cast<double>(n);
    }
    for (int a = 0; a < 3; ++a) {
      double mu = 0;
      for (int64_t i = 0; i < n; ++i) mu += p.charges[first + i].item<double>() * (pos[i][a] - centroid[a]);
      EXPECT_NEAR(p.dipole[static_cast<int64_t>(k)][a].item<double>(), mu, 1e-12) << "structure " << k;
    }
    for (int64_t i = 0; i < n; ++i) total += p.charges[first + i].item<double>();
    EXPECT_NEAR(total, 0.0, 1e-12) << "charges of structure " << k << " are not neutral";
    first += n;
  }
  EXPECT_GT(p.dipole.abs().max().item<double>(), 1e-3) << "a zero dipole would make the checks trivial";
}

// dipole' = R dipole and charges' = charges after r -> R r + t; with rotate = false only a shift.
void expect_covariant(models::Model& model, bool rotate, double tolerance) {
  const auto structures = clusters();
  const Prediction plain = predict(model, structures);
  expect_dipole_of_charges(structures, plain);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(11);
  const at::Tensor rotation = rotate ? so3::random_rotation({}, generator, at::kDouble) : at::eye(3, at::kDouble);
  std::vector<data::Structure> turned;
  for (const auto& s : structures) turned.push_back(moved(s, rotation, at::tensor({3.0, -7.5, 12.25}, at::kDouble)));
  const Prediction after = predict(model, turned);
  const double scale = plain.dipole.abs().max().item<double>();
  EXPECT_LT((after.dipole - at::matmul(plain.dipole, rotation.t())).abs().max().item<double>(), tolerance * scale);
  EXPECT_LT((after.charges - plain.charges).abs().max().item<double>(),
            tolerance * plain.charges.abs().max().item<double>());
}

void perturb(models::Model& model, uint64_t seed) {
  at::manual_seed(seed);
  at::NoGradGuard no_grad;
  for (auto& p : model.parameters()) p.add_(0.05 * at::randn_like(p));
  model.eval();
}

std::shared_ptr<models::Model> equiformer_with_dipole() {
  auto config = tiny_equiformer_config();
  config.dipole_head = true;
  at::manual_seed(3);
  auto model = std::make_shared<models::equiformer::EquiformerModel>(config, at::kDouble);
  perturb(*model, 4);
  return model;
}

std::shared_ptr<models::pet::PetModel> pet_with_dipole() {
  RandomPetSpec spec;
  spec.species = {1, 6, 8};
  at::manual_seed(5);
  auto model = std::make_shared<models::pet::PetModel>(models::pet::parse_pet_hypers(random_pet_hypers(spec)),
                                                       spec.species, at::kDouble, /*dipole_head=*/true);
  perturb(*model, 6);
  return model;
}

TEST(DipoleHead, EquiformerDipoleIsItsChargesMomentAndRotatesAsAVector) {
  auto model = equiformer_with_dipole();
  expect_covariant(*model, /*rotate=*/true, 1e-10);
}

TEST(DipoleHead, PetDipoleIsItsChargesMomentAndTranslationInvariant) {
  auto model = pet_with_dipole();
  expect_covariant(*model, /*rotate=*/false, 1e-10);
}

TEST(DipoleHead, EcsePetDipoleIsRotatedBackAsAVector) {
  auto pet = pet_with_dipole();
  models::ecse::EcseModel ecse(pet);
  // ECSE averages the charges and the dipoles with the same frame weights, so its dipole is still
  // the moment of its (averaged) charges; and it is exact where the bare PET is not.
  expect_covariant(ecse, /*rotate=*/true, 1e-10);
  const auto structures = clusters();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(11);
  const at::Tensor rotation = so3::random_rotation({}, generator, at::kDouble);
  std::vector<data::Structure> turned;
  for (const auto& s : structures) turned.push_back(moved(s, rotation, at::zeros({3}, at::kDouble)));
  const Prediction bare = predict(*pet, structures), bare_turned = predict(*pet, turned);
  EXPECT_GT((bare_turned.dipole - at::matmul(bare.dipole, rotation.t())).abs().max().item<double>(), 1e-6)
      << "the bare PET is not equivariant: the ECSE check would be empty otherwise";
}

TEST(DipoleHead, ModelsWithoutTheHeadGiveNoChargesOrDipole) {
  auto config = tiny_equiformer_config();
  models::equiformer::EquiformerModel equiformer(config, at::kDouble);
  RandomPetSpec spec;
  spec.species = {1, 6, 8};
  auto pet = random_pet(spec);
  const auto s = cluster(4, 9);
  for (models::Model* model : std::initializer_list<models::Model*>{&equiformer, pet.get()}) {
    const auto out = model->forward(data::collate({&s}, model->cutoff(), at::kDouble));
    EXPECT_FALSE(out.count("charges") || out.count("dipole")) << model->kind();
  }
}

TEST(DipoleHead, ModelDirectoriesKeepTheHead) {
  const fs::path dir = temp_dir("dipole_head_model_dir");
  const std::vector<std::shared_ptr<models::Model>> all = {
      equiformer_with_dipole(), pet_with_dipole(), std::make_shared<models::ecse::EcseModel>(pet_with_dipole())};
  const auto structures = clusters();
  for (const auto& model : all) {
    SCOPED_TRACE(model->kind());
    const fs::path path = dir / model->kind();
    models::save_model(*model, path);
    const auto architecture = load_json(path / "model.json")["architecture"];
    const auto& own = model->kind() == "ecse(pet)" ? architecture["backbone"]["architecture"] : architecture;
    EXPECT_EQ(own.value("dipole_head", false), true) << architecture.dump();
    auto loaded = models::load_model(path, at::kDouble);
    const Prediction a = predict(*model, structures), b = predict(*loaded, structures);
    EXPECT_LT((a.dipole - b.dipole).abs().max().item<double>(), 1e-12);
    EXPECT_LT((a.charges - b.charges).abs().max().item<double>(), 1e-12);
  }
}

}  // namespace
}  // namespace eqt::testing
