#include "support/oc20_reference.h"

#include <stdexcept>

#include "support/reference.h"

namespace eqt::testing {

namespace fs = std::filesystem;

fs::path oc20_reference_dir(const fs::path& shared) { return shared / "reference" / "equiformer_oc20"; }

namespace {

at::Tensor long_tensor(const nlohmann::json& value) { return tensor_from_json(value).to(at::kLong); }

// The file stores edge_index = [j, i] (official edge_src, edge_dst); eqt's lists are (i, j, S).
data::NeighbourList reference_graph(const nlohmann::json& graph) {
  const at::Tensor edge_index = long_tensor(graph.at("edge_index"));
  data::NeighbourList nl;
  nl.neighbours = edge_index[0].contiguous();
  nl.centres = edge_index[1].contiguous();
  nl.shifts = long_tensor(graph.at("cell_offsets")).reshape({-1, 3}).contiguous();
  if (nl.size() != graph.at("num_edges").get<int64_t>()) throw std::runtime_error("structures.json: num_edges");
  return nl;
}

}  // namespace

std::vector<Oc20ReferenceStructure> load_oc20_structures(const fs::path& shared, const std::string& graph_key) {
  const nlohmann::json file = load_json(oc20_reference_dir(shared) / "structures.json");
  std::vector<Oc20ReferenceStructure> out;
  for (const auto& s : file.at("structures")) {
    Oc20ReferenceStructure r;
    r.name = s.at("name").get<std::string>();
    const auto numbers = s.at("atomic_numbers").get<std::vector<int64_t>>();
    const auto pbc = s.at("pbc").get<std::vector<bool>>();
    r.structure = data::make_structure(numbers, tensor_from_json(s.at("positions")), tensor_from_json(s.at("cell")),
                                       {pbc.at(0), pbc.at(1), pbc.at(2)});
    r.tags = long_tensor(s.at("tags"));
    r.structure.arrays["tags"] = r.tags;  // as the extxyz reader stores a "tags" column
    const auto& graph = s.at("graphs").at(graph_key);
    r.graph = reference_graph(graph);
    r.atoms_truncated = graph.at("atoms_truncated").get<int64_t>();
    out.push_back(std::move(r));
  }
  if (out.empty()) throw std::runtime_error("structures.json holds no structure");
  return out;
}

}  // namespace eqt::testing
