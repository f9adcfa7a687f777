// The one place where architectures join the model registry (model_registry.h). Adding one is a
// line here: its reference classes and / or its eqt kind with every per-architecture hook
// (model_registry.h's Architecture), written in the architecture's own folder.
#include "eqt/models/ecse/model_format.h"
#include "eqt/models/equiformer/model_format.h"
#include "eqt/models/equiformer_oc20/model_format.h"
#include "eqt/models/model_registry.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/pet/model_format.h"

namespace eqt::models {

void register_builtin_models() {
  // Equiformer (v1): the official MD17 classes, and eqt's own kind.
  register_reference_class(equiformer::kGraphAttentionMd17Class, equiformer::load_reference_directory);
  register_reference_class(equiformer::kDotProductMd17Class, equiformer::load_reference_directory);
  register_architecture("equiformer", equiformer::architecture());

  // Equiformer's OC20 variant (IS2RE + the IS2RS auxiliary head): the official classes and the kind.
  register_reference_class(equiformer_oc20::kGraphAttentionOc20Class, equiformer_oc20::load_reference_directory);
  register_reference_class(equiformer_oc20::kDotProductOc20Class, equiformer_oc20::load_reference_directory);
  register_architecture("equiformer_oc20", equiformer_oc20::architecture());

  // PET: the official export (config.json with "architectural_hypers", "all_species").
  register_reference_class("src.pet.PET", [](const std::filesystem::path& dir, c10::ScalarType dtype) {
    return std::static_pointer_cast<Model>(pet::load_pet_reference(dir, dtype).model);
  });
  register_architecture("pet", pet::architecture());

  // ECSE around any registered kind: model.json's kind is "ecse(<backbone kind>)". Not a
  // model.kind of its own (a config wraps a model through model.ecse); atomic energies not local.
  register_kind("ecse", ecse::architecture_format());
}

}  // namespace eqt::models
