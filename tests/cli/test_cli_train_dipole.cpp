// Dipoles end to end: `eqt train` learns energy + dipole of synthetic clusters whose dipoles come
// from fixed per-species charges, `eqt predict` writes the dipole and the charges, `eqt eval`
// reports the dipole errors; a dipole the data lacks is a clear error naming key and file.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "eqt/data/extxyz_reader.h"
#include "support/reference.h"
#include "support/run_command.h"
#include "support/train_data.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;


// Charges the data is made with (e), before making each cluster neutral.
double species_charge(int z) { return z == 1 ? 0.2 : z == 6 ? -0.4 : -0.3; }

struct Written {
  double dipole_rms = 0;  // RMS of the dipole components (e*A)
};

// Random H/C/O clusters of 3..6 atoms (no pair closer than 0.9 A) labelled with
//   dipole = sum_i q_i (r_i - centroid),  q_i = species_charge(Z_i) - mean over the cluster,
//   energy = sum_{i<j} (Z_i + Z_j)/10 exp(-r_ij)  (eV),
// written as extxyz with the dipole under `dipole_key` (none when empty).
Written write_dipole_dataset(const fs::path& path, int frames, uint64_t seed,
                             const std::string& dipole_key = "dipole") {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> count(3, 6);
  std::ofstream out(path);
  double sum_squares = 0;
  for (int f = 0; f < frames; ++f) {
    const int n = count(rng);
    const auto [z, r] = random_cluster(rng, n, 3, 1.5, 0.9);
    double mean_charge = 0, centroid[3] = {0, 0, 0}, dipole[3] = {0, 0, 0}, energy = 0;
    for (int i = 0; i < n; ++i) {
      mean_charge += species_charge(z[i]) / n;
      for (int k = 0; k < 3; ++k) centroid[k] += r[3 * i + k] / n;
    }
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) dipole[k] += (species_charge(z[i]) - mean_charge) * (r[3 * i + k] - centroid[k]);
      for (int j = i + 1; j < n; ++j) {
        double d2 = 0;
        for (int k = 0; k < 3; ++k) d2 += std::pow(r[3 * i + k] - r[3 * j + k], 2);
        energy += (z[i] + z[j]) / 10.0 * std::exp(-std::sqrt(d2));
      }
    }
    for (double d : dipole) sum_squares += d * d;
    out << n << "\n" << fmt::format("Properties=species:S:1:pos:R:3 energy={:.12f}", energy);
    if (!dipole_key.empty()) {
      out << fmt::format(" {}=\"{:.12f} {:.12f} {:.12f}\"", dipole_key, dipole[0], dipole[1], dipole[2]);
    }
    out << " pbc=\"F F F\"\n";
    for (int i = 0; i < n; ++i) {
      out << fmt::format("{} {:.10f} {:.10f} {:.10f}\n", element_symbol(z[i]), r[3 * i], r[3 * i + 1], r[3 * i + 2]);
    }
  }
  return {std::sqrt(sum_squares / (3.0 * frames))};
}

double value_at(const std::vector<std::vector<std::string>>& rows, std::size_t row, const std::string& name) {
  const auto& h = rows.at(0);
  const auto it = std::find(h.begin(), h.end(), name);
  if (it == h.end()) throw std::runtime_error("metrics.csv has no column " + name);
  return std::stod(rows.at(row).at(static_cast<std::size_t>(it - h.begin())));
}

std::string train_command(const fs::path& config, const fs::path& run, const std::string& extra) {
  return eqt_command() + "train " + shell_quote(config.string()) + " --run-dir " + shell_quote(run.string()) +
         " --set targets.forces.weight=0 --set targets.dipole.weight=10 " + extra;
}

