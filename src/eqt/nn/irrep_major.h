#pragma once
// Features laid out irrep by irrep, component-major: for each distinct irrep of an Irreps (in order
// of first appearance) one tensor [Z, 2l+1, mul] whose columns are the channels of every block with
// that irrep, in block order. It is the layout of the matrix products inside Linear (rows =
// channels), so a tensor product that hands its output to a Linear in this layout saves the
// [Z, dim] concatenation and the transposing copies on both sides (the depthwise products of
// Equiformer produce [E, ~3000] features per edge: every full pass over them counts).
#include <ATen/ATen.h>

#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::nn {

// A part is a list of pieces [Z, 2l+1, c] lying side by side along the channels: a producer need not
// concatenate them (a concatenation of [E, ~3000] tensors costs a pass forward and, with forces in
// the graph, one zero-filled full-size gradient per piece in the double backward). A part may hold
// only the leading channels of its irrep, and an irrep may have no part: the missing channels are
// zero (Linear and from_irrep_major read them so).
struct IrrepMajor {
  std::vector<so3::Irrep> irreps;               // distinct, in order of first appearance
  std::vector<std::vector<at::Tensor>> parts;   // parts[k]: pieces of irreps[k]

  int64_t batch() const { return parts.empty() ? 0 : parts.front().front().size(0); }
  // The pieces of irrep `ir`; nullptr when absent.
  const std::vector<at::Tensor>* pieces(const so3::Irrep& ir) const;
  // The pieces of `ir` joined into one [Z, 2l+1, c] tensor; undefined when absent.
  at::Tensor part(const so3::Irrep& ir) const;
};

// Distinct irreps of `irreps` in order of first appearance.
std::vector<so3::Irrep> distinct_irreps(const so3::Irreps& irreps);

// flat [Z, irreps.dim()] <-> IrrepMajor (the conversions copy; they are the fallbacks).
IrrepMajor to_irrep_major(const so3::Irreps& irreps, const at::Tensor& flat);
at::Tensor from_irrep_major(const so3::Irreps& irreps, const IrrepMajor& x);

}  // namespace eqt::nn
