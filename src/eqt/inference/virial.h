#pragma once
// Virials for domain-decomposed callers, in eV and LAMMPS's component order (xx, yy, zz, xy, xz,
// yz). The virial of an energy E is -sum over vectors r of r (x) dE/dr, symmetrised (the derivative
// of E under a symmetric strain); summed over a system it is -V * stress (ASE's sign of stress).
#include <ATen/ATen.h>

#include <array>
#include <vector>

namespace eqt::inference {

// -sum_i x_i (x) g_i, symmetrised: x [M, 3] positions or edge vectors, g [M, 3] dE/dx.
std::array<double, 6> virial_of(const at::Tensor& x, const at::Tensor& g);

// Per-atom virials: each edge's -sym(r_e (x) dE/dr_e) goes to its centre atom; [num_atoms * 6].
std::vector<double> centre_virials(const at::Tensor& edge_vectors, const at::Tensor& gradient,
                                   const at::Tensor& centres, int64_t num_atoms);

// A tensor's values as float64 on the CPU, in row-major order.
std::vector<double> host_doubles(const at::Tensor& t);

}  // namespace eqt::inference
