#include "support/reference.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace eqt::testing {
namespace fs = std::filesystem;

std::optional<fs::path> shared_dir() {
  if (const char* env = std::getenv("EQT_SHARED_DIR")) {
    if (fs::is_directory(env)) return fs::path(env);
  }
  const fs::path candidate = fs::path(EQT_SOURCE_DIR) / ".." / "shared";
  if (fs::is_directory(candidate / "reference")) return fs::weakly_canonical(candidate);
  return std::nullopt;
}

nlohmann::json load_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return nlohmann::json::parse(in);
}

namespace {
void flatten(const nlohmann::json& v, std::vector<int64_t>& shape, std::vector<double>& data,
             std::size_t depth) {
  if (v.is_array()) {
    if (shape.size() <= depth) shape.push_back(static_cast<int64_t>(v.size()));
    for (const auto& x : v) flatten(x, shape, data, depth + 1);
  } else {
    data.push_back(v.get<double>());
  }
}
}  // namespace

at::Tensor tensor_from_json(const nlohmann::json& value) {
  std::vector<int64_t> shape;
  std::vector<double> data;
  flatten(value, shape, data, 0);
  return at::tensor(data, at::kDouble).reshape(shape);
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  if (a.numel() == 0 && b.numel() == 0) return 0.0;
  return (a.to(at::kCPU, at::kDouble) - b.to(at::kCPU, at::kDouble)).abs().max().item<double>();
}

double max_rel_diff(const at::Tensor& a, const at::Tensor& b) {
  if (a.numel() == 0 && b.numel() == 0) return 0.0;
  const auto bd = b.to(at::kCPU, at::kDouble);
  const double scale = std::max(bd.abs().max().item<double>(), 1e-300);
  return max_abs_diff(a, b) / scale;
}

fs::path eqt_executable() { return fs::path(EQT_BINARY_DIR) / "eqt"; }
fs::path source_dir() { return fs::path(EQT_SOURCE_DIR); }

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("eqt_test_" + name + "_" +
                                                    std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace eqt::testing
