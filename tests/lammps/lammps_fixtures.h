#pragma once
// Helpers of the LAMMPS tests: build/eqt-lammps, LAMMPS data files written from eqt structures,
// and the energy / forces / virial that a LAMMPS run prints, next to what `eqt predict` writes.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "eqt/data/elements.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "eqt/data/structure.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/model_dir.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {

#ifdef EQT_LAMMPS_EXECUTABLE
inline std::string lammps_executable() { return EQT_LAMMPS_EXECUTABLE; }
#define EQT_REQUIRE_LAMMPS()
#else
inline std::string lammps_executable() { return {}; }
#define EQT_REQUIRE_LAMMPS()                                                                         \
  EQT_SKIP_OR_FAIL() << "eqt-lammps was not built (EQT_BUILD_LAMMPS): run scripts/install-deps.sh for " \
                        "liblammps-dev and the LAMMPS headers, then re-run cmake"
#endif

// pbc 'T T T' and metal units: energy eV, forces eV/A, virial eV.
struct LammpsResult {
  double energy = 0.0;
  double atomic_energy_sum = 0.0;  // sum of compute pe/atom (per-structure constants not included)
  at::Tensor forces;  // [N, 3], atoms in file order
  at::Tensor virial;  // [6]: xx yy zz xy xz yz, eV (= -V * stress)
  std::string output;
};

struct Labels {
  double energy = 0.0;
  at::Tensor forces;  // [N, 3]
  at::Tensor virial;  // [6], -V * stress
};

// Distinct elements of a structure in ascending Z: LAMMPS type t is element t-1.
inline std::vector<int64_t> elements_of(const data::Structure& s) {
  const at::Tensor unique = std::get<0>(at::_unique(s.numbers, /*sorted=*/true));
  return std::vector<int64_t>(unique.data_ptr<int64_t>(), unique.data_ptr<int64_t>() + unique.numel());
}

inline std::string element_list(const data::Structure& s) {
  std::string out;
  for (int64_t z : elements_of(s)) out += " " + data::chemical_symbol(z);
  return out;
}

// LAMMPS's box is restricted triclinic: a along x, b in the xy plane. The structures used here
// have such cells (checked), so no rotation is needed and eqt predict sees the same coordinates.
inline void write_lammps_data(const data::Structure& s, const std::filesystem::path& path) {
  const auto cell = s.cell.accessor<double, 2>();
  if (cell[0][1] != 0.0 || cell[0][2] != 0.0 || cell[1][2] != 0.0) {
    throw std::runtime_error("write_lammps_data: cell is not in LAMMPS's lower-triangular form");
  }
  const std::vector<int64_t> elements = elements_of(s);
  std::ostringstream out;
  out << "eqt test structure\n\n" << s.num_atoms() << " atoms\n" << elements.size() << " atom types\n\n";
  out << fmt::format("0 {:.17g} xlo xhi\n0 {:.17g} ylo yhi\n0 {:.17g} zlo zhi\n", cell[0][0], cell[1][1], cell[2][2]);
  out << fmt::format("{:.17g} {:.17g} {:.17g} xy xz yz\n\nMasses\n\n", cell[1][0], cell[2][0], cell[2][1]);
  // Masses only matter for dynamics; 2 amu per proton is close enough for a short NVE test.
  for (size_t t = 0; t < elements.size(); ++t) out << t + 1 << " " << 2.0 * static_cast<double>(elements[t]) << "\n";
  out << "\nAtoms # atomic\n\n";
  const auto x = s.positions.accessor<double, 2>();
  for (int64_t i = 0; i < s.num_atoms(); ++i) {
    const auto type = std::find(elements.begin(), elements.end(), s.numbers[i].item<int64_t>()) - elements.begin() + 1;
    out << fmt::format("{} {} {:.17g} {:.17g} {:.17g}\n", i + 1, type, x[i][0], x[i][1], x[i][2]);
  }
  std::ofstream(path) << out.str();
}

