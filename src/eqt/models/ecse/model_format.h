#pragma once
// How ECSE-wrapped models appear in eqt's model directories (kind "ecse(<backbone kind>)"):
//   "architecture": {"hypers": {official ECSE keys}, "max_frames_per_call": 0,
//                    "max_atoms_per_call": 512 (optional, copy-atoms per backbone call),
//                    "backbone": {"kind", "architecture"},
//                    "fallback": null | {"kind", "architecture", "normalisation"}}
//   "normalisation": the backbone's (so training can refit it without knowing about ECSE); a
//                    fallback entry without its own "normalisation" takes it too.
// Weights are the wrapper's state dict: backbone.* and fallback.*.
#include "eqt/models/model_registry.h"

namespace eqt::models::ecse {

ArchitectureFormat architecture_format();

}  // namespace eqt::models::ecse
