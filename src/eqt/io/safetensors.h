#pragma once
// The safetensors file format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end)}, optional
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes (offsets relative to
// the end of the header). eqt uses it for checkpoints and for reference data from Python.
#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace eqt::io {

using TensorMap = std::map<std::string, at::Tensor>;
using MetadataMap = std::map<std::string, std::string>;

struct SafetensorsContent {
  TensorMap tensors;
  MetadataMap metadata;
};

// Reads a whole file into CPU tensors that own their memory. Any inconsistency (header length,
// JSON, unknown dtype, shape/size mismatch, offsets out of range or overlapping) throws
// eqt::Error naming the file and the problem.
SafetensorsContent read_safetensors(const std::filesystem::path& path);

// Same, from bytes already in memory; `origin` names the source in error messages.
SafetensorsContent parse_safetensors(const std::string& bytes, const std::string& origin);

// Serializes tensors (any device, any layout; copied to contiguous CPU) into the format.
std::string serialize_safetensors(const TensorMap& tensors, const MetadataMap& metadata = {});

// Writes atomically: a temporary file in the destination directory is written, flushed and
// fsync'ed, then renamed over `path` (and the directory fsync'ed), so a crash never leaves a
// half-written checkpoint under the final name.
void write_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                       const MetadataMap& metadata = {});

// "F64" <-> at::kDouble etc.; throws eqt::Error for names / types the format cannot hold.
c10::ScalarType safetensors_dtype(const std::string& name);
std::string safetensors_dtype_name(c10::ScalarType dtype);

}  // namespace eqt::io
