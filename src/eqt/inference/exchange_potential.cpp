#include "eqt/inference/exchange_potential.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>

#include "eqt/core/error.h"
#include "eqt/inference/cluster_graph.h"
#include "eqt/inference/per_structure_constant.h"
#include "eqt/inference/virial.h"
#include "eqt/models/model.h"
#include "eqt/models/potential.h"

namespace eqt::inference {

namespace {

enum class Direction { OwnersToShell, ShellToOwners };

// One exchange of `width` columns in calls of at most `chunk` columns each; rows: [N x width] float64
// (nullptr for a domain without atoms).
void exchange_columns(double* rows, int64_t num_atoms, int64_t width, int64_t chunk, FeatureExchange& exchange,
                      Direction direction) {
  const auto call = [&](double* buffer, int64_t columns) {
    if (direction == Direction::OwnersToShell) {
      exchange.owners_to_shell(buffer, static_cast<int>(columns));
    } else {
      exchange.shell_to_owners(buffer, static_cast<int>(columns));
    }
  };
  if (width <= chunk) {  // node features: one call, no copies
    call(rows, width);
    return;
  }
  std::vector<double> part;
  for (int64_t first = 0; first < width; first += chunk) {
    const int64_t columns = std::min(chunk, width - first);
    part.resize(static_cast<size_t>(num_atoms * columns));
    for (int64_t i = 0; i < num_atoms; ++i) std::copy_n(rows + i * width + first, columns, part.data() + i * columns);
    call(rows ? part.data() : nullptr, columns);
    for (int64_t i = 0; i < num_atoms; ++i) std::copy_n(part.data() + i * columns, columns, rows + i * width + first);
  }
}

// rows [N, w] padded with zeros to `width` >= w columns, through the caller's exchange (a float64
// host buffer), back in rows' dtype and device: [N, width].
at::Tensor exchanged(const at::Tensor& rows, FeatureExchange& exchange, Direction direction, int64_t width,
                     int64_t chunk) {
  std::vector<double> buffer = host_doubles(rows);
  const int64_t n = rows.size(0), w = rows.size(1);
  if (w < width) {
    std::vector<double> padded(static_cast<size_t>(n * width), 0.0);
    for (int64_t i = 0; i < n; ++i) std::copy_n(buffer.data() + i * w, w, padded.data() + i * width);
    buffer.swap(padded);
  }
  exchange_columns(buffer.data(), n, width, chunk, exchange, direction);
  return at::from_blob(buffer.data(), {n, width}, at::kDouble).to(rows.options(), false, /*copy=*/true);
}

// d(outputs)/d(wrt) weighted by upstream (undefined: outputs is a scalar); undefined entries for
// inputs the outputs do not depend on.
std::vector<at::Tensor> gradients(const at::Tensor& outputs, const std::vector<at::Tensor>& wrt,
                                  const at::Tensor& upstream, bool retain_graph) {
  if (!outputs.requires_grad()) return std::vector<at::Tensor>(wrt.size());
  return torch::autograd::grad({outputs}, wrt, {upstream}, retain_graph, false, /*allow_unused=*/true);
}

at::Tensor or_zeros(const at::Tensor& gradient, const at::Tensor& like) {
  return gradient.defined() ? gradient : at::zeros_like(like);
}

}  // namespace

struct ExchangePotential::Impl {
  std::shared_ptr<models::Model> model;
  c10::ScalarType dtype = at::kDouble;
  models::MessagePassingShape shape;
  bool constant_known = false;
  double constant = 0.0;

  // The columns of every exchange call: the node features' width, or a chunk of PET's rows.
  int64_t chunk() const { return std::max<int64_t>(shape.max_exchanged_width, 3); }

  // The width all domains exchange a step's rows at (local: this domain's rows' width).
  int64_t agreed_width(int64_t local, FeatureExchange& exchange) const {
    return shape.width_varies ? exchange.max_over_domains(local) : local;
  }

