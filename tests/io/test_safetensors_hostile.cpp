// Hostile safetensors files (issue #17): sizes and shapes that claim more than the file holds, or
// more than 64 bits can count, fail with an eqt::Error naming the file -- before any allocation
// of the claimed size.
#include <gtest/gtest.h>

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"
#include "support/reference.h"

namespace eqt::io {
namespace {

namespace fs = std::filesystem;

std::string u64_bytes(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

class HostileSafetensors : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_dir("hostile_safetensors"); }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `bytes` to NAME and expects read_safetensors to fail naming the file and `fragment`.
  void expect_file_rejected(const std::string& name, const std::string& bytes, const std::string& fragment) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    try {
      read_safetensors(path);
      ADD_FAILURE() << name << " was accepted";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
  }

  // A file with one tensor entry `entry` (JSON) and `data` as its data section.
  static std::string one_tensor(const std::string& entry, const std::string& data = std::string(16, '\0')) {
    const std::string header = "{\"x\": " + entry + "}";
    return u64_bytes(header.size()) + header + data;
  }

  fs::path dir_;
};

TEST_F(HostileSafetensors, HeaderClaiming10To12Bytes) {
  expect_file_rejected("header_1e12.safetensors", u64_bytes(1'000'000'000'000ull) + "{}",
                       "header length 1000000000000 exceeds the 2 bytes that follow it");
  // Within the format's 100 MB header cap, but still beyond the end of the file.
  expect_file_rejected("header_beyond.safetensors", u64_bytes(1000) + "{}", "header length 1000 exceeds");
}

TEST_F(HostileSafetensors, DataOffsetsBeyondTheFile) {
  expect_file_rejected("offsets.safetensors",
                       one_tensor(R"({"dtype": "U8", "shape": [1000000000000], "data_offsets": [0, 1000000000000]})"),
                       "data_offsets [0, 1000000000000] out of range of the 16-byte data section");
  expect_file_rejected("offsets_max.safetensors",
                       one_tensor(R"({"dtype": "U8", "shape": [1], "data_offsets": [18446744073709551615, 0]})"),
                       "out of range");
}

TEST_F(HostileSafetensors, ShapesWhoseElementCountOverflows) {
  // 2^62 * 4 = 2^64: overflows int64 (and uint64).
  expect_file_rejected("shape_u64.safetensors",
                       one_tensor(R"({"dtype": "U8", "shape": [4611686018427387904, 4], "data_offsets": [0, 16]})"),
                       "overflows a 64-bit element count");
  // 3 * 2^62 fits uint64 but not int64, LibTorch's element count.
  expect_file_rejected("shape_i64.safetensors",
                       one_tensor(R"({"dtype": "U8", "shape": [4611686018427387904, 3], "data_offsets": [0, 16]})"),
                       "overflows a 64-bit element count");
  // No elements, but strides beyond int64: refused rather than handed to at::empty.
  expect_file_rejected("shape_zero.safetensors",
                       one_tensor(R"({"dtype": "U8", "shape": [0, 4611686018427387904, 4611686018427387904],
                                     "data_offsets": [0, 0]})"),
                       "overflows a 64-bit element count");
  // The element count fits, its size in bytes does not.
  expect_file_rejected("bytes.safetensors",
                       one_tensor(R"({"dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 16]})"),
                       "needs more than 2^64 bytes");
  expect_file_rejected("dimension.safetensors",
                       one_tensor(R"({"dtype": "F64", "shape": [1e30], "data_offsets": [0, 16]})"),
                       "must be a non-negative integer");
  // A legitimately empty tensor with a large zero-product shape still reads.
  const fs::path ok = dir_ / "empty.safetensors";
  std::ofstream(ok, std::ios::binary) << one_tensor(R"({"dtype": "U8", "shape": [0, 1000000], "data_offsets": [0, 0]})", "");
  EXPECT_EQ(read_safetensors(ok).tensors.at("x").sizes(), (std::vector<int64_t>{0, 1000000}));
}

}  // namespace
}  // namespace eqt::io
