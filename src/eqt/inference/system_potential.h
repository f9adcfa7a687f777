#pragma once
// Energy, forces and virial of a whole (periodic) system in one model evaluation: what an MD code
// calls when the model's atomic energies are not local (ECSE averages over the frames of the whole
// structure; Equiformer's graph / instance norms normalise over it), so a domain cannot be
// evaluated on its own (cluster_potential.h). The model is loaded by load_inference_model and the
// structure predicted by predict_structure (predict_batch.h), exactly as `eqt predict` does.
//
// The interface has only standard types: it is called from code compiled against LAMMPS's headers,
// which bundle their own fmt (see src/lammps/). It also owns the loaded model, which a
// ClusterPotential can share (model()).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace eqt::models {
class Model;
}

namespace eqt::inference {

using models::Model;

class SystemPotential {
 public:
  struct Request {
    const double* positions = nullptr;  // [num_atoms * 3], Angstrom
    const int64_t* numbers = nullptr;   // [num_atoms], atomic numbers
    int64_t num_atoms = 0;
    std::array<double, 9> cell{};       // rows are the lattice vectors a, b, c (Angstrom)
    std::array<bool, 3> pbc{true, true, true};
    bool virial = true;
    bool atomic_energies = false;  // fill Result::atomic_energies (the model must output them)
  };
  struct Result {
    double energy = 0.0;                  // eV, the model's energy (per-structure constants included)
    std::vector<double> forces;           // [num_atoms * 3], eV/A
    std::array<double, 6> virial{};       // eV: xx, yy, zz, xy, xz, yz (LAMMPS order), = -V * stress
    std::vector<double> atomic_energies;  // [num_atoms], eV
  };

  // How to load: what `eqt predict` takes besides --model (its --dtype and --ecse options).
  struct LoadOptions {
    bool float32 = false;
    bool ecse = false;                    // wrap the model in ECSE (exactly rotation invariant)
    std::string ecse_fallback;            // model (or run) directory for ECSE's fallback; "" none
    std::string ecse_pruning = "single";  // ECSE frame pruning: "single" (smooth) or "official"
    std::string device = "cpu";           // cpu, cuda, cuda:N (core/device.h)
  };

  // Loads a model (load_inference_model: a model directory, an official export or a training run
  // directory) for float64 or float32 computation, optionally wrapped in ECSE.
  // Throws eqt::Error (a std::runtime_error) when it cannot be loaded.
  SystemPotential(const std::string& model_dir, const LoadOptions& options);
  SystemPotential(const std::string& model_dir, bool float32);
  // A model already built, computing in its own dtype (float32 / float64).
  SystemPotential(std::shared_ptr<Model> model, bool float32, std::vector<int64_t> species = {});
  ~SystemPotential();
  SystemPotential(const SystemPotential&) = delete;
  SystemPotential& operator=(const SystemPotential&) = delete;

  double cutoff() const;
  double interaction_range() const;  // infinity for non-local models
  std::string kind() const;
  std::vector<int64_t> species() const;  // atomic numbers the model knows; empty if not recorded
  // "" when the model knows the element (or its species are not recorded), else the reason, in
  // the words of every eqt front end ("C, which the model was not trained on (its species: H O)").
  std::string unknown_species(int64_t number) const;
  std::shared_ptr<Model> model() const;
  bool float32() const;

  Result compute(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqt::inference
