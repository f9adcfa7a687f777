#include "eqt/core/error.h"
#include "eqt/nn/activation.h"
#include "eqt/nn/gate.h"
#include "support/gradient_check.h"
#include "module_reference.h"

namespace eqt::nn {
namespace {

Gate gate_from_reference(const nlohmann::json& spec, GateLayout layout) {
  return Gate(spec["irreps_scalars"].get<std::string>(), spec["act_scalars"].get<std::vector<std::string>>(),
              spec["irreps_gates"].get<std::string>(), spec["act_gates"].get<std::vector<std::string>>(),
              spec["irreps_gated"].get<std::string>(), layout);
}

void expect_gate_matches_reference(const std::string& module) {
  EQT_REQUIRE_SHARED(shared);
  const auto ref = testing::load_module_reference(shared, module);
  const Gate gate = gate_from_reference(ref.spec, GateLayout::Sorted);
  EXPECT_EQ(gate.irreps_in().str(), ref.spec["irreps_in"].get<std::string>());
  EXPECT_EQ(gate.irreps_out().str(), ref.spec["irreps_out"].get<std::string>());
  EXPECT_LT(testing::max_abs_diff(gate.forward(ref.tensor("x")), ref.tensor("out")), 1e-10);
  const at::Tensor out32 = gate.forward(ref.tensor("x").to(at::kFloat));
  EXPECT_EQ(out32.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_rel_diff(out32, ref.tensor("out")), 1e-5);
}

TEST(Gate, MatchesE3nnGate) { expect_gate_matches_reference("gate"); }
TEST(Gate, MatchesE3nnGateSimple) { expect_gate_matches_reference("gate_simple"); }

TEST(Gate, ConcatenatedLayoutIsTheSortedInputRearranged) {
  EQT_REQUIRE_SHARED(shared);
  const auto ref = testing::load_module_reference(shared, "gate");
  const Gate gate = gate_from_reference(ref.spec, GateLayout::Concatenated);
  EXPECT_EQ(gate.irreps_in().str(), "4x0e+2x0o+3x0e+2x1o+1x2e");  // (scalars + gates + gated).simplify()
  EXPECT_EQ(gate.irreps_out().str(), ref.spec["irreps_out"].get<std::string>());
  // Sorted input '2x0o+7x0e+2x1o+1x2e' = [0o scalars | 0e scalars | 0e gates | gated] (README note).
  const at::Tensor x = ref.tensor("x");
  const at::Tensor concatenated = at::cat({x.narrow(1, 2, 4), x.narrow(1, 0, 2), x.narrow(1, 6, 14)}, 1);
  EXPECT_LT(testing::max_abs_diff(gate.forward(concatenated), ref.tensor("out")), 1e-10);
}

TEST(Gate, MatchesExplicitFormula) {
  const Gate gate("3x0e", {"silu"}, "1x0e+1x0e", {"sigmoid", "tanh"}, "1x1o+1x2e", GateLayout::Concatenated);
  const at::Tensor x = at::randn({4, 3 + 2 + 8}, at::kDouble);
  const auto& silu = normalized_activation("silu");
  const at::Tensor g0 = normalized_activation("sigmoid")(x.narrow(1, 3, 1));
  const at::Tensor g1 = normalized_activation("tanh")(x.narrow(1, 4, 1));
  const at::Tensor expected =
      at::cat({silu(x.narrow(1, 0, 3)), x.narrow(1, 5, 3) * g0, x.narrow(1, 8, 5) * g1}, 1);
  EXPECT_LT(testing::max_abs_diff(gate.forward(x), expected), 1e-15);
}

TEST(Gate, ParityOfOddScalarsAndGates) {
  // tanh keeps 0o odd; abs makes it even; odd gates flip the parity of what they gate.
  const Gate gate("1x0o+1x0o", {"tanh", "abs"}, "2x0o", {"tanh"}, "1x1o+1x2e", GateLayout::Concatenated);
  EXPECT_EQ(gate.irreps_out().str(), "1x0o+1x0e+1x1e+1x2o");
  EXPECT_THROW(Gate("1x0o", {"silu"}, "", {}, ""), Error);                   // silu is neither even nor odd
  EXPECT_THROW(Gate("1x1o", {"silu"}, "", {}, ""), Error);                   // not a scalar
  EXPECT_THROW(Gate("1x0e", {"silu"}, "1x0e", {"sigmoid"}, "2x1o"), Error);  // 1 gate, 2 gated
  EXPECT_THROW(Gate("1x0e+1x0e", {"silu"}, "", {}, ""), Error);              // one activation per block
}

TEST(Gate, ScalarsOnlyAndNoActivation) {
  const Gate gate("2x0e+1x0o", {"", "tanh"}, "", {}, "");
  const at::Tensor x = at::randn({3, 3}, at::kDouble);  // sorted: 0o first
  const at::Tensor expected =
      at::cat({x.narrow(1, 1, 2), normalized_activation("tanh")(x.narrow(1, 0, 1))}, 1);
  EXPECT_EQ(gate.irreps_in().str(), "1x0o+2x0e");
  EXPECT_LT(testing::max_abs_diff(gate.forward(x), expected), 1e-15);
}

TEST(Gate, GradientsMatchFiniteDifferences) {
  const Gate gate("2x0e+1x0o", {"silu", "tanh"}, "3x0e", {"sigmoid"}, "2x1o+1x2e");
  const at::Tensor x = testing::leaf(at::randn({3, gate.irreps_in().dim()}));
  EXPECT_LT(testing::max_gradient_error([&] { return gate.forward(x); }, {x}), 1e-8);
}

}  // namespace
}  // namespace eqt::nn
