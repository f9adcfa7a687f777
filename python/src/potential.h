#pragma once
// What the Python module wraps: one model loaded by the inference layer (optionally inside ECSE)
// that evaluates a single structure, as an ASE calculator asks for it. Pure C++ (no Python
// objects), so the bindings can run it with the GIL released.
#include <ATen/ATen.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "eqt/data/structure.h"
#include "eqt/models/model.h"

namespace eqt::python {

struct PotentialOptions {
  c10::ScalarType dtype = at::kDouble;
  bool ecse = false;
  std::string ecse_fallback;  // model directory used by ECSE where no frame exists; empty: none
  std::string ecse_pruning = "single";  // ECSE frame pruning: "single" (smooth) or "official"
  std::string device = "cpu";           // cpu, cuda, cuda:N (core/device.h)
};

// Everything float64 on the CPU, detached.
struct PotentialResults {
  double energy = 0;
  at::Tensor forces;                                // [N, 3]; undefined unless requested
  at::Tensor stress;                                // [3, 3], ASE's sign; undefined unless requested
  std::map<std::string, at::Tensor> per_structure;  // other model outputs of the structure
  std::map<std::string, at::Tensor> per_atom;       // atomic_* outputs and charges, [N, ...]
};

class Potential {
 public:
  // model_dir: a model directory, an official export or a training run directory.
  Potential(const std::string& model_dir, const PotentialOptions& options);

  // Stress needs a periodic cell with a volume (an eqt::Error otherwise).
  PotentialResults compute(const data::Structure& structure, bool forces, bool stress);

  // Writes the model (ECSE wrapper included) as an eqt model directory (model.json), atomically.
  void save(const std::string& model_dir) const;

  double cutoff() const { return model_->cutoff(); }
  std::string kind() const { return model_->kind(); }
  std::string source() const { return source_; }
  const std::vector<int64_t>& species() const { return species_; }
  c10::ScalarType dtype() const { return dtype_; }

 private:
  std::string model_dir_;
  std::shared_ptr<models::Model> model_;
  std::string source_;
  std::vector<int64_t> species_;
  c10::ScalarType dtype_;
  // Models keep caches between calls; Python threads may share one calculator.
  std::mutex mutex_;
};

}  // namespace eqt::python
