#pragma once
// A ForceField from any eqt model, through the model interface only: the state becomes a
// one-structure Graph (data::collate with the pairs of a SkinNeighbourList) in the model's dtype,
// and models::evaluate gives the energy and forces = -dE/dpositions by autograd.
#include <c10/core/ScalarType.h>

#include <memory>
#include <string>
#include <vector>

#include "eqt/md/force_field.h"
#include "eqt/md/skin_neighbour_list.h"
#include "eqt/models/model.h"

namespace eqt::md {

class ModelForces : public ForceField {
 public:
  // dtype: the precision of the model's computation (its parameters must already be in it).
  // Puts the model in eval mode.
  ModelForces(std::shared_ptr<models::Model> model, c10::ScalarType dtype, double skin);
  void compute(MdState& state) override;

  const SkinNeighbourList& neighbour_list() const { return list_; }
  int64_t evaluations() const { return evaluations_; }
  // At an MD restart point: see SkinNeighbourList::invalidate.
  void invalidate_neighbour_list() { list_.invalidate(); }
  // A continued run counts the work of the run before it (restart file).
  void set_counts(int64_t evaluations, int64_t neighbour_list_builds) {
    evaluations_ = evaluations;
    list_.set_builds(neighbour_list_builds);
  }

 private:
  std::shared_ptr<models::Model> model_;
  c10::ScalarType dtype_;
  SkinNeighbourList list_;
  int64_t evaluations_ = 0;
};

}  // namespace eqt::md
