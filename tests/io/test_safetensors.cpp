#include <fstream>
#include <functional>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"
#include "support/reference.h"

namespace eqt::io {
namespace {

namespace fs = std::filesystem;

std::string little_endian_u64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

// A file made of an arbitrary header text and data section, for corruption tests.
std::string raw_file(const std::string& header, const std::string& data) {
  return little_endian_u64(header.size()) + header + data;
}

// Expects parse failure with an eqt::Error naming the origin and containing `fragment`.
void expect_rejected(const std::string& bytes, const std::string& fragment) {
  SCOPED_TRACE(fragment);
  try {
    parse_safetensors(bytes, "corrupt.safetensors");
    ADD_FAILURE() << "corrupt input was accepted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("corrupt.safetensors"), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

at::Tensor sample_tensor(c10::ScalarType dtype, at::IntArrayRef shape) {
  const auto numel = c10::multiply_integers(shape);
  if (dtype == c10::kBool) return (at::arange(numel) % 3 == 0).reshape(shape);
  if (at::isFloatingType(dtype)) return at::randn(shape, at::kDouble).to(dtype);
  // Integers spanning negative and positive values where the type allows.
  const auto values = at::arange(numel, at::kLong) * 37 - (dtype == c10::kByte ? 0 : 50);
  return (dtype == c10::kByte ? values % 256 : values).reshape(shape).to(dtype);
}

TEST(Safetensors, ReadsE3nnReferenceLikeItsJsonCopy) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path dir = shared / "reference/e3nn";
  const auto content = read_safetensors(dir / "modules.safetensors");
  const auto reference = testing::load_json(dir / "modules.json");
  EXPECT_EQ(content.metadata.at("e3nn_version"), reference["e3nn_version"].get<std::string>());
  int compared = 0;
  for (const auto& [key, tensor] : content.tensors) {
    EXPECT_EQ(tensor.scalar_type(), at::kDouble) << key;
    const auto dot = key.find('.');
    ASSERT_NE(dot, std::string::npos) << key;
    const auto& module = reference["modules"][key.substr(0, dot)];
    const std::string field = key.substr(dot + 1);
    if (!module.contains(field)) continue;  // weights are only in the safetensors copy
    const at::Tensor expected = testing::tensor_from_json(module[field]);
    ASSERT_EQ(tensor.sizes(), expected.sizes()) << key;
    EXPECT_EQ(testing::max_abs_diff(tensor, expected), 0.0) << key;
    ++compared;
  }
  EXPECT_GE(compared, 15);
  EXPECT_EQ(content.tensors.at("linear.weight").numel(),
            reference["modules"]["linear"]["weight_numel"].get<int64_t>());
}

TEST(Safetensors, RoundTripsEveryDtypeAndMetadata) {
  const std::vector<c10::ScalarType> dtypes{c10::kDouble, c10::kFloat, c10::kHalf,  c10::kBFloat16,
                                            c10::kLong,   c10::kInt,   c10::kShort, c10::kChar,
                                            c10::kByte,   c10::kBool};
  TensorMap tensors;
  for (const auto dtype : dtypes) {
    const std::string name = safetensors_dtype_name(dtype);
    EXPECT_EQ(safetensors_dtype(name), dtype);
    tensors[name + "_matrix"] = sample_tensor(dtype, {3, 5});
    tensors[name + "_scalar"] = sample_tensor(dtype, {});
    tensors[name + "_empty"] = sample_tensor(dtype, {0, 4});
  }
  tensors["strided"] = at::randn({4, 6}, at::kDouble).t();  // saved as its contiguous copy
  const MetadataMap metadata{{"format", "pt"}, {"note", "ünïcode and \"quotes\""}};

  const fs::path path = testing::temp_dir("safetensors_roundtrip") / "all.safetensors";
  write_safetensors(path, tensors, metadata);
  const auto loaded = read_safetensors(path);
  EXPECT_EQ(loaded.metadata, metadata);
  ASSERT_EQ(loaded.tensors.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const at::Tensor& back = loaded.tensors.at(name);
    EXPECT_EQ(back.scalar_type(), tensor.scalar_type()) << name;
    EXPECT_EQ(back.sizes(), tensor.sizes()) << name;
    EXPECT_TRUE(at::equal(back, tensor)) << name;
  }
  // The data section starts 8-byte aligned, as the reference writer does.
  std::ifstream in(path, std::ios::binary);
  std::string prefix(8, '\0');
  in.read(prefix.data(), 8);
  uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | static_cast<unsigned char>(prefix[i]);
  EXPECT_EQ(header_bytes % 8, 0u);
}

TEST(Safetensors, AtomicWriteReplacesFileAndLeavesNoTemporaries) {
  const fs::path dir = testing::temp_dir("safetensors_atomic");
  const fs::path path = dir / "checkpoint.safetensors";
  write_safetensors(path, {{"a", at::ones({2}, at::kFloat)}});
  write_safetensors(path, {{"b", at::zeros({3}, at::kLong)}});
  const auto loaded = read_safetensors(path);
  ASSERT_EQ(loaded.tensors.size(), 1u);
  EXPECT_TRUE(at::equal(loaded.tensors.at("b"), at::zeros({3}, at::kLong)));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), "checkpoint.safetensors");
    ++files;
  }
  EXPECT_EQ(files, 1);
  EXPECT_THROW(write_safetensors(dir / "no_such_dir" / "x.safetensors", {{"a", at::ones({1})}}), Error);
  EXPECT_THROW(write_safetensors(path, {{"__metadata__", at::ones({1})}}), Error);
}