inline std::string mpi_prefix(int ranks) {
  return ranks == 1 ? std::string()
                    : fmt::format("mpirun -np {} --allow-run-as-root --oversubscribe ", ranks);
}

// Which LAMMPS runs an input: build/eqt-lammps unless told otherwise. The plugin tests run an lmp
// with the PLUGIN package, whose input starts with `plugin load` (the preamble) or which finds the
// plugin through the environment (LAMMPS_PLUGIN_PATH=...).
struct LammpsCommand {
  std::string executable = lammps_executable();
  std::string preamble;     // input lines put before the script
  std::string environment;  // `NAME=value ` put before the command line
};

// Runs `input` (a LAMMPS script) in dir; returns what it printed and the exit code.
inline CommandResult run_lammps(const std::filesystem::path& dir, const std::string& input, int ranks,
                                const LammpsCommand& command = {}) {
  std::ofstream(dir / "in.lmp") << command.preamble << input;
  return run_command(fmt::format("cd {} && {}{}{} -in in.lmp -log none 2>&1", shell_quote(dir.string()),
                                 command.environment, mpi_prefix(ranks), shell_quote(command.executable)));
}

// The value printed after `key` on a line of the output.
inline std::vector<double> printed_values(const std::string& output, const std::string& key) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key + " ", 0) != 0) continue;
    std::istringstream values(line.substr(key.size()));
    std::vector<double> out;
    double v;
    while (values >> v) out.push_back(v);
    return out;
  }
  throw std::runtime_error("LAMMPS output has no line starting with " + key + ":\n" + output);
}

// Forces of a `write_dump ... id fx fy fz modify sort id` file.
inline at::Tensor read_force_dump(const std::filesystem::path& path, int64_t num_atoms) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line) && line.rfind("ITEM: ATOMS", 0) != 0) {
  }
  at::Tensor forces = at::zeros({num_atoms, 3}, at::kDouble);
  auto f = forces.accessor<double, 2>();
  int64_t id;
  for (int64_t i = 0; i < num_atoms && (in >> id); ++i) in >> f[id - 1][0] >> f[id - 1][1] >> f[id - 1][2];
  return forces;
}

// The start of a single-point input: structure.data (written into dir), the style, its elements.
inline std::string single_point_setup(const std::filesystem::path& dir, const data::Structure& s,
                                      const std::filesystem::path& model, bool newton, const std::string& options) {
  write_lammps_data(s, dir / "structure.data");
  return fmt::format(R"LMP(units metal
atom_style atomic
atom_modify map array
boundary p p p
newton {}
read_data structure.data
pair_style eqt {} {}
pair_coeff * *{}
neighbor 0.5 bin
)LMP",
                     newton ? "on" : "off", model.string(), options, element_list(s));
}

// Energy, forces and virial of one static evaluation by pair_style eqt; `options` follow MODEL_DIR
// on the pair_style line (precision, mode).
inline LammpsResult lammps_single_point(const std::filesystem::path& dir, const data::Structure& s,
                                        const std::filesystem::path& model, int ranks, bool newton,
                                        const std::string& options = "float64", const LammpsCommand& command = {}) {
  const std::string input = single_point_setup(dir, s, model, newton, options) + R"LMP(compute pv all pressure NULL virial
compute pa all pe/atom
compute pasum all reduce sum c_pa
thermo_style custom step pe c_pasum c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6]
run 0
print "EQT_PE_ATOM_SUM $(c_pasum:%.17g)"
variable w equal vol/1.6021765e6
print "EQT_ENERGY $(pe:%.17g)"
print "EQT_VIRIAL $(c_pv[1]*v_w:%.17g) $(c_pv[2]*v_w:%.17g) $(c_pv[3]*v_w:%.17g) $(c_pv[4]*v_w:%.17g) $(c_pv[5]*v_w:%.17g) $(c_pv[6]*v_w:%.17g)"
write_dump all custom forces.dump id fx fy fz modify sort id format float %.17g
)LMP";
  const CommandResult run = run_lammps(dir, input, ranks, command);
  LammpsResult r;
  r.output = run.output;
  if (run.exit_code != 0) throw std::runtime_error(command.executable + " failed:\n" + run.output);
  r.energy = printed_values(run.output, "EQT_ENERGY").at(0);
  r.atomic_energy_sum = printed_values(run.output, "EQT_PE_ATOM_SUM").at(0);
  // metal units: pressure (bar) = virial / V * nktv2p, nktv2p = 1.6021765e6 (LAMMPS update.cpp).
  r.virial = at::tensor(printed_values(run.output, "EQT_VIRIAL"), at::kDouble);
  r.forces = read_force_dump(dir / "forces.dump", s.num_atoms());
  return r;
}

