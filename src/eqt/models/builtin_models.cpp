// The one place where architectures join the model registry (model_registry.h). Adding one is a
// line here: its reference classes and / or its eqt kind.
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/equiformer/model_format.h"
#include "eqt/models/model_registry.h"

namespace eqt::models {

void register_builtin_models() {
  // Equiformer (v1): the official MD17 classes, and eqt's own format.
  register_reference_class(equiformer::kGraphAttentionMd17Class, equiformer::load_reference_directory);
  register_reference_class(equiformer::kDotProductMd17Class, equiformer::load_reference_directory);
  register_kind("equiformer", equiformer::architecture_format());

  // ---- Registration point for further architectures ----
  // PET (branch pet, src/eqt/models/pet/): once load_pet_reference / its format exist, add e.g.
  //   register_reference_class("<official PET class path>", pet::load_pet_reference);
  //   register_kind("pet", pet::architecture_format());
  // ECSE wrapping a base model: register_kind("ecse(pet)", ecse::architecture_format());
}

}  // namespace eqt::models
