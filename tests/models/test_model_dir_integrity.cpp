// model.json records the size and CRC-32 of weights.safetensors; loading checks them, so damaged
// copies are rejected with a message naming the file before any tensor is read.
#include <gtest/gtest.h>
#include <zlib.h>

#include "eqt/core/error.h"
#include "eqt/models/model_dir.h"
#include "model_dir_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

class ModelDirIntegrity : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto shared = shared_dir();
    if (!shared) EQT_SKIP_OR_FAIL() << "../shared not found next to the checkout (set EQT_SHARED_DIR)";
    work = temp_dir("model_dir_integrity");
    saved = work / "saved";
    models::save_model(*models::load_model(equiformer_reference_dir(*shared) / "small_dp_exp", at::kDouble), saved);
    weights = saved / "weights.safetensors";
  }
  void TearDown() override {
    if (!work.empty()) fs::remove_all(work);
  }
  fs::path work, saved, weights;
};

TEST_F(ModelDirIntegrity, RecordsSizeAndZlibCrc32OfTheWeights) {
  const auto json = load_json(saved / "model.json");
  const std::string bytes = read_text(weights);
  EXPECT_EQ(json["weights"]["file"], "weights.safetensors");
  EXPECT_EQ(json["weights"]["bytes"].get<uint64_t>(), bytes.size());
  const uLong crc = ::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size());
  EXPECT_EQ(json["weights"]["crc32"], fmt::format("0x{:08x}", crc));
  EXPECT_EQ(load_error(saved), "");
}

TEST_F(ModelDirIntegrity, TruncatedWeightsAreNamed) {
  fs::resize_file(weights, fs::file_size(weights) - 8);
  const auto message = load_error(saved);
  EXPECT_CONTAINS(message, weights.string());
  EXPECT_CONTAINS(message, "truncated");
}

TEST_F(ModelDirIntegrity, EveryFlippedBitInTheDataIsCaught) {
  const std::string original = read_text(weights);
  for (const std::size_t at : {std::size_t{9}, original.size() / 2, original.size() - 1}) {
    std::string bytes = original;
    bytes[at] ^= 0x01;
    write_text(weights, bytes);
    const auto message = load_error(saved);
    EXPECT_CONTAINS(message, weights.string());
    EXPECT_CONTAINS(message, "checksum mismatch");
  }
}

TEST_F(ModelDirIntegrity, MalformedRecordIsNamed) {
  auto json = load_json(saved / "model.json");
  json["weights"]["crc32"] = "12345";
  write_text(saved / "model.json", json.dump());
  EXPECT_CONTAINS(load_error(saved), "crc32 must be written as 0x");
  json["weights"] = "yes";
  write_text(saved / "model.json", json.dump());
  EXPECT_CONTAINS(load_error(saved), "'weights' must be");
}

TEST_F(ModelDirIntegrity, DirectoriesWithoutARecordStillLoad) {
  auto json = load_json(saved / "model.json");
  json.erase("weights");
  write_text(saved / "model.json", json.dump());
  EXPECT_EQ(load_error(saved), "");
}

}  // namespace
}  // namespace eqt::testing