// Per-atom results of one static evaluation (compute pe/atom and compute stress/atom), by atom ID.
struct PerAtom {
  at::Tensor energies;  // [N], eV (per-structure constants not included)
  at::Tensor virials;   // [N, 6], eV: xx yy zz xy xz yz, the pair style's vatom
  std::string output;
};

inline PerAtom lammps_per_atom(const std::filesystem::path& dir, const data::Structure& s,
                               const std::filesystem::path& model, int ranks, bool newton,
                               const std::string& options = "float64") {
  const std::string input = single_point_setup(dir, s, model, newton, options) + R"LMP(compute pa all pe/atom
compute sa all stress/atom NULL virial
dump peratom all custom 1 peratom.dump id c_pa c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]
dump_modify peratom sort id format float %.17g
run 0
)LMP";
  const CommandResult run = run_lammps(dir, input, ranks);
  if (run.exit_code != 0) throw std::runtime_error("eqt-lammps failed:\n" + run.output);
  std::ifstream in(dir / "peratom.dump");
  std::string line;
  while (std::getline(in, line) && line.rfind("ITEM: ATOMS", 0) != 0) {
  }
  PerAtom r;
  r.output = run.output;
  r.energies = at::zeros({s.num_atoms()}, at::kDouble);
  r.virials = at::zeros({s.num_atoms(), 6}, at::kDouble);
  auto e = r.energies.accessor<double, 1>();
  auto w = r.virials.accessor<double, 2>();
  int64_t id;
  for (int64_t i = 0; i < s.num_atoms() && (in >> id); ++i) {
    in >> e[id - 1];
    // compute stress/atom is -vatom in pressure x volume units (bar A^3 in metal units).
    for (int k = 0; k < 6; ++k) {
      in >> w[id - 1][k];
      w[id - 1][k] /= -1.6021765e6;
    }
  }
  return r;
}

// `eqt predict` on the same structure (float64): energy, forces and -V * stress.
// A structure and what `eqt predict` says of it.
struct Prepared {
  data::Structure structure;
  Labels expected;
};

// `extra`: further options of eqt predict (e.g. "--ecse").
inline Labels eqt_predict(const std::filesystem::path& dir, const data::Structure& s, const std::filesystem::path& model,
                          const std::string& extra = "") {
  std::ofstream(dir / "structure.xyz") << data::format_extxyz_frame(s);
  const CommandResult run = run_command(fmt::format(
      "{} predict --model {} --input {} --output {} --dtype float64 {} 2>&1", shell_quote(eqt_executable().string()),
      shell_quote(model.string()), shell_quote((dir / "structure.xyz").string()),
      shell_quote((dir / "predicted.xyz").string()), extra));
  if (run.exit_code != 0) throw std::runtime_error("eqt predict failed:\n" + run.output);
  const data::Structure p = data::read_extxyz(dir / "predicted.xyz").at(0);
  const at::Tensor stress = p.info_tensor("stress").reshape({3, 3});
  const double volume = std::abs(at::linalg_det(p.cell).item<double>());
  const at::Tensor v = -volume * stress;
  return {p.info_scalar("energy"), p.arrays.at("forces"),
          at::stack({v[0][0], v[1][1], v[2][2], v[0][1], v[0][2], v[1][2]})};
}

