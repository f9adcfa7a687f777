#include "eqt/inference/cluster_graph.h"

#include <vector>

#include "eqt/data/batch.h"

namespace eqt::inference {

data::Graph cluster_graph(const at::Tensor& positions, const at::Tensor& numbers, double cutoff,
                          c10::ScalarType dtype) {
  const std::vector<int64_t> z(numbers.data_ptr<int64_t>(), numbers.data_ptr<int64_t>() + numbers.size(0));
  const data::Structure cluster = data::make_structure(z, positions);
  const data::NeighbourList list = data::neighbour_list(positions, at::Tensor(), {false, false, false}, cutoff);
  return data::collate({&cluster}, {list}, dtype);
}

data::Graph owned_centres_only(const data::Graph& graph, int64_t num_owned) {
  data::Graph owned = graph;
  const at::Tensor keep = graph.edge_index[0].lt(num_owned).nonzero().squeeze(1);
  owned.edge_index = graph.edge_index.index_select(1, keep);
  owned.cell_shifts = graph.cell_shifts.index_select(0, keep);
  owned.edge_batch = graph.edge_batch.index_select(0, keep);
  return owned;
}

}  // namespace eqt::inference
