#include "eqt/io/safetensors.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/io/atomic_file.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors I/O copies raw bytes and assumes a little-endian host"
#endif

namespace eqt::io {
namespace {

using json = nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";
// The reference implementation refuses headers above 100 MB; a larger length is corruption.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeName {
  const char* name;
  c10::ScalarType type;
};

constexpr std::array<DtypeName, 10> kDtypes{{{"F64", c10::kDouble},
                                             {"F32", c10::kFloat},
                                             {"F16", c10::kHalf},
                                             {"BF16", c10::kBFloat16},
                                             {"I64", c10::kLong},
                                             {"I32", c10::kInt},
                                             {"I16", c10::kShort},
                                             {"I8", c10::kChar},
                                             {"U8", c10::kByte},
                                             {"BOOL", c10::kBool}}};

// One tensor's header entry, validated against the size of the data section.
struct Entry {
  std::string name;
  c10::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

uint64_t read_u64_le(const std::string& bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string u64_le(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

uint64_t non_negative_integer(const json& value, const std::string& origin, const std::string& what) {
  if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<int64_t>() < 0)) {
    fail("{}: corrupt safetensors header: {} must be a non-negative integer, got {}", origin, what,
         value.dump());
  }
  return value.get<uint64_t>();
}

// The shape and its element count. The product of the non-zero dimensions must fit int64, as
// LibTorch computes sizes and strides in int64: [0, 2^62, 2^62] holds no bytes, but its strides
// would overflow in at::empty.
std::vector<int64_t> parse_shape(const json& value, const std::string& origin, const std::string& name,
                                 uint64_t& numel) {
  if (!value.is_array()) fail("{}: corrupt safetensors header: shape of '{}' is not a list", origin, name);
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  std::vector<int64_t> shape;
  uint64_t nonzero_product = 1;
  bool has_zero = false;
  for (const auto& dim : value) {
    const uint64_t d = non_negative_integer(dim, origin, "a dimension of '" + name + "'");
    if (d > kMax || (d != 0 && nonzero_product > kMax / d)) {
      fail("{}: corrupt safetensors header: shape {} of '{}' overflows a 64-bit element count", origin,
           value.dump(), name);
    }
    if (d == 0) has_zero = true;
    else nonzero_product *= d;
    shape.push_back(static_cast<int64_t>(d));
  }
  numel = has_zero ? 0 : nonzero_product;
  return shape;
}

Entry parse_entry(const std::string& name, const json& value, uint64_t data_bytes,
                  const std::string& origin) {
  if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
      !value.contains("data_offsets")) {
    fail("{}: corrupt safetensors header: entry '{}' needs dtype, shape and data_offsets", origin, name);
  }
  Entry entry;
  entry.name = name;
  if (!value["dtype"].is_string())
    fail("{}: corrupt safetensors header: dtype of '{}' is not a string", origin, name);
  try {
    entry.dtype = safetensors_dtype(value["dtype"].get<std::string>());
  } catch (const Error& e) {
    fail("{}: tensor '{}': {}", origin, name, e.what());
  }
  uint64_t numel = 0;
  entry.shape = parse_shape(value["shape"], origin, name, numel);
  const json& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2) {
    fail("{}: corrupt safetensors header: data_offsets of '{}' must be [begin, end]", origin, name);
  }
  entry.begin = non_negative_integer(offsets[0], origin, "data_offsets of '" + name + "'");
  entry.end = non_negative_integer(offsets[1], origin, "data_offsets of '" + name + "'");
  if (entry.begin > entry.end || entry.end > data_bytes) {
    fail(
        "{}: tensor '{}': data_offsets [{}, {}] out of range of the {}-byte data section "
        "(truncated or corrupt file)",
        origin, name, entry.begin, entry.end, data_bytes);
  }
  const uint64_t item = c10::elementSize(entry.dtype);
  if (numel > std::numeric_limits<uint64_t>::max() / item) {
    fail("{}: tensor '{}': shape {} of {} needs more than 2^64 bytes", origin, name, value["shape"].dump(),
         value["dtype"].get<std::string>());
  }
  if (entry.end - entry.begin != numel * item) {
    fail("{}: tensor '{}': shape {} of {} needs {} bytes but data_offsets span {}", origin, name,
         value["shape"].dump(), value["dtype"].get<std::string>(), numel * item, entry.end - entry.begin);
  }
  return entry;
}

MetadataMap parse_metadata(const json& value, const std::string& origin) {
  if (!value.is_object()) fail("{}: corrupt safetensors header: __metadata__ is not an object", origin);
  MetadataMap metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) {
      fail("{}: corrupt safetensors header: __metadata__ value of '{}' is not a string", origin, key);
    }
    metadata[key] = text.get<std::string>();
  }
  return metadata;
}

