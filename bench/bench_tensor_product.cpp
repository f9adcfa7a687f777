// Forward + backward time of the grouped TensorProduct kernel against a per-instruction einsum
// (the way e3nn's generated code evaluates it), at Equiformer-like sizes.
//   bench_tensor_product [edges=20000] [device=cpu|cuda]
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "eqt/nn/tensor_product.h"
#include "eqt/so3/wigner_3j.h"
#include "peer_harness.h"

namespace {

using eqt::nn::TensorProduct;
using eqt::so3::Irreps;

at::Tensor per_instruction_einsum(const TensorProduct& tp, const at::Tensor& x1, const at::Tensor& x2,
                                  const at::Tensor& weight) {
  const auto &in1 = tp.irreps_in1(), &in2 = tp.irreps_in2(), &out = tp.irreps_out();
  const int64_t z = x1.size(0);
  std::vector<at::Tensor> blocks(out.size());
  for (std::size_t n = 0; n < tp.instructions().size(); ++n) {
    const auto& ins = tp.instructions()[n];
    const auto &a = in1[ins.i_in1], &b = in2[ins.i_in2], &c = out[ins.i_out];
    const at::Tensor u = x1.narrow(1, in1.slices()[ins.i_in1].first, a.dim()).reshape({z, a.mul, a.ir.dim()});
    const at::Tensor v = x2.narrow(1, in2.slices()[ins.i_in2].first, b.dim()).reshape({z, b.mul, b.ir.dim()});
    const at::Tensor cg = eqt::so3::wigner_3j(a.ir.l, b.ir.l, c.ir.l).to(x1.options());
    const at::Tensor w = tp.weight_view(weight, static_cast<int>(n));
    const std::string spec = ins.connection_mode == "uvw"
                                 ? (weight.dim() == 1 ? "uvw,ijk,zui,zvj->zwk" : "zuvw,ijk,zui,zvj->zwk")
                                 : "zuv,ijk,zui,zvj->zuk";
    const at::Tensor r = at::einsum(spec, {w, cg, u, v}) * ins.path_weight;
    blocks[ins.i_out] = blocks[ins.i_out].defined() ? blocks[ins.i_out] + r : r;
  }
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    if (!blocks[k].defined()) blocks[k] = at::zeros({z, out[k].mul, out[k].ir.dim()}, x1.options());
    blocks[k] = blocks[k].reshape({z, -1});
  }
  return at::cat(blocks, 1);
}

using eqt_bench::synchronize;  // waits for queued device work (peer_harness.h)

double milliseconds(const std::function<at::Tensor()>& f, const std::vector<at::Tensor>& leaves,
                    const at::Device& device) {
  const auto run = [&] {
    const at::Tensor out = f();
    torch::autograd::grad({out.sum()}, leaves);
  };
  run();  // warm-up: constants, allocator
  const int repeats = 5;
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) run();
  synchronize(device);
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(stop - start).count() / repeats;
}

void compare(const std::string& name, TensorProduct& tp, int64_t edges, const at::Device& device,
             bool per_sample) {
  const auto options = at::TensorOptions().dtype(at::kFloat).device(device);
  tp.to(device);
  const at::Tensor x1 = at::randn({edges, tp.irreps_in1().dim()}, options).set_requires_grad(true);
  const at::Tensor x2 = at::randn({edges, tp.irreps_in2().dim()}, options).set_requires_grad(true);
  const at::Tensor w =
      per_sample ? at::randn({edges, tp.weight_numel()}, options).set_requires_grad(true) : tp.weight;
  const double ours = milliseconds([&] { return per_sample ? tp.forward(x1, x2, w) : tp.forward(x1, x2); },
                                   {x1, x2, w}, device);
  const double naive =
      milliseconds([&] { return per_instruction_einsum(tp, x1, x2, w); }, {x1, x2, w}, device);
  const double error = (tp.forward(x1, x2, per_sample ? c10::optional<at::Tensor>(w) : c10::nullopt) -
                        per_instruction_einsum(tp, x1, x2, w))
                           .abs()
                           .max()
                           .item<double>();
  std::printf("%-34s grouped %8.2f ms   per-instruction einsum %8.2f ms   max diff %.2e\n", name.c_str(),
              ours, naive, error);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t edges = argc > 1 ? std::stoll(argv[1]) : 20000;
  const at::Device device(argc > 2 ? argv[2] : "cpu");
  const Irreps node = "128x0e+64x1e+32x2e", sh = "1x0e+1x1e+1x2e";

  std::vector<eqt::nn::TensorProductInstruction> depthwise;
  std::vector<eqt::so3::MulIrrep> outputs;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (const auto& ir : node[i].ir* sh[j].ir) {
        if (ir.l > 2) continue;
        depthwise.push_back({i, j, static_cast<int>(outputs.size()), "uvu", true, 1.0, {}});
        outputs.push_back({node[i].mul, ir});
      }
    }
  }
  eqt::nn::TensorProductOptions per_sample;
  per_sample.shared_weights = false;
  per_sample.path_normalization = "none";
  TensorProduct dtp(node, sh, Irreps(outputs), depthwise, per_sample);
  compare("depthwise uvu, per-edge weights", dtp, edges, device, true);

  eqt::nn::FullyConnectedTensorProduct fctp("64x0e+32x1e+16x2e", "1x0e+1x1e+1x2e", "64x0e+32x1e+16x2e");
  compare("fully connected uvw, shared", fctp, edges, device, false);
  return 0;
}
