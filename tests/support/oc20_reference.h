#pragma once
// The OC20 Equiformer references in ../shared/reference/equiformer_oc20: the slab + adsorbate
// structures of structures.json with their tags and the exact graph the official model was given.
#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <vector>

#include "eqt/data/neighbour_list.h"
#include "eqt/data/structure.h"

namespace eqt::testing {

struct Oc20ReferenceStructure {
  std::string name;
  data::Structure structure;  // numbers, positions, cell, pbc as in the file; arrays["tags"]
  at::Tensor tags;            // int64 [N]: 0 sub-surface, 1 surface, 2 adsorbate
  data::NeighbourList graph;  // the reference edges in file order, as (i, j, S)
  int64_t atoms_truncated = 0;  // centres that had more than max_neighbors candidates
};

// The graph key of both small configurations.
inline const char* const kOc20SmallGraph = "r6.0_maxnb50";

std::filesystem::path oc20_reference_dir(const std::filesystem::path& shared);
// Every structure of structures.json with its graph `graph_key`; throws if anything is missing.
std::vector<Oc20ReferenceStructure> load_oc20_structures(const std::filesystem::path& shared,
                                                         const std::string& graph_key = kOc20SmallGraph);

}  // namespace eqt::testing
