#pragma once
// The rows PET exchanges between domains in LAMMPS's mode exchange (pet/pet_steps.h), one per
// atom: [energy, slot 0, slot 1, ...], where slot s = [displacement (3), message (D)] of the
// atom's s-th neighbour in its owner's neighbour order: the displacement r_neighbour - r_atom and
// the message that neighbour receives from the atom at the next GNN layer. Unused slots are zeros.
//
// A domain finds the message neighbour n sends to its centre c in n's row (a copy of the row n's
// owner computed) by the slot whose displacement is r_c - r_n: no two neighbours of an atom share a
// displacement, and displacements do not change under the periodic translations of ghost images,
// so neither atom IDs nor image offsets are needed. Positions of a ghost and of its owner differ by
// rounding only, hence the tolerance (match_tolerance).
#include <ATen/ATen.h>

#include <cstdint>

namespace eqt::models::pet {

// energies [C], displacements [C, K, 3], messages [C, K, D] (zeros on unused slots) of the first C
// atoms -> rows [num_atoms, 1 + K * (3 + D)], zero rows after the first C.
at::Tensor pack_exchange_rows(const at::Tensor& energies, const at::Tensor& displacements, const at::Tensor& messages,
                              int64_t num_atoms);

// The parts of rows [N, 1 + K * (3 + D)] (any K; throws eqt::Error for another width).
at::Tensor row_energies(const at::Tensor& rows);                   // [N]
at::Tensor row_displacements(const at::Tensor& rows, int64_t d);  // [N, K, 3]
at::Tensor row_messages(const at::Tensor& rows, int64_t d);       // [N, K, D]

// Largest distance (Angstrom) between a displacement and its match: float64 1e-8, float32 1e-3.
// In float32 an edge vector is the difference of two float32 positions, off by up to ~1.2e-7 |x|
// per component: 1e-3 A holds for coordinates up to ~8,000 A, and stays far below the distance
// between two neighbours of one atom (> 0.5 A), so a match is never ambiguous.
double match_tolerance(c10::ScalarType dtype);

// For every edge e = (c -> n) with vector v = edge_vectors[e], the flat slot index n * K + s of
// n's row whose displacement is -v (within tolerance), or -1 where n's row has none and |v| is
// within tolerance of r_cut (the two owners rounded the pair to different sides of the cutoff,
// where PET's cutoff weight is zero). Throws eqt::Error, naming the atoms, for a slot missing
// inside the cutoff (the shell is thinner than one cutoff) or matched twice.
at::Tensor incoming_slots(const at::Tensor& displacements, const at::Tensor& edge_index, const at::Tensor& edge_vectors,
                          double r_cut, double tolerance);

}  // namespace eqt::models::pet