TEST(CliTrainDipole, TinyEquiformerLearnsDipolesAndPredictAndEvalReportThem) {
  const fs::path dir = temp_dir("cli_train_dipole");
  write_dipole_dataset(dir / "train.xyz", 64, 1);
  const Written val = write_dipole_dataset(dir / "val.xyz", 16, 2);
  std::ofstream(dir / "cfg.yaml") << tiny_train_config(dir / "train.xyz", dir / "val.xyz");
  const fs::path run = dir / "run";
  const auto r = run_command(train_command(dir / "cfg.yaml", run, "--set training.epochs=25 --set optimiser.lr=0.01"));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto rows = read_csv(run / "metrics.csv");
  ASSERT_EQ(rows.size(), 26u);
  const double first = value_at(rows, 1, "val_dipole_rmse");
  std::size_t best = 1;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (value_at(rows, i, "val_loss") < value_at(rows, best, "val_loss")) best = i;
  }
  const double learned = value_at(rows, best, "val_dipole_rmse");
  EXPECT_LT(learned, 0.1 * val.dipole_rms) << "first epoch " << first << ", label RMS " << val.dipole_rms;
  fmt::print("validation dipole RMSE {:.4f} e*A (first epoch {:.4f}), label RMS {:.4f} e*A\n", learned, first,
             val.dipole_rms);
  EXPECT_TRUE(load_json(run / "model" / "model.json")["architecture"].value("dipole_head", false));

  // predict: a dipole per frame and a charge per atom, the dipole being the charges' moment.
  const auto p = run_command(eqt_command() + "predict --model " + shell_quote(run.string()) + " --input " +
                             shell_quote((dir / "val.xyz").string()) + " --output " +
                             shell_quote((dir / "predicted.xyz").string()));
  ASSERT_EQ(p.exit_code, 0) << p.output;
  const auto labelled = data::read_extxyz(dir / "val.xyz");
  const auto predicted = data::read_extxyz(dir / "predicted.xyz");
  ASSERT_EQ(predicted.size(), labelled.size());
  double sum_squares = 0;
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    const auto& s = predicted[k];
    ASSERT_TRUE(s.has_info("dipole") && s.has_array("charges")) << "frame " << k;
    const at::Tensor q = s.arrays.at("charges").reshape({-1});
    ASSERT_EQ(q.numel(), s.num_atoms());
    const at::Tensor centred = s.positions - s.positions.mean(0);
    const at::Tensor moment = (q.unsqueeze(1) * centred).sum(0);
    EXPECT_LT((moment - s.info_tensor("dipole").reshape({-1})).abs().max().item<double>(), 1e-6) << "frame " << k;
    EXPECT_NEAR(q.sum().item<double>(), 0.0, 1e-6);
    sum_squares += (s.info_tensor("dipole").reshape({-1}) - labelled[k].info_tensor("dipole").reshape({-1}))
                       .pow(2)
                       .sum()
                       .item<double>();
  }
  const double predicted_rmse = std::sqrt(sum_squares / (3.0 * static_cast<double>(predicted.size())));
  EXPECT_NEAR(predicted_rmse, learned, 1e-5 + 1e-3 * learned);

  // eval: dipole MAE / RMSE over components, the same numbers as training's last best validation.
  const auto e = run_command(eqt_command() + "eval --no-plots --model " + shell_quote((run / "model").string()) +
                             " --input " + shell_quote((dir / "val.xyz").string()) + " --output-dir " +
                             shell_quote((dir / "eval").string()));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find("dipole"), std::string::npos) << e.output;
  const auto metrics = load_json(dir / "eval" / "metrics.json")["metrics"];
  ASSERT_TRUE(metrics.contains("dipole")) << metrics.dump();
  EXPECT_NEAR(metrics["dipole"]["rmse"].get<double>(), learned, 1e-6 + 1e-4 * learned);
  EXPECT_NEAR(metrics["dipole"]["mae"].get<double>(), value_at(rows, best, "val_dipole_mae"), 1e-6);
  EXPECT_EQ(metrics["dipole"]["count"].get<int64_t>(), 3 * static_cast<int64_t>(labelled.size()));
  fs::remove_all(dir);
}

TEST(CliTrainDipole, PetAndEcsePetTrainWithADipoleHead) {
  const fs::path dir = temp_dir("cli_train_dipole_pet");
  write_dipole_dataset(dir / "train.xyz", 8, 3);
  write_dipole_dataset(dir / "val.xyz", 4, 4);
  std::ofstream(dir / "cfg.yaml") << fmt::format(R"(model:
  kind: pet
  dtype: float64
  pet:
    ARCHITECTURAL_HYPERS: {{R_CUT: 4.0, N_GNN_LAYERS: 2, N_TRANS_LAYERS: 1, TRANSFORMER_D_MODEL: 8,
                           TRANSFORMER_N_HEAD: 2, TRANSFORMER_DIM_FEEDFORWARD: 16, HEAD_N_NEURONS: 8}}
data: {{train: {}, val: {}, batch_size: 4}}
training: {{epochs: 2, log_every: 1000}}
)",
                                                 (dir / "train.xyz").string(), (dir / "val.xyz").string());
  for (const std::string ecse : {"", "--set model.ecse={}"}) {
    SCOPED_TRACE(ecse);
    const fs::path run = dir / (ecse.empty() ? "pet" : "ecse");
    const auto r = run_command(train_command(dir / "cfg.yaml", run, ecse));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(std::isfinite(value_at(read_csv(run / "metrics.csv"), 2, "val_dipole_rmse")));
    const auto architecture = load_json(run / "model" / "model.json")["architecture"];
    const auto& pet = ecse.empty() ? architecture : architecture["backbone"]["architecture"];
    EXPECT_TRUE(pet.value("dipole_head", false)) << architecture.dump();
  }
  fs::remove_all(dir);
}

TEST(CliTrainDipole, MissingOrMalformedDipoleLabelsNameTheKeyAndTheFile) {
  const fs::path dir = temp_dir("cli_train_dipole_errors");
  write_dipole_dataset(dir / "train.xyz", 6, 5, "mu_vec");
  write_dipole_dataset(dir / "val.xyz", 4, 6, "mu_vec");
  std::ofstream(dir / "cfg.yaml") << tiny_train_config(dir / "train.xyz", dir / "val.xyz");
  // Default key 'dipole': absent from the data.
  const auto missing = run_command(train_command(dir / "cfg.yaml", dir / "run1", ""));
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("'dipole'"), std::string::npos) << missing.output;
  EXPECT_NE(missing.output.find((dir / "train.xyz").string() + ": frame 0"), std::string::npos) << missing.output;
  EXPECT_NE(missing.output.find("targets.*.key"), std::string::npos) << missing.output;
  // The data's key, but with two numbers instead of three.
  std::ofstream(dir / "bad.xyz") << "1\nProperties=species:S:1:pos:R:3 energy=1.0 mu_vec=\"0.1 0.2\" pbc=\"F F F\"\n"
                                    "H 0 0 0\n";
  const auto bad = run_command(train_command(dir / "cfg.yaml", dir / "run2",
                                             "--set targets.dipole.key=mu_vec --set data.val=" +
                                                 shell_quote((dir / "bad.xyz").string())));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find((dir / "bad.xyz").string() + ": frame 0"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("'mu_vec' must hold 3 numbers, not 2"), std::string::npos) << bad.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
