#pragma once
// Error statistics of a model against labels, per target: mean absolute error, root mean square
// error and largest absolute error over all components (energies per structure or per atom, force
// components, stress components, components of scalar / vector targets), plus the (reference,
// predicted) pairs for parity plots. Accumulated batch by batch, so a file of any size needs
// one pass.
#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace eqt::train {

class ErrorStatistics {
 public:
  // Element-wise errors of two tensors with the same number of elements.
  void add(const at::Tensor& predicted, const at::Tensor& reference);
  void add(double predicted, double reference);

  int64_t count() const { return count_; }
  double mae() const;   // mean |p - r|; NaN when empty
  double rmse() const;  // sqrt(mean (p - r)^2); NaN when empty
  double max_abs() const { return max_abs_; }

 private:
  double sum_abs_ = 0, sum_squares_ = 0, max_abs_ = 0;
  int64_t count_ = 0;
};

struct TargetErrors {
  std::string name;  // "energy", "energy_per_atom", "forces", "stress", or a model output name
  std::string unit;  // "eV", "eV/atom", "eV/A", "eV/A^3"; "" where the model does not say
  std::string per;   // what one counted error is: "structure", "component"
  ErrorStatistics errors;
  std::vector<double> reference, predicted;  // every compared value, for parity plots
};

class EvaluationMetrics {
 public:
  // Adds the element-wise pairs to target `name` (created on first use; unit and per are then fixed).
  void add(const std::string& name, const std::string& unit, const std::string& per, const at::Tensor& predicted,
           const at::Tensor& reference);
  void count_structure(int64_t atoms);
  void count_structures(int64_t structures, int64_t atoms);  // several at once (merging metrics)

  const std::vector<TargetErrors>& targets() const { return targets_; }  // in order of first use
  const TargetErrors* find(const std::string& name) const;               // nullptr when absent
  int64_t structures() const { return structures_; }
  int64_t atoms() const { return atoms_; }

 private:
  std::vector<TargetErrors> targets_;
  int64_t structures_ = 0, atoms_ = 0;
};

}  // namespace eqt::train
