#include "eqt/models/pet/token_grid.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>

#include "eqt/core/error.h"

namespace eqt::models::pet {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The grid's slot s of part p, head h is the d_head values at packed[token[s], (p * H + h) * d_head].
at::Tensor scatter_kernel(const at::Tensor& packed_in, const at::Tensor& token, int64_t parts, int64_t n_head) {
  const at::Tensor packed = packed_in.contiguous();
  const int64_t width = packed.size(1), slots = token.size(0), d_head = width / (parts * n_head);
  at::Tensor grid = at::empty({parts, n_head, slots, d_head}, packed.options());
  AT_DISPATCH_FLOATING_TYPES(packed.scalar_type(), "pet_to_grid", [&] {
    const scalar_t* src = packed.data_ptr<scalar_t>();
    scalar_t* dst = grid.data_ptr<scalar_t>();
    const int64_t* tok = token.data_ptr<int64_t>();
    at::parallel_for(0, slots, std::max<int64_t>(1, 16384 / width), [&](int64_t s0, int64_t s1) {
      for (int64_t s = s0; s < s1; ++s) {
        for (int64_t block = 0; block < parts * n_head; ++block) {
          scalar_t* out = dst + (block * slots + s) * d_head;
          if (tok[s] < 0) {
            std::fill(out, out + d_head, scalar_t(0));
          } else {
            const scalar_t* in = src + tok[s] * width + block * d_head;
            std::copy(in, in + d_head, out);
          }
        }
      }
    });
  });
  return grid;
}

at::Tensor gather_kernel(const at::Tensor& grid_in, const at::Tensor& slot) {
  const at::Tensor grid = grid_in.contiguous();
  const int64_t blocks = grid.size(0) * grid.size(1), slots = grid.size(2), d_head = grid.size(3);
  const int64_t m = slot.size(0), width = blocks * d_head;
  at::Tensor packed = at::empty({m, width}, grid.options());
  AT_DISPATCH_FLOATING_TYPES(grid.scalar_type(), "pet_from_grid", [&] {
    const scalar_t* src = grid.data_ptr<scalar_t>();
    scalar_t* dst = packed.data_ptr<scalar_t>();
    const int64_t* where = slot.data_ptr<int64_t>();
    at::parallel_for(0, m, std::max<int64_t>(1, 16384 / std::max<int64_t>(width, 1)), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t block = 0; block < blocks; ++block) {
          const scalar_t* in = src + (block * slots + where[i]) * d_head;
          std::copy(in, in + d_head, dst + i * width + block * d_head);
        }
      }
    });
  });
  return packed;
}

struct ToGrid;

struct FromGrid : public torch::autograd::Function<FromGrid> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& grid, const at::Tensor& token, const at::Tensor& slot) {
    ctx->save_for_backward({token, slot});
    ctx->saved_data["parts"] = grid.size(0);
    ctx->saved_data["heads"] = grid.size(1);
    return gather_kernel(grid, slot);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads);
};

struct ToGrid : public torch::autograd::Function<ToGrid> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& packed, const at::Tensor& token,
                            const at::Tensor& slot, int64_t parts, int64_t n_head) {
    ctx->save_for_backward({token, slot});
    return scatter_kernel(packed, token, parts, n_head);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    return {FromGrid::apply(grads[0], saved[0], saved[1]), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

variable_list FromGrid::backward(AutogradContext* ctx, variable_list grads) {
  const auto saved = ctx->get_saved_variables();
  const int64_t parts = ctx->saved_data["parts"].toInt(), heads = ctx->saved_data["heads"].toInt();
  return {ToGrid::apply(grads[0], saved[0], saved[1], parts, heads), at::Tensor(), at::Tensor()};
}

bool has_kernel(const at::Tensor& t) {
  return t.device().is_cpu() && (t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble);
}

}  // namespace

at::Tensor to_grid(const at::Tensor& packed, const TokenRows& rows, int64_t parts, int64_t n_head) {
  const int64_t m = packed.size(0), width = packed.size(1);
  if (packed.dim() != 2 || width % (parts * n_head) != 0 || m != rows.size()) {
    fail("PET to_grid: packed tokens {} do not fit {} parts x {} heads of {} tokens", c10::str(packed.sizes()), parts,
         n_head, rows.size());
  }
  const int64_t d_head = width / (parts * n_head);
  if (!has_kernel(packed)) {
    const at::Tensor heads = packed.view({m, parts, n_head, d_head}).permute({1, 2, 0, 3});
    return at::zeros({parts, n_head, rows.rows * rows.columns, d_head}, packed.options()).index_copy(2, rows.slot, heads);
  }
  return ToGrid::apply(packed, rows.token, rows.slot, parts, n_head);
}

at::Tensor from_grid(const at::Tensor& grid, const TokenRows& rows) {
  if (grid.dim() != 4 || grid.size(2) != rows.rows * rows.columns) {
    fail("PET from_grid: grid {} does not fit {} rows of {} slots", c10::str(grid.sizes()), rows.rows, rows.columns);
  }
  if (!has_kernel(grid)) {
    const int64_t m = rows.size();
    return grid.index_select(2, rows.slot).permute({2, 0, 1, 3}).reshape({m, -1});
  }
  return FromGrid::apply(grid, rows.token, rows.slot);
}

}  // namespace eqt::models::pet