  // With no atoms a domain still takes part in every exchange (they are collective).
  void exchange_nothing(const Request& request, FeatureExchange& exchange) const {
    std::vector<int64_t> widths;
    for (int64_t k = 0; k + 1 < shape.steps; ++k) {
      widths.push_back(agreed_width(shape.width_varies ? 0 : shape.max_exchanged_width, exchange));
      exchange_columns(nullptr, 0, widths.back(), chunk(), exchange, Direction::OwnersToShell);
    }
    for (auto w = widths.rbegin(); w != widths.rend(); ++w) {
      exchange_columns(nullptr, 0, *w, chunk(), exchange, Direction::ShellToOwners);
    }
    if (!request.forces_on_shell) exchange_columns(nullptr, 0, 3, 3, exchange, Direction::ShellToOwners);
  }
};

ExchangePotential::ExchangePotential(std::shared_ptr<models::Model> model, bool float32)
    : impl_(std::make_unique<Impl>()) {
  if (!model || !supports(*model)) {
    fail("eqt: model kind '{}' cannot be evaluated one message-passing step at a time (mode exchange); use mode "
         "local or replicated",
         model ? model->kind() : "none");
  }
  impl_->model = std::move(model);
  impl_->dtype = float32 ? at::kFloat : at::kDouble;
  impl_->shape = impl_->model->message_passing_shape();
}

ExchangePotential::~ExchangePotential() = default;

bool ExchangePotential::supports(const models::Model& model) { return model.message_passing_shape().steps > 0; }

int ExchangePotential::max_exchanged_width() const {
  return static_cast<int>(std::max<int64_t>(impl_->shape.max_exchanged_width, 3));
}

int64_t ExchangePotential::num_steps() const { return impl_->shape.steps; }

bool ExchangePotential::width_varies() const { return impl_->shape.width_varies; }

double ExchangePotential::per_structure_constant(int64_t number) {
  if (!impl_->constant_known) impl_->constant = inference::per_structure_constant(*impl_->model, number, impl_->dtype);
  impl_->constant_known = true;
  return impl_->constant;
}

ExchangePotential::Result ExchangePotential::compute(const Request& request, FeatureExchange& exchange) {
  if (request.num_owned < 0 || request.num_owned > request.num_atoms) {
    fail("eqt: {} owned atoms of {} in the domain", request.num_owned, request.num_atoms);
  }
  const int64_t owned = request.num_owned;
  Result result;
  result.forces.assign(static_cast<size_t>(request.num_atoms) * 3, 0.0);
  result.atomic_energies.assign(request.atomic_energies ? owned : 0, 0.0);
  result.atomic_virials.assign(request.atomic_virials ? owned * 6 : 0, 0.0);
  if (request.num_atoms == 0) {
    impl_->exchange_nothing(request, exchange);
    return result;
  }
  at::AutoGradMode enable_grad(true);
  const at::Tensor positions =
      at::from_blob(const_cast<double*>(request.positions), {request.num_atoms, 3}, at::kDouble).clone();
  const at::Tensor numbers =
      at::from_blob(const_cast<int64_t*>(request.numbers), {request.num_atoms}, at::kLong).clone();
  const data::Graph graph = owned_centres_only(cluster_graph(positions, numbers, impl_->model->cutoff(), impl_->dtype),
                                               owned)
                                .to(models::model_device(*impl_->model));
  const at::Tensor vectors = graph.edge_vectors().detach().requires_grad_(true);
  const std::unique_ptr<models::MessagePassing> steps = impl_->model->message_passing(graph, vectors, owned);
  const int64_t num_steps = steps->num_steps();

  // Forward: each step's input is a leaf (owned rows: the previous output, shell rows: the owners').
  std::vector<at::Tensor> inputs(num_steps), owned_outputs(num_steps);
  std::vector<int64_t> widths(num_steps);  // of the exchanged inputs
  at::Tensor features;
  for (int64_t k = 0; k < num_steps; ++k) {
    features = steps->step(k, features);
    if (k + 1 == num_steps) break;
    owned_outputs[k] = features.narrow(0, 0, owned);
    widths[k + 1] = impl_->agreed_width(features.size(1), exchange);
    features = exchanged(features.detach(), exchange, Direction::OwnersToShell, widths[k + 1], impl_->chunk())
                   .requires_grad_(true);
    inputs[k + 1] = features;
  }
  const at::Tensor atomic = steps->atomic_energies(features).narrow(0, 0, owned);
  const at::Tensor energy = atomic.sum();
  result.energy = energy.item<double>();
  if (request.atomic_energies) result.atomic_energies = host_doubles(atomic);

  // Backward, last step first: the gradient reaching a step's shell rows belongs to their owners.
  at::Tensor edge_gradient = at::zeros_like(vectors);
  at::Tensor upstream;  // d energy / d (owned rows of step k's output)
  for (int64_t k = num_steps - 1; k >= 0; --k) {
    std::vector<at::Tensor> wrt{vectors};
    if (k > 0) wrt.push_back(inputs[k]);
    const at::Tensor& outputs = k + 1 == num_steps ? energy : owned_outputs[k];
    // The edge inputs (harmonics, radial basis) are shared by all steps: keep them until step 0.
    const std::vector<at::Tensor> g = gradients(outputs, wrt, upstream, /*retain_graph=*/k > 0);
    if (g[0].defined()) edge_gradient = edge_gradient + g[0];
    if (k > 0) {
      // Padding columns (k's rows may be wider than this domain's output of k - 1) are dropped.
      upstream = exchanged(or_zeros(g[1], inputs[k]), exchange, Direction::ShellToOwners, widths[k], impl_->chunk())
                     .narrow(0, 0, owned)
                     .narrow(1, 0, owned_outputs[k - 1].size(1));
    }
  }

  // Edge vector r = x_neighbour - x_centre: dE/dx_neighbour += dE/dr, dE/dx_centre -= dE/dr.
  const at::Tensor centres = graph.edge_index[0], neighbours = graph.edge_index[1];
  const at::Tensor position_gradient =
      at::zeros({request.num_atoms, 3}, edge_gradient.options()).index_add(0, neighbours, edge_gradient).index_add(
          0, centres, -edge_gradient);
  at::Tensor forces = -position_gradient.to(at::kCPU, at::kDouble);
  if (!request.forces_on_shell) {
    forces = exchanged(forces, exchange, Direction::ShellToOwners, 3, 3);
    forces.narrow(0, owned, request.num_atoms - owned).zero_();
  }
  result.forces = host_doubles(forces);
  if (request.virial) result.virial = virial_of(vectors, edge_gradient);
  if (request.atomic_virials) result.atomic_virials = centre_virials(vectors, edge_gradient, centres, owned);
  return result;
}

}  // namespace eqt::inference
