#include "eqt/md/restart.h"

#include <fmt/format.h>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"

namespace eqt::md {
namespace {

constexpr const char* kFormat = "eqt-md-restart";
constexpr const char* kVersion = "1";
constexpr const char* kSeriesPrefix = "series/";

at::Tensor cpu(const at::Tensor& t, c10::ScalarType dtype) { return t.to(at::kCPU, dtype).contiguous(); }

std::string shape_text(at::IntArrayRef shape) {
  std::string out = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) out += (k > 0 ? ", " : "") + std::to_string(shape[k]);
  return out + "]";
}

class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path.string()), content_(io::read_safetensors(path)) {}

  const std::string& meta(const std::string& key) const {
    const auto it = content_.metadata.find(key);
    if (it == content_.metadata.end()) fail("{}: not an eqt MD restart file (no '{}' in its metadata)", path_, key);
    return it->second;
  }

  // The tensor `name` of this dtype and shape (-1: any size, the same for every tensor's atoms).
  at::Tensor tensor(const std::string& name, c10::ScalarType dtype, std::vector<int64_t> shape) {
    const auto it = content_.tensors.find(name);
    if (it == content_.tensors.end()) fail("{}: MD restart file without the tensor '{}'", path_, name);
    const at::Tensor& t = it->second;
    for (auto& d : shape) {
      if (d == -1) d = atoms_ >= 0 ? atoms_ : (t.dim() > 0 ? t.size(0) : 0);
    }
    if (t.scalar_type() != dtype || t.sizes() != at::IntArrayRef(shape)) {
      fail("{}: tensor '{}' is {} {}, expected {} {}", path_, name, io::safetensors_dtype_name(t.scalar_type()),
           shape_text(t.sizes()), io::safetensors_dtype_name(dtype), shape_text(shape));
    }
    if (atoms_ < 0 && !shape.empty()) atoms_ = shape[0];
    return t;
  }

  const io::TensorMap& tensors() const { return content_.tensors; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  io::SafetensorsContent content_;
  int64_t atoms_ = -1;
};

std::array<bool, 3> parse_pbc(const std::string& text, const std::string& path) {
  if (text.size() != 3 || text.find_first_not_of("TF") != std::string::npos) {
    fail("{}: pbc '{}' is not three of T / F", path, text);
  }
  return {text[0] == 'T', text[1] == 'T', text[2] == 'T'};
}

int64_t parse_step(const std::string& text, const std::string& path) {
  std::size_t used = 0;
  int64_t step = -1;
  try {
    step = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || step < 0) fail("{}: step '{}' is not a non-negative integer", path, text);
  return step;
}

}  // namespace

void write_restart(const std::filesystem::path& path, const Restart& r) {
  const MdState& s = r.state;
  if (!s.forces.defined()) fail("internal: an MD restart needs the forces of its state");
  io::TensorMap tensors = {
      {"numbers", cpu(s.numbers, at::kLong)},       {"masses", cpu(s.masses, at::kDouble)},
      {"positions", cpu(s.positions, at::kDouble)}, {"velocities", cpu(s.velocities, at::kDouble)},
      {"cell", cpu(s.cell, at::kDouble)},           {"images", cpu(s.images, at::kLong)},
      {"forces", cpu(s.forces, at::kDouble)},
      {"scalars", at::tensor(std::vector<double>{s.time_fs, s.potential_energy}, at::kDouble)},
  };
  for (const auto& [name, values] : r.series) {
    tensors[kSeriesPrefix + name] = at::tensor(values, at::kDouble).reshape({static_cast<int64_t>(values.size())});
  }
  const std::string pbc = fmt::format("{}{}{}", s.pbc[0] ? 'T' : 'F', s.pbc[1] ? 'T' : 'F', s.pbc[2] ? 'T' : 'F');
  const io::MetadataMap metadata = {{"format", kFormat},
                                    {"version", kVersion},
                                    {"step", std::to_string(s.step)},
                                    {"pbc", pbc},
                                    {"random_state", r.random_state},
                                    {"extra", r.extra.dump()}};
  io::write_safetensors(path, tensors, metadata);
}

Restart read_restart(const std::filesystem::path& path) {
  Reader in(path);
  if (in.meta("format") != kFormat) fail("{}: format '{}' is not {}", in.path(), in.meta("format"), kFormat);
  if (in.meta("version") != kVersion) {
    fail("{}: MD restart version {} (this eqt reads version {})", in.path(), in.meta("version"), kVersion);
  }
  Restart r;
  MdState& s = r.state;
  s.numbers = in.tensor("numbers", at::kLong, {-1});
  s.masses = in.tensor("masses", at::kDouble, {-1});
  s.positions = in.tensor("positions", at::kDouble, {-1, 3});
  s.velocities = in.tensor("velocities", at::kDouble, {-1, 3});
  s.images = in.tensor("images", at::kLong, {-1, 3});
  s.forces = in.tensor("forces", at::kDouble, {-1, 3});
  s.cell = in.tensor("cell", at::kDouble, {3, 3});
  const at::Tensor scalars = in.tensor("scalars", at::kDouble, {2});
  s.time_fs = scalars[0].item<double>();
  s.potential_energy = scalars[1].item<double>();
  s.step = parse_step(in.meta("step"), in.path());
  s.pbc = parse_pbc(in.meta("pbc"), in.path());
  r.random_state = in.meta("random_state");
  for (const auto& [name, tensor] : in.tensors()) {
    if (name.rfind(kSeriesPrefix, 0) != 0) continue;
    if (tensor.scalar_type() != at::kDouble || tensor.dim() != 1) fail("{}: series '{}' is not a float64 vector", in.path(), name);
    r.series[name.substr(std::string(kSeriesPrefix).size())] =
        std::vector<double>(tensor.data_ptr<double>(), tensor.data_ptr<double>() + tensor.numel());
  }
  try {
    r.extra = nlohmann::json::parse(in.meta("extra"));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: its 'extra' metadata is not JSON: {}", in.path(), e.what());
  }
  if (!r.extra.is_object()) fail("{}: its 'extra' metadata is not a JSON object", in.path());
  return r;
}

}  // namespace eqt::md
