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
// Dipole moments: eqt's dipole outputs are in the units of the training labels; ASE (and eqt's
// docs) use e*Angstrom. 1 e*Angstrom = 4.8032 Debye (1 / ase.units.Debye).
inline constexpr double kElectronAngstromToDebye = 4.80320467299766;

// Molecular dynamics. eqt's MD keeps time in fs, velocities in Angstrom/fs and masses in amu
// (unified atomic mass units). ASE measures time in its own unit sqrt(amu Angstrom^2 / eV)
// (about 10.18 fs) and velocities in Angstrom per that unit.
inline constexpr double kBoltzmannEvPerKelvin = 8.617330337217213e-05;  // ase.units.kB
inline constexpr double kFsToAseTime = 0.09822694788464063;             // ase.units.fs
// Kinetic energy: (1/2) m v^2 with m in amu and v in Angstrom/fs, times this, is in eV
// (= 1 / kFsToAseTime^2).
inline constexpr double kAmuAngstromSquaredPerFsSquaredToEv = 103.64269572045424;
// Velocities: Angstrom/fs times this is Angstrom per ASE time unit (ASE's get_velocities()).
inline constexpr double kAngstromPerFsToAseVelocity = 1.0 / kFsToAseTime;

}  // namespace eqt::units
