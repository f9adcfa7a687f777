#pragma once
// eqt works in Angstrom, eV, eV/Angstrom and eV/Angstrom^3 throughout. Every conversion from other
// units is one of these named constants (CODATA 2014 values, as ASE 3.22 uses), so a reader can see
// where a number changes units.
namespace eqt::units {

inline constexpr double kHartreeToEv = 27.211386024367243;
inline constexpr double kBohrToAngstrom = 0.5291772105638411;
inline constexpr double kKcalPerMolToEv = 0.04336410390059322;
inline constexpr double kKjPerMolToEv = 0.010364269574711572;
inline constexpr double kEvPerCubicAngstromToGpa = 160.21766208;

}  // namespace eqt::units