TEST(Safetensors, RejectsTruncatedAndMalformedFiles) {
  const std::string valid = serialize_safetensors({{"x", at::arange(6, at::kDouble)}});
  EXPECT_NO_THROW(parse_safetensors(valid, "valid"));
  expect_rejected(valid.substr(0, 5), "shorter than");
  expect_rejected(valid.substr(0, 20), "header length");
  expect_rejected(valid.substr(0, valid.size() - 8), "out of range");
  expect_rejected(raw_file("{\"x\": [1, 2", ""), "invalid JSON");
  expect_rejected(raw_file("[1, 2]", ""), "not an object");
  expect_rejected(little_endian_u64(~0ull) + "{}", "header length");
}

TEST(Safetensors, RejectsInconsistentEntries) {
  const std::string data(48, '\0');
  const auto entry = [&](const std::string& body) { return raw_file("{\"x\": " + body + "}", data); };
  expect_rejected(entry(R"({"dtype": "F128", "shape": [6], "data_offsets": [0, 48]})"), "F128");
  expect_rejected(entry(R"({"dtype": "F64", "shape": [5], "data_offsets": [0, 48]})"), "needs 40 bytes");
  expect_rejected(entry(R"({"dtype": "F64", "shape": [6], "data_offsets": [0, 56]})"), "out of range");
  expect_rejected(entry(R"({"dtype": "F64", "shape": [6], "data_offsets": [48, 0]})"), "out of range");
  expect_rejected(entry(R"({"dtype": "F64", "shape": [-6], "data_offsets": [0, 48]})"), "non-negative");
  expect_rejected(entry(R"({"dtype": "F64", "shape": [6]})"), "data_offsets");
  expect_rejected(entry(R"({"dtype": "F64", "shape": [4294967296, 4294967296, 4294967296],
                            "data_offsets": [0, 48]})"),
                  "overflows");
  expect_rejected(raw_file(R"({"a": {"dtype": "F64", "shape": [4], "data_offsets": [0, 32]},
                               "b": {"dtype": "F64", "shape": [4], "data_offsets": [16, 48]}})",
                           data),
                  "overlap");
  expect_rejected(raw_file(R"({"__metadata__": {"k": 3}})", ""), "__metadata__");
  expect_rejected(raw_file(R"({"b": {"dtype": "BOOL", "shape": [1], "data_offsets": [0, 1]}})", "\x07"),
                  "BOOL");
}

TEST(Safetensors, FileErrorsNameTheFile) {
  const fs::path dir = testing::temp_dir("safetensors_errors");
  EXPECT_THROW(read_safetensors(dir / "missing.safetensors"), Error);
  const std::string valid = serialize_safetensors({{"x", at::arange(6, at::kFloat)}});
  const fs::path truncated = dir / "truncated.safetensors";
  std::ofstream(truncated, std::ios::binary) << valid.substr(0, valid.size() - 4);
  try {
    read_safetensors(truncated);
    ADD_FAILURE() << "truncated file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(truncated.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqt::io