// LAMMPS's numbers equal eqt predict's (float64) and mean something (forces, virial far from zero).
inline void expect_equal(const LammpsResult& got, const Labels& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_NEAR(got.energy, want.energy, 1e-10);
  EXPECT_LT(max_abs_diff(got.forces, want.forces), 1e-10);
  EXPECT_LT(max_abs_diff(got.virial, want.virial), 1e-10) << got.virial << "\nexpected\n" << want.virial;
  // The comparison means something: forces and virial are far from zero.
  EXPECT_GT(want.forces.abs().max().item<double>(), 1e-2);
  EXPECT_GT(want.virial.abs().max().item<double>(), 1e-2);
}

// A random Equiformer with one block (range 2 x 3 A) unless told otherwise with a normalisation mean, which must be counted
// once for the whole system, not once per rank: saved in eqt's model-directory format. A graph or
// instance norm makes its atomic energies non-local.
inline std::filesystem::path write_random_equiformer(const std::vector<int64_t>& species, const std::filesystem::path& dir,
                                                     const std::string& norm_layer = "layer", int num_layers = 1) {
  models::equiformer::EquiformerConfig c;
  c.irreps_node_embedding = "8x0e+4x1e+2x2e";
  c.num_layers = num_layers;
  c.max_radius = 3.0;
  c.number_of_basis = 8;
  c.basis_type = "gaussian";
  c.fc_neurons = {8, 8};
  c.irreps_feature = "8x0e";
  c.irreps_head = "4x0e+2x1e+1x2e";
  c.num_heads = 2;
  c.irreps_mlp_mid = "8x0e+4x1e+2x2e";
  c.alpha_drop = 0.0;
  c.max_atom_type = 80;
  c.mean = -3.5;
  c.std = 2.0;
  c.norm_layer = norm_layer;
  at::manual_seed(3);
  models::equiformer::EquiformerModel model(c, at::kDouble);
  models::save_model(model, dir, {species});
  return dir;
}

// The first frame of a dataset file of ../shared/data.
inline data::Structure first_frame(const std::filesystem::path& path) { return data::read_extxyz(path, {0, 1}).at(0); }

// 20 steps of velocity Verlet (1 fs) on 2 ranks from 300 K. A thin neighbour skin makes LAMMPS
// re-neighbour (new ghost atoms, re-ordered atoms) during the run. The total energy must stay
// constant to well under 1 meV/atom while the potential energy moves by much more.
inline void expect_short_nve_conserves_energy(const std::filesystem::path& dir, const data::Structure& s,
                                              double expected_energy, const std::string& pair_style_args,
                                              double skin, const LammpsCommand& command = {}) {
  write_lammps_data(s, dir / "structure.data");
  const std::string input = fmt::format(R"LMP(units metal
atom_style atomic
atom_modify map array
boundary p p p
read_data structure.data
pair_style eqt {}
pair_coeff * *{}
neighbor {} bin
neigh_modify every 1 delay 0 check yes
velocity all create 300 4928459 mom yes rot no dist gaussian
fix nve all nve
timestep 0.001
thermo 10
thermo_style custom step temp pe ke etotal
run 0
print "EQT_START $(etotal:%.17g) $(pe:%.17g)"
run 20
print "EQT_END $(etotal:%.17g) $(pe:%.17g)"
)LMP",
                                        pair_style_args, element_list(s), skin);
  const CommandResult run = run_lammps(dir, input, 2, command);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto start = printed_values(run.output, "EQT_START"), end = printed_values(run.output, "EQT_END");
  EXPECT_NEAR(start[1], expected_energy, 1e-10);
  const double atoms = static_cast<double>(s.num_atoms());
  EXPECT_LT(std::abs(end[0] - start[0]) / atoms, 2e-4) << run.output;
  EXPECT_GT(std::abs(end[1] - start[1]), 10 * std::abs(end[0] - start[0])) << run.output;
  EXPECT_NE(run.output.find("Neighbor list builds"), std::string::npos);
}

}  // namespace eqt::testing
