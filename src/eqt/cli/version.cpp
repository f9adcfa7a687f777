#include "eqt/cli/version.h"

#include <ATen/Context.h>
#include <ATen/Version.h>
#include <fmt/format.h>
#include <torch/version.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "eqt/core/device.h"
#include "eqt/kernels/fast_linear.h"

namespace eqt::cli {

namespace {

// The value of KEY=VALUE in LibTorch's build summary (at::show_config()), or "unknown".
std::string config_value(const std::string& config, const std::string& key) {
  std::istringstream lines(config);
  for (std::string line; std::getline(lines, line);) {
    for (std::string::size_type at = line.find(key + "="); at != std::string::npos;
         at = line.find(key + "=", at + 1)) {
      if (at > 0 && line[at - 1] != ' ' && line[at - 1] != ',') continue;
      const auto begin = at + key.size() + 1;
      return line.substr(begin, line.find(',', begin) - begin);
    }
  }
  return "unknown";
}

// The BLAS library the process actually loaded (Debian's libblas.so.3 is an alternative: OpenBLAS,
// BLIS, reference...), from /proc/self/maps; empty where that cannot be read.
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.rfind('/');
    if (slash == std::string::npos) continue;
    const std::string file = line.substr(slash + 1);
    if (file.rfind("libopenblas", 0) == 0 || file.rfind("libblas", 0) == 0 || file.rfind("libblis", 0) == 0 ||
        file.rfind("libmkl_rt", 0) == 0) {
      return line.substr(line.find('/'));
    }
  }
  return {};
}

// What libgomp was told about waiting at barriers, and who chose it (core/omp_wait_policy.h).
std::string omp_wait_text() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spins = std::getenv("GOMP_SPINCOUNT");
  const char* choice = std::getenv("EQT_OMP_WAIT_CHOICE");
  if (choice) return fmt::format("{} (chosen by eqt)", choice);
  if (!policy && !spins) return "spin: libgomp's default (EQT_OMP_WAIT=spin)";
  std::string text;
  if (policy) text += fmt::format("OMP_WAIT_POLICY={}", policy);
  if (spins) text += fmt::format("{}GOMP_SPINCOUNT={}", text.empty() ? "" : ", ", spins);
  return text + " (set by the user)";
}

}  // namespace

std::string version_text() {
  const std::string config = at::show_config();
  std::string cuda = libtorch_description();  // "LibTorch 1.13.0, built without CUDA (CPU only)"
  const std::string cuda_version = config_value(config, "CUDA_VERSION");
  if (cuda_version != "unknown" && !cuda_version.empty()) cuda += fmt::format(" (CUDA {})", cuda_version);
  const bool dnnl = kernels::uses_dnnl(at::empty({0}, at::kFloat));
  const std::string blas = loaded_blas();
  return fmt::format(
      "eqt {}\n{}\nBLAS: {} (LibTorch's BLAS_INFO={}, LAPACK_INFO={})\n"
      "oneDNN for eqt's float32 linears: {}\nOpenMP threads wait: {}",
      EQT_VERSION, cuda, blas.empty() ? std::string("not loaded yet") : blas,
      config_value(config, "BLAS_INFO"), config_value(config, "LAPACK_INFO"),
      dnnl ? "yes" : "no (LibTorch's BLAS; EQT_GEMM=blas or no libdnnl-dev)", omp_wait_text());
}

}  // namespace eqt::cli
