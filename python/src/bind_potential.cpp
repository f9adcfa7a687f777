// eqt._eqt.Potential: a loaded model evaluated on one structure given as numpy arrays. Inputs are
// copied while the GIL is held; loading and evaluation (LibTorch, autograd) run without it, so
// other Python threads keep running.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <array>
#include <optional>
#include <string>

#include "bindings.h"
#include "eqt/core/dtype.h"
#include "eqt/data/elements.h"
#include "numpy_tensor.h"
#include "potential.h"

namespace eqt::python {
namespace {

std::unique_ptr<Potential> load_potential(const std::string& model_dir, const std::string& dtype, bool ecse,
                                          const std::optional<std::string>& ecse_fallback,
                                          const std::string& ecse_pruning, const std::string& device) {
  PotentialOptions options;
  options.dtype = parse_dtype(dtype);
  options.ecse = ecse;
  options.ecse_fallback = ecse_fallback.value_or("");
  options.ecse_pruning = ecse_pruning;
  options.device = device;
  py::gil_scoped_release release;
  return std::make_unique<Potential>(model_dir, options);
}

data::Structure structure_from_numpy(const IntArray& numbers, const DoubleArray& positions, const DoubleArray& cell,
                                     const std::array<bool, 3>& pbc) {
  const std::vector<int64_t> z = vector_from_numpy(numbers, "numbers");
  const auto n = static_cast<int64_t>(z.size());
  const at::Tensor r = tensor_from_numpy(positions, {n, 3}, "positions", "[len(numbers), 3]");
  const at::Tensor c = tensor_from_numpy(cell, {3, 3}, "cell", "[3, 3]");
  return data::make_structure(z, r, c, pbc);
}

py::dict results_to_dict(const PotentialResults& results) {
  py::dict out;
  out["energy"] = results.energy;
  if (results.forces.defined()) out["forces"] = numpy_from_tensor(results.forces);
  if (results.stress.defined()) out["stress"] = numpy_from_tensor(results.stress);
  for (const auto& [name, value] : results.per_structure) {
    if (value.dim() == 0) {
      out[py::str(name)] = value.item<double>();
    } else {
      out[py::str(name)] = numpy_from_tensor(value);
    }
  }
  for (const auto& [name, value] : results.per_atom) out[py::str(name)] = numpy_from_tensor(value);
  return out;
}

// OC20 models read per-atom tags (0 sub-surface, 1 surface, 2 adsorbate); other models ignore them.
void set_tags(data::Structure& structure, const IntArray& tags) {
  const std::vector<int64_t> t = vector_from_numpy(tags, "tags");
  if (static_cast<int64_t>(t.size()) != structure.num_atoms()) {
    throw py::value_error("tags: " + std::to_string(t.size()) + " tags for " + std::to_string(structure.num_atoms()) +
                          " atoms");
  }
  structure.arrays["tags"] = at::tensor(t, at::kLong);
}

py::dict compute(Potential& potential, const IntArray& numbers, const DoubleArray& positions, const DoubleArray& cell,
                 const std::array<bool, 3>& pbc, bool forces, bool stress, const std::optional<IntArray>& tags) {
  data::Structure structure = structure_from_numpy(numbers, positions, cell, pbc);
  if (tags) set_tags(structure, *tags);
  PotentialResults results;
  {
    py::gil_scoped_release release;
    results = potential.compute(structure, forces, stress);
  }
  return results_to_dict(results);
}

std::vector<std::string> species_symbols(const Potential& potential) {
  std::vector<std::string> symbols;
  for (const int64_t z : potential.species()) symbols.push_back(data::chemical_symbol(z));
  return symbols;
}

}  // namespace

void bind_potential(py::module_& module) {
  py::class_<Potential>(module, "Potential", "A model directory loaded for evaluation (eqt's model.json or an "
                                             "official export's config.json).")
      .def(py::init(&load_potential), py::arg("model_dir"), py::arg("dtype") = "float64", py::arg("ecse") = false,
           py::arg("ecse_fallback") = py::none(), py::arg("ecse_pruning") = "single", py::arg("device") = "cpu",
           "Loads the model (a model directory, an official export or a training run directory) in dtype "
           "('float32' or 'float64'), optionally wrapped in ECSE (exact rotational invariance) with a fallback "
           "model directory for environments without a frame and its frame pruning ('single' or 'official'), on "
           "device ('cpu', 'cuda', 'cuda:N').")
      .def("compute", &compute, py::arg("numbers"), py::arg("positions"), py::arg("cell"), py::arg("pbc"),
           py::arg("forces") = true, py::arg("stress") = false, py::arg("tags") = py::none(),
           "Energy (eV), forces [N, 3] (eV/A), stress [3, 3] (eV/A^3, ASE's sign; periodic cells only) and the "
           "model's other outputs of one structure, as a dict of floats and float64 arrays. tags: per-atom OC20 "
           "tags (0 sub-surface, 1 surface, 2 adsorbate), required by OC20 models, ignored by others.")
      .def(
          "save",
          [](const Potential& potential, const std::string& model_dir) {
            py::gil_scoped_release release;
            potential.save(model_dir);
          },
          py::arg("model_dir"),
          "Writes the model (with its ECSE wrapper, if any) as an eqt model directory (model.json + "
          "weights.safetensors), all or nothing; e.g. turns an official export into eqt's format.")
      .def_property_readonly("cutoff", &Potential::cutoff, "neighbour-list cutoff (A)")
      .def_property_readonly("kind", &Potential::kind, "architecture, e.g. 'equiformer', 'pet', 'ecse(pet)'")
      .def_property_readonly("source", &Potential::source, "'eqt-model' or the official class of an export")
      .def_property_readonly("species", &species_symbols, "elements the model was trained on (empty: not recorded)")
      .def_property_readonly(
          "dtype", [](const Potential& p) { return dtype_name(p.dtype()); }, "precision of the computation");
}

}  // namespace eqt::python