void reject_overlaps(std::vector<const Entry*> entries, const std::string& origin) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
  const Entry* previous = nullptr;
  for (const Entry* e : entries) {
    if (e->begin == e->end) continue;  // empty tensors occupy no bytes
    if (previous != nullptr && e->begin < previous->end) {
      fail("{}: tensors '{}' [{}, {}) and '{}' [{}, {}) overlap in the data section", origin, previous->name,
           previous->begin, previous->end, e->name, e->begin, e->end);
    }
    previous = e;
  }
}

at::Tensor tensor_from_bytes(const Entry& entry, const char* data, const std::string& origin) {
  at::Tensor tensor = at::empty(entry.shape, at::TensorOptions().dtype(entry.dtype));
  const uint64_t size = entry.end - entry.begin;
  if (size > 0) std::memcpy(tensor.data_ptr(), data + entry.begin, size);
  if (entry.dtype == c10::kBool) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data + entry.begin);
    if (std::any_of(bytes, bytes + size, [](unsigned char b) { return b > 1; })) {
      fail("{}: BOOL tensor '{}' holds bytes other than 0 and 1", origin, entry.name);
    }
  }
  return tensor;
}

json parse_header_json(const std::string& bytes, uint64_t header_bytes, const std::string& origin) {
  try {
    json header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(header_bytes));
    if (!header.is_object()) fail("{}: corrupt safetensors header: JSON is not an object", origin);
    return header;
  } catch (const json::exception& e) {
    fail("{}: corrupt safetensors header: invalid JSON ({})", origin, e.what());
  }
}

at::Tensor contiguous_cpu(const at::Tensor& tensor, const std::string& name) {
  if (!tensor.defined()) fail("cannot save tensor '{}': it is undefined", name);
  return tensor.detach().to(at::kCPU).contiguous();
}

}  // namespace

c10::ScalarType safetensors_dtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return d.type;
  }
  fail("unknown or unsupported safetensors dtype '{}'", name);
}

std::string safetensors_dtype_name(c10::ScalarType dtype) {
  for (const auto& d : kDtypes) {
    if (dtype == d.type) return d.name;
  }
  fail("tensor type {} cannot be stored in safetensors", c10::toString(dtype));
}

SafetensorsContent parse_safetensors(const std::string& bytes, const std::string& origin) {
  if (bytes.size() < 8) {
    fail("{}: not a safetensors file: {} bytes, shorter than the 8-byte header length", origin, bytes.size());
  }
  const uint64_t header_bytes = read_u64_le(bytes);
  if (header_bytes > kMaxHeaderBytes || header_bytes > bytes.size() - 8) {
    fail("{}: corrupt safetensors file: header length {} exceeds the {} bytes that follow it", origin,
         header_bytes, bytes.size() - 8);
  }
  const json header = parse_header_json(bytes, header_bytes, origin);
  const uint64_t data_bytes = bytes.size() - 8 - header_bytes;
  const char* data = bytes.data() + 8 + header_bytes;

  SafetensorsContent content;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      content.metadata = parse_metadata(value, origin);
    } else {
      entries.push_back(parse_entry(name, value, data_bytes, origin));
    }
  }
  std::vector<const Entry*> pointers;
  for (const auto& e : entries) pointers.push_back(&e);
  reject_overlaps(pointers, origin);
  for (const auto& e : entries) content.tensors.emplace(e.name, tensor_from_bytes(e, data, origin));
  return content;
}

SafetensorsContent read_safetensors(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open safetensors file '{}': {}", path.string(), std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail("error while reading safetensors file '{}'", path.string());
  return parse_safetensors(buffer.str(), path.string());
}

std::string serialize_safetensors(const TensorMap& tensors, const MetadataMap& metadata) {
  json header = json::object();
  std::vector<at::Tensor> ordered;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) fail("cannot save a tensor named '{}': the name is reserved", name);
    at::Tensor cpu = contiguous_cpu(tensor, name);
    const uint64_t size = static_cast<uint64_t>(cpu.nbytes());
    header[name] = {{"dtype", safetensors_dtype_name(cpu.scalar_type())},
                    {"shape", cpu.sizes().vec()},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
    ordered.push_back(std::move(cpu));
  }
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data section 8-byte aligned

  std::string out = u64_le(text.size());
  out.reserve(8 + text.size() + offset);
  out += text;
  for (const auto& t : ordered) out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  return out;
}

void write_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                       const MetadataMap& metadata) {
  write_file_atomically(path, serialize_safetensors(tensors, metadata));
}

}  // namespace eqt::io
