// ECSE cost over its backbone: PET (the small reference model) alone and wrapped in ECSE, energy
// and forces on the first frames of a methane file, in the same run. Also prints how many frames
// ECSE builds per atom and per structure.
//
//   bench_ecse [--pet DIR] [--xyz FILE] [--frames 8] [--repeats 5]
//
// DIR holds config.json, weights.safetensors and outputs.json (for the reference sp_hypers), e.g.
// shared/reference/pet/pet_small.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "eqt/data/batch.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/potential.h"

namespace {

struct Options {
  std::filesystem::path pet = "/work/shared/reference/pet/pet_small";
  std::filesystem::path xyz = "/work/shared/data/methane/methane_val.xyz";
  int64_t frames = 8;
  int repeats = 5;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string key = argv[k], value = argv[k + 1];
    if (key == "--pet") o.pet = value;
    else if (key == "--xyz") o.xyz = value;
    else if (key == "--frames") o.frames = std::stoll(value);
    else if (key == "--repeats") o.repeats = std::stoi(value);
    else throw std::runtime_error("unknown option " + key);
  }
  return o;
}

// Median wall time in ms of energy + forces.
double time_ms(eqt::models::Model& model, const eqt::data::Graph& graph, int repeats) {
  std::vector<double> times;
  eqt::models::evaluate(model, graph);  // warm-up
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    eqt::models::evaluate(model, graph);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::ifstream outputs(o.pet / "outputs.json");
  const auto json = nlohmann::json::parse(outputs);
  eqt::models::ecse::EcseOptions options;
  options.hypers = eqt::models::ecse::ecse_hypers_from_json(json.at("sp_hypers"));
  auto pet = eqt::models::pet::load_pet_reference(o.pet).model;
  eqt::models::ecse::EcseModel ecse(pet, nullptr, options);

  const auto structures = eqt::data::read_extxyz(o.xyz, {0, o.frames, 1});
  std::vector<const eqt::data::Structure*> pointers;
  for (const auto& s : structures) pointers.push_back(&s);
  const auto graph = eqt::data::collate(pointers, pet->cutoff(), at::kDouble);

  const double plain = time_ms(*pet, graph, o.repeats);
  const double symmetrised = time_ms(ecse, graph, o.repeats);
  const auto& d = ecse.last_diagnostics();
  std::printf("%zu structures, %lld atoms, float64, %d threads\n", structures.size(),
              static_cast<long long>(graph.num_atoms()), at::get_num_threads());
  std::printf("frames per structure:");
  for (int64_t k = 0; k < d.frames_per_structure.size(0); ++k) std::printf(" %lld", static_cast<long long>(d.frames_per_structure[k].item<int64_t>()));
  std::printf("\nframes per atom: mean %.2f, max %lld (centres with frames: %lld of %lld)\n",
              d.frames_per_atom.to(at::kDouble).mean().item<double>(),
              static_cast<long long>(d.frames_per_atom.max().item<int64_t>()),
              static_cast<long long>((d.frames_per_atom > 0).sum().item<int64_t>()),
              static_cast<long long>(graph.num_atoms()));
  std::printf("PET energy+forces: %.2f ms; ECSE(PET): %.2f ms; slow-down x%.1f\n", plain, symmetrised,
              symmetrised / plain);
  return 0;
}
