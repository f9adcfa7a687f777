// --device on the verbs that load a model: cpu gives the default's numbers; cuda on a build without
// CUDA (this machine's) is a clear error, exit status 1, for every verb.
#include <gtest/gtest.h>

#include <ATen/detail/CUDAHooksInterface.h>

#include <fstream>

#include "predict_fixtures.h"
#include "support/random_pet.h"
#include "support/reference.h"
#include "support/run_command.h"
#include "support/train_data.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A random PET model and three structures in a fresh directory; `input` is " --model M --input F".
struct PredictCase {
  fs::path dir, model;
  std::string input;
  TrainDataOptions data;
};

PredictCase predict_case(const std::string& name) {
  PredictCase c;
  c.dir = temp_dir(name);
  c.model = write_random_pet({{1, 6, 8}, 3.0, 2, 5}, c.dir / "model");
  c.data.frames = 3;
  write_pair_potential_dataset(c.dir / "input.xyz", c.data);
  c.input = " --model " + quoted(c.model) + " --input " + quoted(c.dir / "input.xyz");
  return c;
}

TEST(CliDevice, CpuEqualsTheDefaultAndCudaWithoutCudaIsAClearError) {
  auto [dir, model, input, o] = predict_case("cli_device");
  const auto plain = run_predict(input + " --output " + quoted(dir / "plain.xyz"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const auto cpu = run_predict(input + " --device cpu --output " + quoted(dir / "cpu.xyz"));
  ASSERT_EQ(cpu.exit_code, 0) << cpu.output;
  EXPECT_EQ(read_file(dir / "cpu.xyz"), read_file(dir / "plain.xyz"));
  EXPECT_NE(read_file(dir / "cpu.xyz").find("forces"), std::string::npos);
  if (at::detail::getCUDAHooks().hasCUDA()) GTEST_SKIP() << "this build has CUDA: the cuda path is tested by scripts/gpu-check.sh";
  for (const std::string verb : {"predict --output " + quoted(dir / "x.xyz"), std::string("eval --no-plots"),
                                 "export --output " + quoted(dir / "exported"), std::string("check"),
                                 std::string("md --steps 1 --dt 0.5")}) {
    std::string arguments = " --model " + quoted(model);
    if (verb.rfind("export", 0) != 0) arguments += " --input " + quoted(dir / "input.xyz");
    const auto r = run_command(eqt_command() + verb + arguments + " --device cuda");
    EXPECT_EQ(r.exit_code, 1) << verb << ": " << r.output;
    EXPECT_NE(r.output.find("--device cuda: this eqt cannot use CUDA: LibTorch"), std::string::npos)
        << verb << ": " << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "x.xyz"));
  EXPECT_FALSE(fs::exists(dir / "exported"));
  const fs::path val = dir / "val.xyz";
  o.seed = 1;
  write_pair_potential_dataset(val, o);
  std::ofstream(dir / "cfg.yaml") << tiny_train_config(dir / "input.xyz", val);
  const auto train = run_command(eqt_command() + "train " + quoted(dir / "cfg.yaml") + " --run-dir " +
                                 quoted(dir / "run") + " --device cuda");
  EXPECT_EQ(train.exit_code, 1) << train.output;
  EXPECT_NE(train.output.find("--device cuda: this eqt cannot use CUDA: LibTorch"), std::string::npos) << train.output;
}

// EQT_CUDA_SYNC_CHECK (core/cuda_sync_check.h): gpu-check.sh sets it to find copies to the CPU in
// GPU work. On the CPU it changes nothing; a value it does not know is an error that names it.
TEST(CliDevice, TheSyncCheckVariableChangesNothingOnTheCpuAndRefusesUnknownValues) {
  const auto [dir, model, input, data] = predict_case("cli_device_sync_check");
  const auto plain = run_predict(input + " --output " + quoted(dir / "plain.xyz"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const auto checked = run_command("EQT_CUDA_SYNC_CHECK=error " + eqt_command() + "predict" + input + " --output " +
                                   quoted(dir / "checked.xyz"));
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_EQ(read_file(dir / "checked.xyz"), read_file(dir / "plain.xyz"));
  EXPECT_NE(read_file(dir / "checked.xyz").find("forces"), std::string::npos);
  const auto wrong = run_command("EQT_CUDA_SYNC_CHECK=eror " + eqt_command() + "predict" + input + " --output " +
                                 quoted(dir / "wrong.xyz"));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("EQT_CUDA_SYNC_CHECK='eror': give warn, error or off"), std::string::npos) << wrong.output;
  EXPECT_FALSE(fs::exists(dir / "wrong.xyz"));
}

// A run trained with --device cpu resumes and evaluates like any other: checkpoints are read onto
// the model's device whatever device wrote them.
TEST(CliDevice, TrainOnCpuExplicitlyEqualsTheDefault) {
  const fs::path dir = temp_dir("cli_device_train");
  TrainDataOptions o;
  o.frames = 8;
  write_pair_potential_dataset(dir / "train.xyz", o);
  o.seed = 1;
  write_pair_potential_dataset(dir / "val.xyz", o);
  std::ofstream(dir / "cfg.yaml") << tiny_train_config(dir / "train.xyz", dir / "val.xyz");
  for (const std::string run : {"plain", "cpu"}) {
    const auto r = run_command(eqt_command() + "train " + quoted(dir / "cfg.yaml") + " --quiet --run-dir " +
                               quoted(dir / run) + (run == "cpu" ? " --device cpu" : "") +
                               " --set training.epochs=2");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(read_file(dir / "plain" / "model" / "weights.safetensors"), read_file(dir / "cpu" / "model" / "weights.safetensors"));
  EXPECT_GT(read_file(dir / "cpu" / "model" / "weights.safetensors").size(), 1000u);
}

}  // namespace
}  // namespace eqt::testing
