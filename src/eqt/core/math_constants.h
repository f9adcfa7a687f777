#pragma once
// Mathematical constants shared by the layers (one definition, so that sources can be compiled
// together in a unity build and nobody types pi twice).
namespace eqt {

inline constexpr double kPi = 3.14159265358979323846;

}  // namespace eqt
