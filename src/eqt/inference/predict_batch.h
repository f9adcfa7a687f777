#pragma once
// The one way to predict with a loaded model (inference_model.h): check the structures' species
// against the model's, decide where stress is computed (the stress policy), collate them into one
// graph at the model's cutoff, evaluate energy / forces / stress and every other model output, and
// hand back one StructurePrediction per structure (eval compares them with labels; the Python
// module and LAMMPS's replicated mode read them) or store them in each Structure under the
// prediction key names, ready for the extxyz writer (predict).
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eqt/data/structure.h"
#include "eqt/models/model.h"

namespace eqt::inference {

enum class StressMode { Auto, Always, Never };  // auto: periodic structures with a volume only

StressMode parse_stress_mode(const std::string& text);

struct PredictionSettings {
  c10::ScalarType dtype = at::kDouble;
  bool forces = true;
  StressMode stress = StressMode::Auto;
  // Keys are prefix + "energy", "forces", "stress", and prefix + any other model output name.
  std::string prefix;
  std::vector<int64_t> species;  // the model's species; empty: not checked
};

// Whether the structure gets a predicted stress; fails (naming `where`) for --stress always on a
// structure without a periodic cell of non-zero volume.
bool wants_stress(const data::Structure& s, StressMode mode, const std::string& where);

// Fails naming `where`, the atom and its element when the structure has a species the model was
// not trained on ("...: atom 3 is Fe, which the model was not trained on (its species: H C O)");
// nothing is checked when `species` is empty (not recorded).
void check_species(const data::Structure& s, const std::vector<int64_t>& species, const std::string& where);

// The wording of that check for one atomic number: "" when `species` is empty or holds `number`,
// else "Fe, which the model was not trained on (its species: H C O)".
std::string unknown_species(int64_t number, const std::vector<int64_t>& species);

// What the model says about one structure; tensors are float64 on the CPU.
struct StructurePrediction {
  double energy = 0;                             // eV
  at::Tensor forces;                             // [N, 3] eV/A; undefined without forces
  at::Tensor stress;                             // [3, 3] eV/A^3 (ASE's sign); undefined: not computed
  std::map<std::string, at::Tensor> per_structure;  // other outputs of shape [B, ...], row k
  std::map<std::string, at::Tensor> per_atom;       // atomic_* and charges, rows of this structure
};

// `where[k]` names structures[k] in error messages ("in.xyz: frame 12").
std::vector<StructurePrediction> predict_structures(models::Model& model, const std::vector<data::Structure>& structures,
                                                    const std::vector<std::string>& where,
                                                    const PredictionSettings& settings);

// One structure (the Python module, LAMMPS's replicated mode).
StructurePrediction predict_structure(models::Model& model, const data::Structure& structure, const std::string& where,
                                      const PredictionSettings& settings);

// Writes the prediction into the structure: prefix + "energy" / "forces" / "stress" and prefix +
// every other output name, replacing what was there under those keys and keeping all other keys.
void store_prediction(data::Structure& structure, const StructurePrediction& prediction, const std::string& prefix);

// predict_structures then store_prediction, for each structure.
void predict_batch(models::Model& model, std::vector<data::Structure>& structures,
                   const std::vector<std::string>& where, const PredictionSettings& settings);

}  // namespace eqt::inference
