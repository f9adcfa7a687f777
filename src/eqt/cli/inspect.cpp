#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "eqt/cli/commands.h"
#include "eqt/core/error.h"
#include "eqt/data/dataset_summary.h"
#include "eqt/data/elements.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/output_file.h"

namespace eqt::cli {
namespace {

struct InspectOptions {
  std::vector<std::string> files;
  double cutoff = 5.0;
  std::string json_path;
  data::LabelKeys keys;
};

// Species that appear in a later file but not the first one (the training set) cannot be learnt.
std::string unseen_species_warning(const std::vector<data::DatasetSummary>& summaries,
                                   const std::vector<std::string>& files) {
  std::string out;
  for (std::size_t f = 1; f < summaries.size(); ++f) {
    std::set<std::string> unseen;
    for (const auto& kv : summaries[f].species_counts) {
      if (!summaries[0].species_counts.count(kv.first)) unseen.insert(data::chemical_symbol(kv.first));
    }
    for (const auto& sym : unseen) {
      out += fmt::format("warning: {} contains {} which {} does not\n", files[f], sym, files[0]);
    }
  }
  return out;
}

int run_inspect(const InspectOptions& opt) {
  std::vector<data::DatasetSummary> summaries;
  nlohmann::json report = {{"files", nlohmann::json::object()}};
  for (const auto& file : opt.files) {
    const auto structures = data::read_extxyz(file);
    summaries.push_back(data::summarise(structures, opt.cutoff, opt.keys));
    fmt::print("== {}\n{}", file, data::format_summary(summaries.back()));
    report["files"][file] = data::to_json(summaries.back());
  }
  const std::string warning = unseen_species_warning(summaries, opt.files);
  fmt::print("{}", warning);
  if (!warning.empty()) report["warnings"] = warning;
  if (!opt.json_path.empty()) {
    data::AtomicOutputFile out(opt.json_path, false);
    out.write(report.dump(2) + "\n");
    out.commit();
    fmt::print("summary written to {}\n", opt.json_path);
  }
  return 0;
}

}  // namespace

Command add_inspect(CLI::App& root, const GlobalOptions&) {
  auto opt = std::make_shared<InspectOptions>();
  Command c;
  c.app = root.add_subcommand("inspect",
                              "summarise extxyz datasets: species, labels, neighbours, baselines");
  c.app->add_option("files", opt->files, "extxyz files (plain or .gz); the first is taken as the training set")
      ->required()
      ->check(CLI::ExistingFile);
  c.app->add_option("--cutoff", opt->cutoff, "neighbour cutoff in Angstrom (0: skip)")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c.app->add_option("--json", opt->json_path, "also write the summary as JSON here");
  c.app->add_option("--energy-key", opt->keys.energy, "per-structure energy key (eV)")->capture_default_str();
  c.app->add_option("--forces-key", opt->keys.forces, "per-atom forces key (eV/A)")->capture_default_str();
  c.app->add_option("--stress-key", opt->keys.stress, "stress key (eV/A^3)")->capture_default_str();
  c.app->add_option("--virial-key", opt->keys.virial, "virial key (eV), used when stress is absent")->capture_default_str();
  c.run = [opt]() { return run_inspect(*opt); };
  return c;
}

}  // namespace eqt::cli
